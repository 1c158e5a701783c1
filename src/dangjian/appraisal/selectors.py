"""Reads of 民主评议党员: what a user sees, the 测评 counts, the results, and the members who
may have left the Party of their own accord (自行脱党)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import Count, Q, QuerySet

from dangjian.accounts.abilities import Ability
from dangjian.accounts.scope import get_for, scope_for
from dangjian.appraisal.models import GRADE_CHOICES, Appraisal, AppraisalResult, Disposition, Entry
from dangjian.core.exceptions import DomainError
from dangjian.core.models import rule_value
from dangjian.core.paths import any_subtree_q
from dangjian.meetings.models import Attendance, Meeting, MeetingKind
from dangjian.members.choices import MemberStatus
from dangjian.members.models import Member
from dangjian.mobile.models import MobileParticipation
from dangjian.orgs.models import Organization
from dangjian.votes.models import GRADES, Candidate

LAPSE_RULE = "appraisal.lapse_months"
# What a 流动党员's recorded participation counts as 组织生活 (not 交纳党费 or 志愿服务: those are
# the other two tests of 党章第九条, which this list does not judge).
ORGANIZATIONAL_LIFE = (
    MobileParticipation.Kind.MEETING,
    MobileParticipation.Kind.LESSON,
    MobileParticipation.Kind.THEME_DAY,
    MobileParticipation.Kind.EVALUATION,
)
DUES_NOTE = "党费缴纳情况尚未纳入本系统，仅依据组织生活参加情况"


def meeting_of(org: Organization, pk: Any, kind: str) -> Meeting:
    """A meeting of `kind` held by `org` (the 组织生活会 of a 测评, the 支部党员大会 of a 处置)."""
    found = Meeting.objects.filter(org=org, kind=kind, pk=pk).first() if pk else None
    if found is None:
        raise DomainError(f"请选择本支部的{MeetingKind(kind).label}。", field="meeting")
    return found


# --- appraisals ------------------------------------------------------------------------------


def appraisals_visible_to(user: Any) -> QuerySet[Appraisal]:
    """Appraisals of the branches the user sees, and those the user is appraised in."""
    scope = scope_for(user)
    q = any_subtree_q("org_path", scope.paths(Ability.VIEW_MEMBERS))
    if scope.own_member_id is not None:
        q |= Q(entries__member_id=scope.own_member_id)
    return Appraisal.objects.filter(q).distinct().select_related("org", "meeting", "poll")


def get_appraisal_for_user(user: Any, pk: Any, ability: str | None = None) -> Appraisal:
    return get_for(
        user,
        ability,
        appraisals_visible_to(user),
        pk,
        path_of="org_path",
        missing="民主评议不存在或不在您的管理范围内",
    )


def manages(user: Any, appraisal: Appraisal) -> bool:
    """Whether the user sees the whole appraisal (the branch's register), not only their part."""
    return scope_for(user).can(Ability.VIEW_MEMBERS, appraisal.org_path)


def may_read_self_review(user: Any, entry: Entry) -> bool:
    """个人自评 and 党性分析: the member themselves and the branch running the 组织生活
    (组织会议和组织生活 on the branch) — not everyone who may view the register."""
    scope = scope_for(user)
    return scope.own_member_id == entry.member_id or scope.can(
        Ability.RUN_MEETINGS, entry.appraisal.org_path
    )


def get_entry_for_user(user: Any, pk: Any) -> Entry:
    """One member's part of an appraisal: 404 outside the user's appraisals, 403 unless the
    user may read its 个人自评 (the member themselves or the branch)."""
    visible = Entry.objects.filter(appraisal__in=appraisals_visible_to(user)).select_related(
        "appraisal", "appraisal__org", "member"
    )
    entry = get_for(user, None, visible, pk, missing="评议记录不存在或不在您的管理范围内")
    if not may_read_self_review(user, entry):
        raise PermissionDenied("个人自评只有本人和所在党支部可以查看")
    return entry


def may_write_self_review(user: Any, entry: Entry) -> bool:
    return may_read_self_review(user, entry)


def own_entry(user: Any, appraisal: Appraisal) -> Entry | None:
    member_id = scope_for(user).own_member_id
    if member_id is None:
        return None
    return appraisal.entries.filter(member_id=member_id).first()


def test_counts(appraisal: Appraisal) -> dict[int, dict[str, int]]:
    """民主测评 counts per member (member id → grade → ballots), from the counted poll."""
    poll = appraisal.poll
    if poll is None or not poll.result:
        return {}
    members = dict(Candidate.objects.filter(poll=poll).values_list("pk", "member_id"))
    counts: dict[int, dict[str, int]] = {}
    for option in poll.result.get("options", []):
        member_id = members.get(int(option["option"]))
        if member_id is not None:
            counts[member_id] = {g: int(option["counts"].get(g, 0)) for g, _ in GRADES}
    return counts


def test_outcomes(appraisal: Appraisal) -> dict[int, str]:
    """The grade the 测评 gave each member (more than half of the valid ballots), if any."""
    poll = appraisal.poll
    if poll is None or not poll.result:
        return {}
    members = dict(Candidate.objects.filter(poll=poll).values_list("pk", "member_id"))
    return {
        members[int(o["option"])]: str(o.get("outcome") or "")
        for o in poll.result.get("options", [])
        if int(o["option"]) in members
    }


def grade_label(code: str) -> str:
    return dict(GRADE_CHOICES).get(code, "")


def results_of(member: Member) -> QuerySet[AppraisalResult]:
    return AppraisalResult.objects.filter(member=member).select_related("org")


# --- dispositions ----------------------------------------------------------------------------


def dispositions_visible_to(user: Any) -> QuerySet[Disposition]:
    """处置 of the branches the user sees, and those the user's 基层党委 approves."""
    scope = scope_for(user)
    q = any_subtree_q("org_path", scope.paths(Ability.VIEW_MEMBERS)) | any_subtree_q(
        "approver_path", scope.paths(Ability.APPROVE_DISPOSITIONS)
    )
    return Disposition.objects.filter(q).select_related("member", "org", "approver", "poll")


def get_disposition_for_user(user: Any, pk: Any) -> Disposition:
    return get_for(
        user,
        None,
        dispositions_visible_to(user),
        pk,
        path_of="org_path",
        missing="组织处置不存在或不在您的管理范围内",
    )


def open_disposition_of(member: Member) -> Disposition | None:
    closed = (
        Disposition.Status.CORRECTED,
        Disposition.Status.NOT_APPROVED,
        Disposition.Status.EXITED,
        Disposition.Status.WITHDRAWN,
    )
    return Disposition.objects.filter(member=member).exclude(status__in=closed).first()


# --- 自行脱党 ---------------------------------------------------------------------------------


def _month(day: dt.date) -> tuple[int, int]:
    return day.year, day.month


def _previous(month: tuple[int, int]) -> tuple[int, int]:
    year, m = month
    return (year, m - 1) if m > 1 else (year - 1, 12)


def _month_start(month: tuple[int, int]) -> dt.date:
    return dt.date(month[0], month[1], 1)


@dataclass(frozen=True)
class Lapse:
    """A member absent from the organizational life of `months` consecutive calendar months."""

    member: Member
    months: int
    first: dt.date  # the first day of the first month of the run
    last: dt.date  # the first day of its last month

    @property
    def span(self) -> str:
        return f"{self.first:%Y年%m月}至{self.last:%Y年%m月}"


def month_marks(
    rows: list[tuple[int, dt.date, bool, str]],
) -> dict[int, dict[tuple[int, int], str]]:
    """Per member, per month: "present" (came to any meeting, at home or at the destination, or
    asked for leave: 请假 is a good reason), "absent" (expected at held meetings and 缺席 from
    all of them), from rows (member, date, expected, status). A month without a row is one in
    which the member was expected nowhere: it is not absence."""
    marks: dict[int, dict[tuple[int, int], str]] = {}
    for member_id, date, expected, status in rows:
        month = _month(date)
        per = marks.setdefault(member_id, {})
        if status in (Attendance.Status.PRESENT, Attendance.Status.LEAVE):
            per[month] = "present"
        elif expected and status == Attendance.Status.ABSENT and per.get(month) != "present":
            per[month] = "absent"
    return marks


def trailing_run(marks: dict[tuple[int, int], str], today: dt.date) -> tuple[int, tuple[int, int]]:
    """The run of consecutive absent months ending with the member's latest marked month (the
    current month is skipped while nothing is marked in it yet); (length, last month).

    A month in which no meeting the member was expected at was held has no mark: it ends the run
    rather than counting as absence, so a 除名 is only ever proposed on six calendar months each
    with a recorded 缺席 (the conservative reading of 连续六个月)."""
    month = _month(today)
    if month not in marks:
        month = _previous(month)
    latest = max((m for m in marks if m <= month), default=None)
    if latest is None:
        return 0, month
    run, cursor = 0, latest
    while marks.get(cursor) == "absent":
        run += 1
        cursor = _previous(cursor)
    return run, latest


def lapse_candidates(paths: tuple[str, ...], today: dt.date) -> list[Lapse]:
    """Active members of the subtrees `paths` absent without good reason from all the 组织生活
    of `appraisal.lapse_months` consecutive months (党章第九条; 自行脱党 candidates: never acted
    on automatically). Attendance anywhere counts, so a 流动党员 who attended at the
    destination did attend."""
    if not paths:
        return []
    need = int(rule_value(LAPSE_RULE, today))
    since = _month_start(_month(today))
    for _ in range(need * 2):
        since = _month_start(_previous(_month(since)))
    window = Attendance.objects.filter(
        meeting__status=Meeting.Status.HELD, meeting__date__gte=since, meeting__date__lte=today
    )
    # Only members with at least `need` absences in the window can have a run of `need` months:
    # one indexed aggregate first, so the months are walked for a handful of people only.
    absent_enough = (
        window.filter(
            any_subtree_q("member__org_path", paths),
            member__status=MemberStatus.ACTIVE,
            expected=True,
            status=Attendance.Status.ABSENT,
        )
        .values("member_id")
        .annotate(n=Count("pk"))
        .filter(n__gte=need)
        .values("member_id")
    )
    members = Member.objects.filter(pk__in=absent_enough)
    rows = list(
        window.filter(
            member__in=members,
        ).values_list("member_id", "meeting__date", "expected", "status")
    )
    if not rows:  # nobody absent often enough (a member absent `need` times has rows here)
        return []
    # 流动党员 at a destination outside this installation: the participation the home side
    # recorded from the destination's report counts like attendance.
    away = MobileParticipation.objects.filter(
        stay__member_id__in=members.values("pk"),
        on__gte=since,
        on__lte=today,
        kind__in=ORGANIZATIONAL_LIFE,
    ).values_list("stay__member_id", "on")
    rows += [(member_id, on, False, Attendance.Status.PRESENT) for member_id, on in away]
    found: list[Lapse] = []
    marks = month_marks(rows)
    people = {m.pk: m for m in members.filter(pk__in=list(marks)).select_related("org")}
    for member_id, per in marks.items():
        run, last = trailing_run(per, today)
        if run >= need and member_id in people:
            first = last
            for _ in range(run - 1):
                first = _previous(first)
            found.append(Lapse(people[member_id], run, _month_start(first), _month_start(last)))
    return sorted(found, key=lambda x: (x.member.org_path, x.member.name))


def lapse_count(paths: tuple[str, ...], today: dt.date) -> int:
    return len(lapse_candidates(paths, today))
