from django.apps import AppConfig


class MeetingsConfig(AppConfig):
    """组织生活: 三会一课, 主题党日, 组织生活会 and 民主生活会, their attendance and plan."""

    name = "dangjian.meetings"
    verbose_name = "组织生活"

    def ready(self) -> None:
        from dangjian.core import workbench
        from dangjian.meetings.cadence import TallyWatcher
        from dangjian.meetings.plans import PlanItemsDue
        from dangjian.members import watch

        workbench.register(PlanItemsDue())  # 工作台: plan items coming due
        watch.register(TallyWatcher())  # 会议频次台账 follows subtree moves and org changes
