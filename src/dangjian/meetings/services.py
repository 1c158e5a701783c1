"""组织生活 operations: schedule a meeting, send its notice, record who came (one pass), record
the minutes, cancel, hold a poll in it, print. Each is one function called by the pages, the
API, the demo and the other branch-life apps (民主评议, 四议两公开) alike; each runs in one
transaction, locks the meeting, checks its `version` where a form was read, and leaves one
audit entry. Notifications go out only after the commit (core.notify).

Signatures (stable: appraisal and deliberations build on them):

- `schedule_meeting(*, actor, org, data: MeetingData) -> Meeting`
- `update_meeting(*, actor, meeting, data: MeetingData, version: int) -> Meeting`
- `send_notice(*, actor, meeting) -> int` (how many were told)
- `record_attendance(*, actor, meeting, rows: Sequence[AttendanceRow], version: int,
  guests: Sequence[GuestRow] | None = None) -> Meeting`
- `record_minutes(*, actor, meeting, discussion: str, decisions: str, version: int) -> Meeting`
- `cancel_meeting(*, actor, meeting, reason: str, version: int) -> Meeting`
- `create_meeting_poll(*, actor, meeting, draft: PollDraft) -> Poll`
- `print_minutes(*, actor, meeting, record_url="") -> bytes`,
  `print_register(*, actor, org, start, end) -> bytes`

Who acts: `Ability.RUN_MEETINGS` on the meeting's organization (组织管理员, 支部书记/组织委员,
支部委员). Who may hold which kind (支部工作条例 Art 11–14): a branch (党支部, 联合, 临时) or a
党总支 holds 支部党员大会, 支部委员会, 党课, 主题党日 and 组织生活会; a 党小组 holds 党小组会; a
党委/党工委 holds 民主生活会 (and 党课: 党委书记每年至少讲一次党课).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.db.models import QuerySet
from django.urls import reverse
from django.utils import timezone

from dangjian.accounts.abilities import Ability
from dangjian.accounts.scope import scope_for
from dangjian.audit.actions import register_action
from dangjian.audit.services import record_audit
from dangjian.core.actors import actor_user
from dangjian.core.dates import today
from dangjian.core.exceptions import ConcurrentEditError, DomainError
from dangjian.core.notify import notify
from dangjian.meetings import cadence
from dangjian.meetings.models import (
    Attendance,
    Guest,
    Meeting,
    MeetingKind,
    MeetingPoll,
    PlanItem,
)
from dangjian.members.models import Member
from dangjian.orgs.models import BRANCH_KINDS, COMMITTEE_KINDS, Organization, OrgKind
from dangjian.votes import services as votes
from dangjian.votes.models import Poll
from dangjian.votes.selectors import members_on

K, S, A = MeetingKind, Meeting.Status, Attendance.Status

SCHEDULE = register_action("meetings.schedule_meeting", "登记会议")
UPDATE = register_action("meetings.update_meeting", "修改会议")
NOTICE = register_action("meetings.send_notice", "发送会议通知")
ATTENDANCE = register_action("meetings.record_attendance", "登记会议出席情况")
MINUTES = register_action("meetings.record_minutes", "录入会议记录")
CANCEL = register_action("meetings.cancel_meeting", "取消会议")
POLL = register_action("meetings.create_meeting_poll", "在会上表决")
PRINT_MINUTES = register_action("meetings.print_minutes", "打印会议记录", tone="sensitive")
PRINT_REGISTER = register_action("meetings.print_register", "打印三会一课登记簿", tone="sensitive")

BRANCH_MEETINGS = (K.GENERAL, K.COMMITTEE, K.LECTURE, K.THEME_DAY, K.LIFE)
# 支部工作条例 Art 11–14 (kinds a branch or 党总支 holds); 党小组会 by the 党小组; 民主生活会 by
# the 党委 leadership (and the 党委书记's 党课).
KINDS_BY_ORG: dict[str, tuple[str, ...]] = {
    **{kind: BRANCH_MEETINGS for kind in BRANCH_KINDS},
    OrgKind.GENERAL_BRANCH: BRANCH_MEETINGS,
    OrgKind.GROUP: (K.GROUP,),
    **{kind: (K.LEADERSHIP, K.LECTURE) for kind in COMMITTEE_KINDS},
}
# Kinds whose expected list the secretary picks (支委会: the committee; 民主生活会: the 班子).
PICKED_KINDS = frozenset({K.COMMITTEE, K.LEADERSHIP})
# Kinds that may hold a poll (a 党小组 decides nothing by vote; a 党课 is a lecture).
REGISTER_MAX_ROWS = 3000  # a printed register beyond this is a county's year: ask for less
POLL_KINDS = frozenset({K.GENERAL, K.COMMITTEE, K.LIFE, K.THEME_DAY, K.LEADERSHIP})


@dataclass
class MeetingData:
    """What the secretary fills in to schedule (or change) a meeting.

    `invitees`: the expected list (应到). None takes the kind's default: the organization's
    members in the Party on the date (预备党员 included), or the group's members for 党小组会;
    支部委员会 and 民主生活会 have no default and must name them."""

    kind: str
    title: str
    date: dt.date
    start_time: dt.time | None = None
    end_time: dt.time | None = None
    place: str = ""
    topics: str = ""  # 议题, one per line
    chair: Member | None = None
    chair_name: str = ""  # a chair from outside the organization, by name
    recorder: Member | None = None
    speaker: str = ""  # 党课 授课人
    notice: str = ""
    invitees: Sequence[Member] | None = None
    plan_item: PlanItem | None = None  # 年度计划事项 this meeting fulfils (meetings.plans)


@dataclass(frozen=True)
class AttendanceRow:
    """One line of the one-pass roll: a member and 出席 / 请假 / 缺席 with the reason.

    A member not on the expected list (a 流入党员, a member from elsewhere) is added as a
    non-expected attendee; such a row must be 出席."""

    member_id: int
    status: str
    reason: str = ""


@dataclass(frozen=True)
class GuestRow:
    """列席: a non-member (or anyone without a record here), by name and 单位或身份."""

    name: str
    affiliation: str = ""


# ---- helpers ----------------------------------------------------------------------------------


def _require(actor: Any, path: str) -> None:
    if actor_user(actor) is None:
        return  # the system's own work (demo seeding)
    if not scope_for(actor).can(Ability.RUN_MEETINGS, path):
        raise DomainError("您没有组织该党组织会议的权限。")


def _locked(meeting: Meeting, version: int | None = None) -> Meeting:
    fresh = Meeting.objects.select_for_update().select_related("org").get(pk=meeting.pk)
    if version is not None and fresh.version != version:
        raise ConcurrentEditError("该会议")
    return fresh


def _bump(meeting: Meeting, *fields: str) -> None:
    meeting.version += 1
    meeting.save(update_fields=[*fields, "version"])


def _changed(meeting: Meeting, *others: dt.date) -> None:
    """Bring the cadence tally (会议频次台账) up to date in the write's own transaction."""
    years = {meeting.date.year, *(d.year for d in others)}
    cadence.meetings_changed(meeting.org_id, sorted(years))


