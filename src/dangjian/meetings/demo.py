"""Demo 组织生活: a year of meetings for every branch of the demo county — monthly 主题党日 and
支委会, quarterly 支部党员大会 and 党课, the year-end 组织生活会, monthly 党小组会 —
with attendance, most minutes, a few late entries (补录), and a few months some branches missed
(so the cadence view has gaps to show). Written in bulk (the demo loads in `make run` and in
tests), deterministic for a seed and a date; one upcoming 主题党日 of the village branch goes
through the real services with its notice sent, so the demo member has a meeting on the 工作台.
"""

from __future__ import annotations

import datetime as dt
import random
from collections import defaultdict
from typing import Any

from django.utils import timezone

from dangjian.core.actors import actor_user
from dangjian.meetings import cadence, services
from dangjian.meetings.models import Attendance, Guest, Meeting, MeetingKind
from dangjian.members.models import Member
from dangjian.orgs.models import BRANCH_KINDS, Organization, OrgKind

K = MeetingKind
A = Attendance.Status
LEAVE_REASONS = ["外出务工", "生病住院", "照顾家人", "单位值班", "在外地学习"]
TOPICS: dict[str, tuple[str, ...]] = {
    K.THEME_DAY: ("学习党的创新理论", "开展志愿服务", "重温入党誓词"),
    K.COMMITTEE: ("研究本月工作安排", "讨论发展党员工作", "研究党费收缴情况"),
    K.GENERAL: ("听取支部工作报告", "讨论接收预备党员", "通报党费收缴和使用情况"),
    K.LECTURE: ("学习党章党规", "传承红色基因"),
    K.LIFE: ("对照检查、批评和自我批评", "民主评议党员"),
    K.GROUP: ("学习讨论", "谈心谈话"),
}
DISCUSSIONS = (
    "与会党员结合工作实际交流了学习体会，一致表示要把学习成果转化为推动工作的实际行动。",
    "大家围绕议题逐项发表意见，对存在的问题提出了改进建议。",
)
DECISIONS = (
    "一、按计划推进本季度重点工作；二、下次会议前完成党员信息核对。",
    "同意会议议题所列事项，由支部委员会分工落实。",
)


def _months(today: dt.date) -> list[tuple[int, int]]:
    """The twelve months before the current one, oldest first."""
    y, m = today.year, today.month
    found = []
    for _ in range(12):
        m -= 1
        if m == 0:
            y, m = y - 1, 12
        found.append((y, m))
    return found[::-1]


def _plan(year: int, month: int, has_committee: bool) -> list[tuple[str, int]]:
    """(kind, day) of the meetings a branch holds in a month."""
    plan: list[tuple[str, int]] = [(K.THEME_DAY, 12)]
    if has_committee:
        plan.append((K.COMMITTEE, 5))
    if month in (3, 6, 9, 12):
        plan.append((K.GENERAL, 25))
    if month in (1, 4, 7, 10):
        plan.append((K.LECTURE, 18))
    if month == 12:
        plan.append((K.LIFE, 20))
    return plan


def seed_demo(
    secretary: Any, admin: Any, village: Organization, today: dt.date, rng: random.Random
) -> int:
    """Load the demo meetings; returns how many."""
    branches = list(Organization.objects.active().filter(kind__in=BRANCH_KINDS).order_by("path"))
    groups = list(Organization.objects.active().filter(kind=OrgKind.GROUP).order_by("path"))
    people: dict[int, list[tuple[int, dt.date | None, int | None]]] = defaultdict(list)
    rows = (
        Member.objects.in_party()
        .filter(org__in=branches)
        .order_by("id")
        .values_list("id", "org_id", "join_date", "group_id")
    )
    for pk, org_id, joined, group_id in rows:
        people[org_id].append((pk, joined, group_id))
    by_group: dict[int, list[tuple[int, dt.date | None, int | None]]] = defaultdict(list)
    for members in people.values():
        for row in members:
            if row[2] is not None:
                by_group[row[2]].append(row)
    # about one branch in three skips a month or two (not the village branch, whose pages show)
    skipped = {
        b.pk: set(rng.sample(range(12), rng.randint(1, 2)))
        for b in branches
        if b.pk != village.pk and rng.random() < 0.35
    }
    months = _months(today)
    planned: list[tuple[Meeting, list[int]]] = []
    for branch in branches:
        members = people.get(branch.pk, [])
        if not members:
            continue
        creator = actor_user(secretary) if branch.pk == village.pk else actor_user(admin)
        committee = [pk for pk, _, _ in members[:5]] if len(members) >= 7 else []
        for i, (year, month) in enumerate(months):
            if i in skipped.get(branch.pk, set()):
                continue
            for kind, day in _plan(year, month, bool(committee)):
                on = dt.date(year, month, day)
                invited = committee if kind == K.COMMITTEE else [
                    pk for pk, joined, _ in members if joined is None or joined <= on
                ]  # fmt: skip
                planned.append((_meeting(branch, kind, on, creator, rng), invited))
    for group in groups:
        members = by_group.get(group.pk, [])
        if not members:
            continue
        for year, month in months:
            on = dt.date(year, month, 8)
            invited = [pk for pk, joined, _ in members if joined is None or joined <= on]
            planned.append((_meeting(group, K.GROUP, on, actor_user(admin), rng), invited))
    meetings = Meeting.objects.bulk_create([m for m, _ in planned], batch_size=500)
    _attendance(meetings, [ids for _, ids in planned], today, rng)
    _upcoming(secretary, village, today)
    for year in sorted({y for y, _ in months} | {today.year}):
        cadence.refresh_year(year)  # the tally of every organization, in bulk
    return len(meetings) + 1


