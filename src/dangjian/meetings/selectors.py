"""Reads of 组织生活: which meetings a user sees, one meeting by id, the 流入党员 a destination
organization may add to its meeting, who is away (外出流动) on a date, and a member's
participation in organizational life (组织生活参加情况) at home and at the destination."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.urls import reverse

from dangjian.accounts.abilities import Ability
from dangjian.accounts.scope import get_for, scope_for
from dangjian.core.paths import any_subtree_q, subtree_q
from dangjian.meetings.models import Attendance, Meeting
from dangjian.members.models import Member
from dangjian.mobile.models import MobileStay
from dangjian.mobile.selectors import ParticipationRow
from dangjian.orgs.models import Organization
from dangjian.votes.models import Poll
from dangjian.votes.selectors import poll_report


def meetings_visible_to(user: Any) -> QuerySet[Meeting]:
    """Meetings of organizations the user sees, and those the user's own member is on."""
    scope = scope_for(user)
    q = any_subtree_q("org_path", scope.paths(Ability.VIEW_MEMBERS))
    if scope.own_member_id is not None:
        q |= Q(pk__in=Attendance.objects.filter(member_id=scope.own_member_id).values("meeting_id"))
    return Meeting.objects.filter(q)


def get_meeting_for_user(user: Any, pk: Any, ability: str | None = None) -> Meeting:
    """The meeting by id: 404 when the user does not see it, 403 without `ability` there."""
    visible = meetings_visible_to(user).select_related("org", "chair", "recorder")
    return get_for(
        user, ability, visible, pk, path_of="org_path", missing="会议不存在或不在您的管理范围内"
    )


def sees_all(user: Any, meeting: Meeting) -> bool:
    """Whether the user sees everyone's attendance and reasons (not only their own)."""
    return scope_for(user).can(Ability.VIEW_MEMBERS, meeting.org_path)


def may_run(user: Any, meeting: Meeting) -> bool:
    return scope_for(user).can(Ability.RUN_MEETINGS, meeting.org_path)


def _stays_on(on: dt.date) -> QuerySet[MobileStay]:
    return MobileStay.objects.filter(start_on__lte=on).filter(
        Q(end_on__isnull=True) | Q(end_on__gt=on)
    )


def incoming_members(org: Organization, on: dt.date) -> QuerySet[Member]:
    """流入党员: members away from home on `on` whose stay names `org` (or an organization under
    it) as the destination; they attend here, and it counts for their home branch."""
    stays = (
        _stays_on(on)
        .filter(destination_path__gt="")
        .filter(subtree_q("destination_path", org.path))
    )
    return Member.objects.filter(pk__in=stays.values("member_id")).order_by("name_pinyin")


def away_on(member_ids: Iterable[int], on: dt.date) -> dict[int, MobileStay]:
    """外出流动: the members of `member_ids` away from home on `on`, with their stay."""
    stays = _stays_on(on).filter(member_id__in=list(member_ids)).select_related("destination_org")
    return {s.member_id: s for s in stays}


@dataclass(frozen=True)
class Participation:
    """One meeting a member attended, and whether it was at the home organization."""

    meeting: Meeting
    at_home: bool


def participation(member: Member, start: dt.date, end: dt.date) -> list[Participation]:
    """组织生活参加情况: the meetings `member` attended from `start` to `end` anywhere — at the
    home organization or, away from home, at the destination (流入地) — all of which count for
    the home branch."""
    rows = (
        Attendance.objects.filter(
            member=member,
            status=Attendance.Status.PRESENT,
            meeting__status=Meeting.Status.HELD,
            meeting__date__range=(start, end),
        )
        .select_related("meeting", "meeting__org")
        .order_by("-meeting__date", "-meeting_id")
    )
    return [Participation(a.meeting, a.expected) for a in rows]


def stay_participations(stay: MobileStay) -> list[ParticipationRow]:
    """The meetings of the destination a 流动党员 attended during the stay, as lines of the
    stay's 参加组织生活情况 (mobile shows them; the attendance is entered once, at the meeting)."""
    if not stay.destination_path:
        return []
    rows = Attendance.objects.filter(
        member_id=stay.member_id,
        status=Attendance.Status.PRESENT,
        meeting__status=Meeting.Status.HELD,
        meeting__date__gte=stay.start_on,
    ).filter(subtree_q("meeting__org_path", stay.destination_path))
    if stay.end_on is not None:
        rows = rows.filter(meeting__date__lt=stay.end_on)
    return [
        ParticipationRow(
            on=a.meeting.date,
            activity=a.meeting.get_kind_display(),
            note=f"{a.meeting.org.name}：{a.meeting.title}",
            recorded_by=a.meeting.minutes_by or a.meeting.created_by,
            url=reverse("meetings:detail", args=[a.meeting_id]),
        )
        for a in rows.select_related("meeting__org", "meeting__minutes_by", "meeting__created_by")
    ]


def attendance_rows(meeting: Meeting) -> list[Attendance]:
    return list(
        meeting.attendance.select_related("member").order_by(
            "-expected", "member__name_pinyin", "member_id"
        )
    )


def filtered(user: Any, params: dict[str, Any]) -> QuerySet[Meeting]:
    """The meeting list with its filters: org (subtree), kind, status, period (from, to)."""
    qs = meetings_visible_to(user).select_related("org")
    org = params.get("org")
    if org is not None:
        qs = qs.filter(subtree_q("org_path", org.path))
    if params.get("kind"):
        qs = qs.filter(kind=params["kind"])
    if params.get("status"):
        qs = qs.filter(status=params["status"])
    if params.get("start"):
        qs = qs.filter(date__gte=params["start"])
    if params.get("end"):
        qs = qs.filter(date__lte=params["end"])
    return qs.order_by("-date", "-pk")


def register_rows(org: Organization, start: dt.date, end: dt.date) -> QuerySet[Meeting]:
    """三会一课登记簿: the meetings held by `org` and the organizations under it in the period."""
    mine = Q(attendance__expected=True)
    return (
        Meeting.objects.filter(subtree_q("org_path", org.path), date__range=(start, end))
        .exclude(status=Meeting.Status.CANCELLED)
        .select_related("org", "chair")
        .annotate(
            n_expected=Count("attendance", filter=mine),
            n_present=Count(
                "attendance", filter=mine & Q(attendance__status=Attendance.Status.PRESENT)
            ),
        )
        .order_by("date", "pk")
    )


def poll_words(poll: Poll) -> str:
    """A poll held in a meeting, its result in words (会议记录)."""
    if poll.status != Poll.Status.CLOSED:
        return f"（{poll.get_status_display()}）"
    report = poll_report(poll)
    numbers = f"应到会 {report.entitled} 人，实到会 {report.present} 人"
    if poll.kind == Poll.Kind.ELECTION:
        return f"{numbers}；当选：{'、'.join(report.elected) or '无'}。"
    if poll.kind == Poll.Kind.MOTION and report.rows:
        counts = "，".join(
            f"{label} {count} 票"
            for label, count in zip(report.columns, report.rows[0].counts, strict=False)
        )
        outcome = "通过" if report.result.passed else "未通过"
        return f"{numbers}；{counts}；{outcome}。"
    return f"{numbers}；评议结果见计票单。"