def parent_branch(group: Organization) -> Organization | None:
    """The branch a 党小组 sits in."""
    path = group.path[: -Organization.steplen]
    return Organization.objects.filter(path=path).first()


def pool(org: Organization, kind: str, on: dt.date) -> QuerySet[Member]:
    """Who may be on the expected list: the organization's members in the Party on `on`
    (预备党员 included); for a 党小组, its branch's members in the group."""
    if org.kind == OrgKind.GROUP:
        branch = parent_branch(org)
        if branch is None:
            return Member.objects.none()
        return members_on(branch, on).filter(group=org)
    return members_on(org, on)


def _check_kind(org: Organization, kind: str) -> None:
    if kind not in K.values:
        raise DomainError("请选择会议类型。", field="kind")
    allowed = KINDS_BY_ORG.get(org.kind, ())
    if kind not in allowed:
        names = "、".join(str(K(k).label) for k in allowed) or "无"
        raise DomainError(
            f"{org.get_kind_display()}不召开{K(kind).label}（可召开：{names}）。", field="kind"
        )


def _check_data(org: Organization, data: MeetingData) -> None:
    _check_kind(org, data.kind)
    if not data.title.strip():
        raise DomainError("请填写会议主题。", field="title")
    if data.start_time and data.end_time and data.end_time <= data.start_time:
        raise DomainError("结束时间应晚于开始时间。", field="end_time")
    if data.chair is not None and data.chair_name.strip():
        raise DomainError("主持人请从本组织党员中选择或填写姓名，二者择一。", field="chair_name")
    if data.kind == K.LECTURE and not data.speaker.strip():
        raise DomainError("党课请填写授课人。", field="speaker")
    ids = {m.pk for m in (data.chair, data.recorder) if m is not None}
    if ids:
        inside = set(
            pool(org, data.kind, data.date).filter(pk__in=ids).values_list("pk", flat=True)
        )
        if data.chair is not None and data.chair.pk not in inside:
            raise DomainError(
                f"{data.chair.name}不是本组织党员，本组织以外的主持人请填写姓名。", field="chair"
            )
        if data.recorder is not None and data.recorder.pk not in inside:
            raise DomainError(f"{data.recorder.name}不是本组织党员。", field="recorder")