def _meeting(
    org: Organization, kind: str, on: dt.date, creator: Any, rng: random.Random
) -> Meeting:
    topics = TOPICS[kind]
    title = f"{on.month}月{MeetingKind(kind).label}"
    if kind == K.GENERAL:
        title = f"第{(on.month - 1) // 3 + 1}季度支部党员大会"
    return Meeting(
        org=org,
        org_path=org.path,
        kind=kind,
        title=title,
        topics="\n".join(topics),
        date=on,
        start_time=dt.time(rng.choice((9, 14, 19)), 30),
        end_time=None,
        place="党员活动室",
        speaker="支部书记" if kind == K.LECTURE else "",
        status=Meeting.Status.HELD,
        late_entry=rng.random() < 0.05,
        created_by=creator,
    )


def _attendance(
    meetings: list[Meeting], invited: list[list[int]], today: dt.date, rng: random.Random
) -> None:
    rows: list[Attendance] = []
    guests: list[Guest] = []
    recent = today - dt.timedelta(days=30)
    with_minutes: list[Meeting] = []
    for meeting, ids in zip(meetings, invited, strict=True):
        at = timezone.make_aware(dt.datetime.combine(meeting.date, dt.time(21, 0)))
        for pk in ids:
            roll = rng.random()
            status = A.PRESENT if roll < 0.85 else A.LEAVE if roll < 0.95 else A.ABSENT
            reason = rng.choice(LEAVE_REASONS) if status == A.LEAVE else ""
            rows.append(
                Attendance(
                    meeting=meeting,
                    member_id=pk,
                    expected=True,
                    status=status,
                    reason=reason,
                    via=Attendance.Via.ROLL,
                    recorded_at=at,
                )
            )
        if meeting.kind == K.LECTURE:
            guests.append(Guest(meeting=meeting, name="刘洋", affiliation="镇党委书记"))
        # the last month's minutes are partly missing (会议记录待补充 on the 工作台)
        if meeting.date < recent or rng.random() < 0.5:
            meeting.discussion = rng.choice(DISCUSSIONS)
            meeting.decisions = rng.choice(DECISIONS)
            meeting.minutes_at = at
            with_minutes.append(meeting)
    Attendance.objects.bulk_create(rows, batch_size=2000)
    Guest.objects.bulk_create(guests)
    Meeting.objects.bulk_update(with_minutes, ["discussion", "decisions", "minutes_at"], 500)


def _upcoming(secretary: Any, village: Organization, today: dt.date) -> None:
    """This month's 主题党日 of the village branch, scheduled and noticed as a secretary would."""
    on = today + dt.timedelta(days=3)
    meeting = services.schedule_meeting(
        actor=secretary,
        org=village,
        data=services.MeetingData(
            kind=K.THEME_DAY,
            title=f"{on.month}月主题党日",
            date=on,
            start_time=dt.time(9, 0),
            place="村党群服务中心",
            topics="学习党的创新理论\n开展志愿服务",
            notice="请全体党员准时参加，因故不能参加的向支部书记请假。",
        ),
    )
    services.send_notice(actor=secretary, meeting=meeting)
