from django.apps import AppConfig


class MeetingsConfig(AppConfig):
    """组织生活: 三会一课, 主题党日, 组织生活会 and 民主生活会, their attendance and plan."""

    name = "dangjian.meetings"
    verbose_name = "组织生活"

    def ready(self) -> None:
        from dangjian.accounts.abilities import Ability
        from dangjian.core import workbench
        from dangjian.documents.registry import register_target
        from dangjian.meetings.cadence import TallyWatcher
        from dangjian.meetings.models import Meeting
        from dangjian.meetings.plans import PlanItemsDue
        from dangjian.meetings.services import on_poll_opened, owning_meeting
        from dangjian.meetings.workbench import PROVIDERS
        from dangjian.members import watch
        from dangjian.votes.services import register_attendance_owner

        register_attendance_owner(owning_meeting, on_poll_opened)  # a poll's 到会 = the meeting's
        from dangjian.meetings.selectors import stay_participations
        from dangjian.mobile.selectors import register_participation_source

        register_participation_source(stay_participations)  # a 流动党员's stay shows the meetings
        for provider in PROVIDERS:
            workbench.register(provider)  # 工作台
        workbench.register(PlanItemsDue())  # 工作台: plan items coming due
        watch.register(TallyWatcher())  # 会议频次台账 follows subtree moves and org changes
        # Photos and scans are optional (减负): a meeting without any is complete.
        register_target(
            Meeting,
            path=lambda m: m.org_path,
            kinds=["会议照片", "会议材料", "签到表扫描件"],
            upload_ability=Ability.RUN_MEETINGS,
            section_title="会议材料",
        )