def _check_plan_item(org: Organization, data: MeetingData, meeting_id: int | None) -> None:
    item = data.plan_item
    if item is None:
        return
    if item.plan.org_id != org.pk or item.kind != data.kind:
        raise DomainError(
            f"所选计划事项不是{org.name}的{K(data.kind).label}计划。", field="plan_item"
        )
    taken = Meeting.objects.filter(plan_item=item).exclude(pk=meeting_id or 0)
    if taken.exclude(status=S.CANCELLED).exists():
        raise DomainError("该计划事项已由其他会议落实。", field="plan_item")


def _free_plan_item(data: MeetingData, meeting_id: int | None) -> None:
    """A cancelled meeting gives its plan item up (one meeting per item)."""
    if data.plan_item is not None:
        Meeting.objects.filter(plan_item=data.plan_item, status=S.CANCELLED).exclude(
            pk=meeting_id or 0
        ).update(plan_item=None)


def _expected(org: Organization, data: MeetingData) -> list[Member]:
    allowed = pool(org, data.kind, data.date)
    if data.invitees is None:
        if data.kind in PICKED_KINDS:
            raise DomainError(f"{K(data.kind).label}请选择参会人员。", field="invitees")
        return list(allowed)
    people = list({m.pk: m for m in data.invitees}.values())
    if not people:
        raise DomainError("请至少选择一名参会人员。", field="invitees")
    inside = set(allowed.filter(pk__in=[m.pk for m in people]).values_list("pk", flat=True))
    outside = [m.name for m in people if m.pk not in inside]
    if outside:
        raise DomainError(
            f"{'、'.join(outside)} 在会议日期不是本组织党员，不能列为应到人员。",
            field="invitees",
        )
    return people


def _fill(meeting: Meeting, data: MeetingData) -> None:
    meeting.kind = data.kind
    meeting.title = data.title.strip()
    meeting.date = data.date
    meeting.start_time, meeting.end_time = data.start_time, data.end_time
    meeting.place = data.place.strip()
    meeting.topics = "\n".join(t.strip() for t in data.topics.splitlines() if t.strip())
    meeting.chair = data.chair
    meeting.chair_name = data.chair_name.strip()
    meeting.recorder = data.recorder
    meeting.speaker = data.speaker.strip() if data.kind == K.LECTURE else ""
    meeting.notice = data.notice.strip()
    meeting.plan_item = data.plan_item


def _detail(meeting: Meeting, **extra: Any) -> dict[str, Any]:
    return {
        "org": meeting.org.name,
        "kind": meeting.get_kind_display(),
        "title": meeting.title,
        "date": meeting.date.isoformat(),
        "补录": meeting.late_entry,
        **extra,
    }


# ---- scheduling -------------------------------------------------------------------------------


def schedule_meeting(*, actor: Any, org: Organization, data: MeetingData) -> Meeting:
    """登记会议: a meeting with its expected list (应到). A date before today is 补录
    (`late_entry`), kept and shown as such; the meeting is then recorded like any other."""
    _require(actor, org.path)
    if not org.is_active:
        raise DomainError(f"{org.name}已撤销，不能登记会议。")
    _check_data(org, data)
    _check_plan_item(org, data, None)
    people = _expected(org, data)
    with transaction.atomic():
        _free_plan_item(data, None)
        meeting = Meeting(org=org, org_path=org.path, created_by=actor_user(actor))
        _fill(meeting, data)
        meeting.late_entry = data.date < today()
        meeting.save()
        Attendance.objects.bulk_create(
            Attendance(meeting=meeting, member=m, expected=True) for m in people
        )
        record_audit(
            SCHEDULE, actor=actor, target=meeting, detail=_detail(meeting, 应到=len(people))
        )
        _changed(meeting)
    return meeting


def update_meeting(*, actor: Any, meeting: Meeting, data: MeetingData, version: int) -> Meeting:
    """修改会议 before it is held: its details and (given `invitees`) the expected list. A date
    moved before today makes it 补录. After it is held, 更正: the details and the date may be
    corrected (the roll, not `invitees`, says who came), see `_check_correction`."""
    with transaction.atomic():
        locked = _locked(meeting, version)
        _require(actor, locked.org_path)
        if locked.status == S.CANCELLED:
            raise DomainError("会议已取消，不能再修改。")
        if locked.status == S.HELD:
            _check_correction(locked, data)
            data = dataclasses.replace(data, invitees=None)
        org = locked.org
        _check_data(org, data)
        _check_plan_item(org, data, locked.pk)
        _free_plan_item(data, locked.pk)
        old_date = locked.date
        changes_list = (
            data.invitees is not None or data.kind != locked.kind or data.date != old_date
        )
        people = _expected(org, data) if changes_list else None
        held = locked.status == S.HELD
        _fill(locked, data)
        # 补录 is decided by the day of entry; correcting a held meeting's date is not one.
        locked.late_entry = locked.late_entry or (not held and data.date < today())
        locked.version += 1
        locked.save()
        if people is not None:
            keep = {m.pk for m in people}
            locked.attendance.filter(expected=True).exclude(member_id__in=keep).delete()
            have = set(locked.attendance.values_list("member_id", flat=True))
            Attendance.objects.bulk_create(
                Attendance(meeting=locked, member=m, expected=True)
                for m in people
                if m.pk not in have
            )
            locked.attendance.filter(member_id__in=keep).update(expected=True)
        record_audit(UPDATE, actor=actor, target=locked, detail=_detail(locked))
        _changed(locked, old_date)
    return locked


def _check_correction(meeting: Meeting, data: MeetingData) -> None:
    """更正已召开的会议: the kind stays (the roll and the cadence hang on it); the date may
    not pass today, nor move once a poll was held in the meeting (its electorate is dated)."""
    if data.kind != meeting.kind:
        raise DomainError("已召开的会议不能更改会议类型；登记错了的，请另行登记。", field="kind")
    if data.date == meeting.date:
        return
    if data.date > today():
        raise DomainError("已召开的会议，会议日期不能晚于今天。", field="date")
    if meeting.poll_links.exists():
        raise DomainError("会上已进行表决，不能更改会议日期。", field="date")


def invitees_of(meeting: Meeting) -> QuerySet[Member]:
    return Member.objects.filter(
        pk__in=meeting.attendance.filter(expected=True).values("member_id")
    ).order_by("name_pinyin")


def send_notice(*, actor: Any, meeting: Meeting) -> int:
    """发送会议通知: tells each invitee with a login, once per meeting (站内通知, after the
    commit); shows on their 工作台 as 待参加的会议 either way. Returns how many were told."""
    with transaction.atomic():
        locked = _locked(meeting)
        _require(actor, locked.org_path)
        if locked.status != S.PLANNED:
            raise DomainError(f"会议{locked.get_status_display()}，不需要发送通知。")
        link = reverse("meetings:detail", args=[locked.pk])
        when = f"{locked.date:%Y年%m月%d日}" + (
            f" {locked.start_time:%H:%M}" if locked.start_time else ""
        )
        body = (
            locked.notice
            or f"{when}在{locked.place or '（地点另行通知）'}召开{locked.get_kind_display()}。"
        )
        told = 0
        for member in invitees_of(locked).filter(user__isnull=False).select_related("user"):
            told += notify(
                recipient=member.user,
                title=f"会议通知：{locked.title}（{when}）",
                body=body,
                link=link,
                key=f"meetings.notice:{locked.pk}:{member.pk}",
            )
        locked.noticed_at = timezone.now()
        _bump(locked, "noticed_at")
        record_audit(NOTICE, actor=actor, target=locked, detail=_detail(locked, 通知人数=told))
    return told


# ---- attendance (one pass) --------------------------------------------------------------------


def may_attend_from_elsewhere(meeting: Meeting, actor: Any) -> QuerySet[Member]:
    """Members not on the list who may be added as attending: the organization's 流入党员 on the
    meeting date (their attendance counts for their home branch), and members the actor sees."""
    from dangjian.meetings.selectors import incoming_members

    incoming = incoming_members(meeting.org, meeting.date).values("pk")
    return Member.objects.in_party().filter(pk__in=incoming) | _seen_by(actor)


def _seen_by(actor: Any) -> QuerySet[Member]:
    if actor_user(actor) is None:
        return Member.objects.in_party()
    return Member.objects.in_party().filter(scope_for(actor).member_q())


def expected_rows(meeting: Meeting) -> list[Attendance]:
    """The expected list (应到) as attendance rows; a meeting made by another app without one
    (e.g. a 党员大会 convened by 四议两公开) gets its kind's default list, unsaved until the
    roll is recorded."""
    rows = list(
        meeting.attendance.filter(expected=True)
        .select_related("member")
        .order_by("member__name_pinyin", "member_id")
    )
    if rows or meeting.kind in PICKED_KINDS or meeting.status == S.HELD:
        return rows
    people = pool(meeting.org, meeting.kind, meeting.date)
    return [Attendance(meeting=meeting, member=m, expected=True) for m in people]


def _ensure_expected(meeting: Meeting) -> None:
    missing = [a for a in expected_rows(meeting) if a.pk is None]
    Attendance.objects.bulk_create(missing)


def _check_rows(meeting: Meeting, rows: Sequence[AttendanceRow], actor: Any) -> None:
    expected = set(meeting.attendance.filter(expected=True).values_list("member_id", flat=True))
    seen: set[int] = set()
    for row in rows:
        if row.member_id in seen:
            raise DomainError("出席名单中有重复的人员。", field="rows")
        seen.add(row.member_id)
        if row.status not in A.values:
            raise DomainError("出席情况只能是出席、请假或缺席。", field="rows")
        if row.status == A.LEAVE and not row.reason.strip():
            raise DomainError("请假的人员请填写请假原因。", field="rows")
    missing = expected - seen
    if missing:
        names = "、".join(Member.objects.filter(pk__in=missing).values_list("name", flat=True))
        raise DomainError(f"请登记 {names} 的出席情况。", field="rows")
    extra = seen - expected
    if not extra:
        return
    if any(r.status != A.PRESENT for r in rows if r.member_id in extra):
        raise DomainError("非应到人员只登记出席。", field="rows")
    allowed = set(
        may_attend_from_elsewhere(meeting, actor).filter(pk__in=extra).values_list("pk", flat=True)
    )
    if extra - allowed:
        raise DomainError("所选的参会党员不存在或不在您的管理范围内。", field="rows")


def record_attendance(
    *,
    actor: Any,
    meeting: Meeting,
    rows: Sequence[AttendanceRow],
    version: int,
    guests: Sequence[GuestRow] | None = None,
) -> Meeting:
    """出席登记 in one pass: every expected member 出席 / 请假 / 缺席 (请假 needs a reason;
    缺席 may be left without one: the secretary often does not know why, and 无故 is itself
    what 党章第九条 counts), members from elsewhere attending, and 列席 guests (replaced by
    `guests` when given). The meeting becomes 已召开; the polls held in it that are not closed
    take their 到会 from it. Saved again later, it corrects the record (version-checked)."""
    with transaction.atomic():
        locked = _locked(meeting, version)
        _require(actor, locked.org_path)
        if locked.status == S.CANCELLED:
            raise DomainError("会议已取消，不能登记出席情况。")
        if locked.date > today():
            raise DomainError(
                f"会议日期为{locked.date:%Y年%m月%d日}，召开后才能登记出席情况。", field="date"
            )
        _ensure_expected(locked)
        _check_rows(locked, rows, actor)
        _save_rows(locked, rows)
        if guests is not None:
            locked.guests.all().delete()
            Guest.objects.bulk_create(
                Guest(
                    meeting=locked,
                    name=g.name.strip()[:50],
                    affiliation=g.affiliation.strip()[:100],
                )
                for g in guests
                if g.name.strip()
            )
        was = locked.status
        locked.status = S.HELD
        _bump(locked, "status")
        counts = tally(locked)
        record_audit(
            ATTENDANCE,
            actor=actor,
            target=locked,
            detail=_detail(locked, 应到=counts.expected, 实到=counts.present, 请假=counts.leave,
                           缺席=counts.absent),
        )  # fmt: skip
        sync_polls(locked, actor)
        if was != S.HELD:
            _changed(locked)
    return locked


def _save_rows(meeting: Meeting, rows: Sequence[AttendanceRow]) -> None:
    now = timezone.now()
    existing = {a.member_id: a for a in meeting.attendance.all()}
    given = {r.member_id for r in rows}
    # members from elsewhere no longer listed are dropped; the expected stay
    meeting.attendance.filter(expected=False).exclude(member_id__in=given).delete()
    changed, added = [], []
    for row in rows:
        reason = row.reason.strip()[:100] if row.status != A.PRESENT else ""
        found = existing.get(row.member_id)
        if found is None:
            added.append(
                Attendance(meeting=meeting, member_id=row.member_id, expected=False,
                           status=row.status, reason=reason, via=Attendance.Via.ROLL,
                           recorded_at=now)
            )  # fmt: skip
            continue
        if found.status == row.status and found.reason == reason and found.recorded_at:
            continue
        found.status, found.reason, found.recorded_at = row.status, reason, now
        if not found.via or row.status != A.PRESENT:
            found.via = Attendance.Via.ROLL
        changed.append(found)
    Attendance.objects.bulk_update(changed, ["status", "reason", "via", "recorded_at"])
    Attendance.objects.bulk_create(added)


@dataclass(frozen=True)
class Tally:
    """应到 / 实到 / 请假 / 缺席 (实到 counts the expected who came; 另有 those from elsewhere)."""

    expected: int
    present: int
    leave: int
    absent: int
    others: int


def tally(meeting: Meeting) -> Tally:
    rows = list(meeting.attendance.values_list("expected", "status"))
    mine = [s for e, s in rows if e]
    return Tally(
        expected=len(mine),
        present=mine.count(A.PRESENT),
        leave=mine.count(A.LEAVE),
        absent=mine.count(A.ABSENT),
        others=sum(1 for e, s in rows if not e and s == A.PRESENT),
    )


def present_member_ids(meeting: Meeting) -> set[int]:
    return set(meeting.attendance.filter(status=A.PRESENT).values_list("member_id", flat=True))


def sync_polls(meeting: Meeting, actor: Any) -> None:
    """The polls held in the meeting take its attendance: each open one is marked with its
    voters present at the meeting (预备党员 attend but have no vote: they are no voters). A
    draft one takes it when it opens (`on_poll_opened`); a closed one keeps its count."""
    present = present_member_ids(meeting)
    for link in meeting.poll_links.select_related("poll"):
        if link.poll.status == Poll.Status.OPEN:
            _mark(link.poll, present, actor)


def _mark(poll: Poll, present: set[int], actor: Any) -> None:
    voters = poll.voters.filter(member_id__in=present).values_list("pk", flat=True)
    votes.mark_attendance(actor=actor, poll=poll, present=list(voters), by_owner=True)


def owning_meeting(poll: Poll) -> str | None:
    """The votes hook: the refusal naming the meeting whose 出席登记 decides the poll's 到会."""
    link = MeetingPoll.objects.filter(poll_id=poll.pk).select_related("meeting").first()
    if link is None:
        return None
    return f"该表决的到会情况由会议「{link.meeting.title}」的出席登记决定。"


def on_poll_opened(poll: Poll, actor: Any) -> None:
    """The votes hook on opening: a meeting already recorded gives the new voters' 到会."""
    link = MeetingPoll.objects.filter(poll_id=poll.pk).select_related("meeting").first()
    if link is not None and link.meeting.status == S.HELD:
        _mark(poll, present_member_ids(link.meeting), actor)


# ---- minutes, cancelling ----------------------------------------------------------------------


def record_minutes(
    *, actor: Any, meeting: Meeting, discussion: str, decisions: str, version: int
) -> Meeting:
    """会议记录: 讨论情况 and 决定事项 of a meeting held (its attendance recorded first);
    corrected later the same way (version-checked)."""
    with transaction.atomic():
        locked = _locked(meeting, version)
        _require(actor, locked.org_path)
        if locked.status != S.HELD:
            raise DomainError("请先登记出席情况，再录入会议记录。")
        if not discussion.strip() and not decisions.strip():
            raise DomainError("请填写讨论情况或决定事项。", field="discussion")
        locked.discussion, locked.decisions = discussion.strip(), decisions.strip()
        locked.minutes_by, locked.minutes_at = actor_user(actor), timezone.now()
        _bump(locked, "discussion", "decisions", "minutes_by", "minutes_at")
        record_audit(MINUTES, actor=actor, target=locked, detail=_detail(locked))
    return locked


def cancel_meeting(*, actor: Any, meeting: Meeting, reason: str, version: int) -> Meeting:
    """取消会议 (not yet held), with the reason; the invitees' 工作台 item goes with it."""
    if not reason.strip():
        raise DomainError("请填写取消原因。", field="reason")
    with transaction.atomic():
        locked = _locked(meeting, version)
        _require(actor, locked.org_path)
        if locked.status != S.PLANNED:
            raise DomainError(f"会议{locked.get_status_display()}，不能取消。")
        if locked.poll_links.exclude(poll__status=Poll.Status.DRAFT).exists():
            raise DomainError("会上的表决已经开始，不能取消会议。")
        # the plan item it was to fulfil is open again for another meeting
        locked.status, locked.cancel_reason = S.CANCELLED, reason.strip()[:200]
        locked.plan_item = None
        _bump(locked, "status", "cancel_reason", "plan_item")
        record_audit(
            CANCEL, actor=actor, target=locked, detail=_detail(locked, 原因=reason.strip())
        )
        _changed(locked)
    return locked


# ---- polls held in the meeting ----------------------------------------------------------------


def create_meeting_poll(*, actor: Any, meeting: Meeting, draft: votes.PollDraft) -> Poll:
    """在会上表决: a poll of the meeting's organization (votes.create_poll, RUN_VOTES there),
    linked to the meeting, whose 到会 comes from the meeting's attendance."""
    with transaction.atomic():
        locked = _locked(meeting)
        _require(actor, locked.org_path)
        if locked.kind not in POLL_KINDS:
            raise DomainError(f"{locked.get_kind_display()}不进行表决。")
        if locked.status == S.CANCELLED:
            raise DomainError("会议已取消，不能表决。")
        if not draft.context:
            draft.context = (
                f"{locked.org.name}{locked.get_kind_display()}（{locked.date:%Y年%m月%d日}）"
            )
        poll = votes.create_poll(actor=actor, organization=locked.org, draft=draft)
        MeetingPoll.objects.create(meeting=locked, poll=poll)
        record_audit(POLL, actor=actor, target=locked, detail=_detail(locked, 表决=poll.title))
    return poll


def meeting_polls(meeting: Meeting) -> list[Poll]:
    return [link.poll for link in meeting.poll_links.select_related("poll").order_by("pk")]


# ---- printing ---------------------------------------------------------------------------------


def print_minutes(*, actor: Any, meeting: Meeting, record_url: str = "") -> bytes:
    """打印会议记录 (audited): names, reasons and the polls' results."""
    from dangjian.core.names import person_name
    from dangjian.meetings.pdf import minutes_pdf

    if actor_user(actor) is not None and not scope_for(actor).can(
        Ability.VIEW_MEMBERS, meeting.org_path
    ):
        raise DomainError("您没有查看该会议记录的权限。")
    body = minutes_pdf(meeting, printed_by=person_name(actor_user(actor)), record_url=record_url)
    record_audit(PRINT_MINUTES, actor=actor, target=meeting, detail=_detail(meeting))
    return body


def print_register(*, actor: Any, org: Organization, start: dt.date, end: dt.date) -> bytes:
    """打印三会一课登记簿 of `org` (its subtree) from `start` to `end` (audited)."""
    from dangjian.core.names import person_name
    from dangjian.meetings.pdf import register_pdf

    if end < start:
        raise DomainError("结束日期不能早于开始日期。", field="end")
    if actor_user(actor) is not None and not scope_for(actor).can(Ability.VIEW_MEMBERS, org.path):
        raise DomainError("您没有查看该组织会议的权限。")
    from dangjian.meetings.selectors import register_rows

    if register_rows(org, start, end).count() > REGISTER_MAX_ROWS:
        raise DomainError(
            f"该期间的会议超过 {REGISTER_MAX_ROWS} 次，请缩短期间或选择下级党组织后再打印。",
            field="end",
        )
    body = register_pdf(org, start, end, printed_by=person_name(actor_user(actor)))
    record_audit(
        PRINT_REGISTER,
        actor=actor,
        target=org,
        detail={"org": org.name, "from": start.isoformat(), "to": end.isoformat()},
    )
    return body
