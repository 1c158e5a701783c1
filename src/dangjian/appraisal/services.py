"""民主评议党员 operations: one function per step of the two procedures (appraisal/procedures.py)
and the member's own 个人自评. Every page, the API and the demo call these.

The 民主测评 and the 支部党员大会 decision on a 处置 are polls of the votes engine held in a
meeting (`MeetingPoll`): the meeting's attendance is the poll's 到会, and the engine's count
(quorum, majority, the 优秀 cap) decides; nothing here counts votes.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from typing import Any

from django.db import transaction
from django.utils import timezone

from dangjian.accounts.abilities import Ability
from dangjian.accounts.scope import scope_for
from dangjian.appraisal.models import (
    GRADE_CHOICES,
    UNGRADED,
    UNQUALIFIED,
    Appraisal,
    AppraisalResult,
    Disposition,
    Entry,
)
from dangjian.appraisal.procedures import (
    APPRAISAL,
    DISPOSITION,
    PRINT_SHEET,
    RECORD_PEER,
    WRITE_SELF,
    excellent_cap,
)
from dangjian.appraisal.selectors import (
    appraisals_visible_to,
    lapse_candidates,
    may_write_self_review,
    open_disposition_of,
)
from dangjian.audit.services import record_audit
from dangjian.core.actors import actor_user
from dangjian.core.exceptions import ConcurrentEditError, DomainError
from dangjian.core.procedures import Procedure, take_step
from dangjian.meetings import services as meetings
from dangjian.meetings.models import Meeting, MeetingKind
from dangjian.members import services as members
from dangjian.members.choices import MemberCategory, MemberStatus
from dangjian.members.models import Member, MemberEvent
from dangjian.orgs.models import Organization, OrgKind
from dangjian.orgs.selectors import approving_committee
from dangjian.stats.reports import spells_on
from dangjian.votes import services as votes
from dangjian.votes.models import Poll
from dangjian.votes.selectors import members_on

Kind, Method = Poll.Kind, Poll.Method
S, D = Appraisal.Status, Disposition.Status


def _user(actor: Any) -> Any:
    user = actor_user(actor)
    return user if getattr(user, "is_authenticated", False) else None


def _step(
    proc: Procedure,
    actor: Any,
    record: Any,
    step: str,
    *,
    on: dt.date | None,
    version: int | None,
    note: str = "",
    data: Mapping[str, Any] | None = None,
    confirmed: bool = False,
    perform: Callable[[Any], Mapping[str, Any] | None] | None = None,
) -> None:
    take_step(
        actor=actor,
        definition=proc,
        record=record,
        step=step,
        effective_date=on,
        note=note.strip(),
        data=data,
        expected_version=version,
        confirmed=confirmed,
        perform=perform,
    )


def _check_date(on: dt.date, field: str = "on") -> None:
    if on > timezone.localdate():
        raise DomainError("日期不能晚于今天。", field=field)


# --- 民主评议 ----------------------------------------------------------------------------------


def start_appraisal(
    *, actor: Any, org: Organization, year: int, on: dt.date, note: str = ""
) -> Appraisal:
    """学习动员: open the branch's appraisal of `year` with everyone in it on `on` (预备党员
    take part, ungraded), so members can write their 个人自评."""
    if org.kind == OrgKind.GROUP:
        raise DomainError("民主评议以党支部为单位进行，请选择党支部。", field="org")
    _check_date(on)
    if on.year not in (year, year + 1):
        raise DomainError("学习动员日期须在评议年度内或次年年初。", field="on")
    if Appraisal.objects.filter(org=org, year=year).exists():
        raise DomainError(f"{org.name} {year} 年度的民主评议已经开始。", field="year")
    with transaction.atomic():
        appraisal = Appraisal.objects.create(
            org=org, org_path=org.path, year=year, created_by=_user(actor)
        )

        def perform(locked: Appraisal) -> dict[str, Any]:
            count = _add_entries(locked, on)
            if not count:
                raise DomainError("该党支部在学习动员日期没有党员。", field="on")
            return {"members": count}

        _step(
            APPRAISAL, actor, appraisal, "mobilize", on=on, version=None, note=note, perform=perform
        )
    return appraisal


def _add_entries(appraisal: Appraisal, on: dt.date) -> int:
    """Everyone in the branch on `on` not yet in the appraisal; 预备党员 are not graded."""
    probationary = set(
        spells_on(appraisal.org, on)
        .filter(category=MemberCategory.PROBATIONARY)
        .values_list("member_id", flat=True)
    )
    known = set(appraisal.entries.values_list("member_id", flat=True))
    people = [m for m in members_on(appraisal.org, on) if m.pk not in known]
    Entry.objects.bulk_create(
        Entry(appraisal=appraisal, member=m, name=m.name, graded=m.pk not in probationary)
        for m in people
    )
    return len(people)


def write_self_review(
    *,
    actor: Any,
    entry: Entry,
    self_review: str,
    party_analysis: str = "",
    version: int | None = None,
) -> Entry:
    """个人自评 and 党性分析 (optional): written by the member themselves, or recorded by the
    branch from a paper one (marked so)."""
    if not may_write_self_review(actor, entry):
        raise DomainError("只有本人或所在党支部可以填写个人自评。")
    if entry.appraisal.status not in (S.SELF_REVIEW, S.PEER_REVIEW):
        raise DomainError("个人自评只能在学习动员之后、民主测评之前填写。")
    if not self_review.strip():
        raise DomainError("请填写个人自评。", field="self_review")
    own = scope_for(actor).own_member_id == entry.member_id
    with transaction.atomic():
        locked = Entry.objects.select_for_update().get(pk=entry.pk)
        if version is not None and locked.version != version:
            raise ConcurrentEditError("该个人自评")
        locked.self_review = self_review.strip()
        locked.party_analysis = party_analysis.strip()
        locked.self_on_paper = not own
        locked.self_by = _user(actor)
        locked.self_at = timezone.now()
        locked.version += 1
        locked.save()
        record_audit(
            WRITE_SELF,
            actor=actor,
            target=locked.member,
            detail={"year": entry.appraisal.year, "paper": not own},
        )
    entry.refresh_from_db()
    return entry


def record_peer_comments(
    *, actor: Any, entry: Entry, comments: str, version: int | None = None
) -> Entry:
    """互评意见: what the members said of one member in the 党员互评, as the branch noted it
    (free text, optional; no per-pair matrix)."""
    if not scope_for(actor).can(Ability.RUN_MEETINGS, entry.appraisal.org_path):
        raise DomainError("只有所在党支部可以录入互评意见。")
    if entry.appraisal.status not in (S.PEER_REVIEW, S.TESTING, S.TESTED):
        raise DomainError("互评意见在党员互评开始后、组织评定之前录入。")
    with transaction.atomic():
        locked = Entry.objects.select_for_update().get(pk=entry.pk)
        if version is not None and locked.version != version:
            raise ConcurrentEditError("该党员的互评意见")
        locked.peer_comments = comments.strip()
        locked.version += 1
        locked.save(update_fields=["peer_comments", "version"])
        record_audit(
            RECORD_PEER, actor=actor, target=locked.member, detail={"year": entry.appraisal.year}
        )
    entry.refresh_from_db()
    return entry


def start_peer_review(
    *, actor: Any, appraisal: Appraisal, on: dt.date, note: str = "", version: int | None = None
) -> None:
    """开展党员互评 (in the 党员大会 or 党小组; the summary in the note)."""
    _check_date(on)
    _step(APPRAISAL, actor, appraisal, "peer_review", on=on, version=version, note=note)


def _check_meeting(meeting: Meeting, org: Organization, kind: str) -> None:
    if meeting.org_id != org.pk or meeting.kind != kind:
        raise DomainError(f"请选择{org.name}的{MeetingKind(kind).label}。", field="meeting")
    if meeting.status == Meeting.Status.CANCELLED:
        raise DomainError("该会议已取消。", field="meeting")


def _open_meeting_poll(actor: Any, meeting: Meeting, draft: votes.PollDraft) -> Poll:
    """A poll of the meeting's organization, opened (electorate fixed on the meeting's day) and
    linked to the meeting, so the meeting's attendance is the poll's 到会."""
    poll = meetings.create_meeting_poll(actor=actor, meeting=meeting, draft=draft)
    return votes.open_poll(actor=actor, poll=poll)  # the meetings hook marks a roll recorded


def hold_test(
    *,
    actor: Any,
    appraisal: Appraisal,
    meeting: Meeting,
    method: str = Method.PAPER,
    version: int | None = None,
) -> Poll:
    """民主测评 in the 组织生活会: a GRADE poll over the branch's members (预备党员 on the ballot
    list but not graded), its 到会 the meeting's attendance."""
    _check_meeting(meeting, appraisal.org, MeetingKind.LIFE)
    if meeting.date.year not in (appraisal.year, appraisal.year + 1):
        raise DomainError("组织生活会须在评议年度内或次年年初召开。", field="meeting")

    def perform(locked: Appraisal) -> dict[str, Any]:
        _add_entries(locked, meeting.date)
        people = list(members_on(locked.org, meeting.date))
        draft = votes.PollDraft(
            title=f"{locked.year}年度民主评议党员民主测评",
            kind=Kind.GRADE,
            method=method,
            preset="evaluation",
            electorate_on=meeting.date,
            context=str(meeting.title),
            candidates=people,
        )
        poll = _open_meeting_poll(actor, meeting, draft)
        graded = set(poll.candidates.filter(graded=True).values_list("member_id", flat=True))
        for entry in locked.entries.all():
            if entry.graded != (entry.member_id in graded):
                entry.graded = entry.member_id in graded
                entry.save(update_fields=["graded"])
        locked.meeting, locked.poll = meeting, poll
        locked.save(update_fields=["meeting", "poll"])
        return {"meeting": meeting.title, "poll": poll.pk}

    _step(
        APPRAISAL, actor, appraisal, "hold_test", on=meeting.date, version=version, perform=perform
    )
    appraisal.refresh_from_db()
    assert appraisal.poll is not None
    return appraisal.poll


def present_voter_ids(poll: Poll, meeting: Meeting) -> list[int]:
    """The poll's voters marked present (出席) in the meeting's attendance."""
    present = meetings.present_member_ids(meeting)
    return list(poll.voters.filter(member_id__in=present).values_list("pk", flat=True))


def count_meeting_poll(
    *, actor: Any, poll: Poll, meeting: Meeting, confirm_over_cap: bool = False
) -> Poll:
    """结束投票并计票 with the meeting's attendance as the poll's 到会 (the meetings app marks
    it whenever the roll is recorded; taken once more here so the count never misses it), then
    the engine's count."""
    with transaction.atomic():
        if poll.status == Poll.Status.OPEN and meeting.status == Meeting.Status.HELD:
            meetings.sync_polls(meeting, actor)
        return votes.close_poll(actor=actor, poll=poll, confirm_over_cap=confirm_over_cap)


def count_test(*, actor: Any, appraisal: Appraisal, confirm_over_cap: bool = False) -> Poll:
    """民主测评计票: the meeting's attendance, then the engine's count (优秀 over the cap needs
    the chair's confirmation, as the engine asks)."""
    if appraisal.poll is None or appraisal.meeting is None:
        raise DomainError("尚未进行民主测评。")
    return count_meeting_poll(
        actor=actor,
        poll=appraisal.poll,
        meeting=appraisal.meeting,
        confirm_over_cap=confirm_over_cap,
    )


def record_test(
    *, actor: Any, appraisal: Appraisal, on: dt.date | None = None, version: int | None = None
) -> None:
    """确认测评结果: the counted 测评 goes to the 组织评定."""
    _step(APPRAISAL, actor, appraisal, "record_test", on=on, version=version)


def rate_members(
    *,
    actor: Any,
    appraisal: Appraisal,
    grades: Mapping[int, str],
    body: str,
    on: dt.date,
    reason: str = "",
    confirmed: bool = False,
    version: int | None = None,
) -> None:
    """组织评定: the 支部委员会 (or 党员大会) grades each 正式党员 from the 测评 and day-to-day
    performance; 预备党员 are not graded. More 优秀 than the cap (一般不超过三分之一) needs a
    confirmation with a reason."""
    _check_date(on)
    if body not in Appraisal.Body.values:
        raise DomainError("请选择组织评定机构。", field="body")
    grades = {k: v for k, v in grades.items() if v}
    codes = {code for code, _ in GRADE_CHOICES}
    if any(g not in codes for g in grades.values()):
        raise DomainError("评定等次只能是优秀、合格、基本合格、不合格之一。", field="grades")
    if confirmed and not reason.strip():
        graded = appraisal.entries.filter(graded=True).count()
        excellent = sum(1 for g in grades.values() if g == "excellent")
        if excellent > excellent_cap(graded, on):
            raise DomainError("优秀等次超过比例的，须说明理由。", field="reason")
    data = {"grades": {str(k): v for k, v in grades.items()}, "body": body}

    def perform(locked: Appraisal) -> None:
        for entry in locked.entries.all():
            entry.grade = grades.get(entry.member_id, "") if entry.graded else UNGRADED
            entry.save(update_fields=["grade"])
        locked.rated_by, locked.rated_on = body, on
        locked.save(update_fields=["rated_by", "rated_on"])

    _step(
        APPRAISAL,
        actor,
        appraisal,
        "rate",
        on=on,
        version=version,
        note=reason,
        data=data,
        confirmed=confirmed,
        perform=perform,
    )


def publish_results(
    *, actor: Any, appraisal: Appraisal, on: dt.date, note: str = "", version: int | None = None
) -> None:
    """反馈公示: the grades are told to each member and posted in the branch."""
    _check_date(on)
    _step(APPRAISAL, actor, appraisal, "publish", on=on, version=version, note=note)


def apply_results(
    *, actor: Any, appraisal: Appraisal, on: dt.date, version: int | None = None
) -> None:
    """结果运用: each member's grade is written on their record; a member graded 不合格 gets a
    组织处置 (限期改正 first, 党章第九条)."""
    _check_date(on)

    def perform(locked: Appraisal) -> dict[str, Any]:
        unqualified = 0
        for entry in locked.entries.select_related("member"):
            result, _ = AppraisalResult.objects.update_or_create(
                member=entry.member,
                year=locked.year,
                defaults={
                    "grade": entry.grade or UNGRADED,
                    "org": locked.org,
                    "appraisal": locked,
                    "recorded_on": on,
                },
            )
            if entry.grade == UNQUALIFIED and open_disposition_of(entry.member) is None:
                _new_disposition(
                    actor, entry.member, locked.org, Disposition.Source.UNQUALIFIED, result
                )
                unqualified += 1
        return {"results": locked.entries.count(), "unqualified": unqualified}

    _step(APPRAISAL, actor, appraisal, "apply", on=on, version=version, perform=perform)


def print_result_sheet(*, actor: Any, appraisal: Appraisal) -> bytes:
    """民主评议党员结果汇总表 as PDF, for those who keep the branch's register; audited."""
    from dangjian.appraisal.pdf import result_sheet_pdf

    if not scope_for(actor).can(Ability.VIEW_MEMBERS, appraisal.org_path):
        raise DomainError("您没有查看该党支部民主评议结果的权限。")
    if not appraisals_visible_to(actor).filter(pk=appraisal.pk).exists():
        raise DomainError("您没有查看该党支部民主评议结果的权限。")
    pdf = result_sheet_pdf(appraisal, actor)
    record_audit(PRINT_SHEET, actor=actor, target=appraisal, detail={"year": appraisal.year})
    return pdf


# --- 组织处置 ----------------------------------------------------------------------------------


def _new_disposition(
    actor: Any,
    member: Member,
    org: Organization,
    source: str,
    result: AppraisalResult | None = None,
) -> Disposition:
    approver = approving_committee(org)
    return Disposition.objects.create(
        member=member,
        org=org,
        org_path=org.path,
        approver=approver,
        approver_path=approver.path,
        source=source,
        appraisal_result=result,
        created_by=_user(actor),
    )


def set_deadline(
    *,
    actor: Any,
    disposition: Disposition,
    deadline: dt.date,
    on: dt.date,
    note: str = "",
    version: int | None = None,
) -> None:
    """限期改正: the branch educates the member and sets the date by which to correct (the
    branch decides it: no national text fixes a length)."""
    _check_date(on)
    if deadline <= on:
        raise DomainError("改正期限须晚于今天。", field="deadline")

    def perform(locked: Disposition) -> dict[str, Any]:
        locked.deadline = deadline
        locked.save(update_fields=["deadline"])
        return {"deadline": deadline.isoformat()}

    _step(
        DISPOSITION,
        actor,
        disposition,
        "set_deadline",
        on=on,
        version=version,
        note=note,
        perform=perform,
    )


def record_corrected(
    *, actor: Any, disposition: Disposition, on: dt.date, note: str = "", version: int | None = None
) -> None:
    """改正合格: the member corrected within the deadline; the 处置 ends."""
    _check_date(on)
    _step(DISPOSITION, actor, disposition, "correct", on=on, version=version, note=note)


def propose_measure(
    *,
    actor: Any,
    disposition: Disposition,
    measure: str,
    on: dt.date,
    note: str = "",
    version: int | None = None,
) -> None:
    """No change after education: the branch proposes 劝其退党 (or 除名)."""
    _check_date(on)
    if measure not in Disposition.Measure.values:
        raise DomainError("请选择劝其退党或除名。", field="measure")

    def perform(locked: Disposition) -> dict[str, Any]:
        locked.measure = measure
        locked.save(update_fields=["measure"])
        return {"measure": measure}

    _step(
        DISPOSITION,
        actor,
        disposition,
        "propose",
        on=on,
        version=version,
        note=note,
        perform=perform,
    )


def propose_removal(*, actor: Any, member: Member, on: dt.date, note: str = "") -> Disposition:
    """自行脱党: the branch proposes 除名 for a member found among the candidates (never done
    by the system on its own)."""
    _check_date(on)
    if member.status != MemberStatus.ACTIVE or member.org is None:
        raise DomainError("该党员不是正常状态的党员。")
    if open_disposition_of(member) is not None:
        raise DomainError(f"{member.name}已有正在办理的组织处置。")
    if member.pk not in {c.member.pk for c in lapse_candidates((member.org_path,), on)}:
        raise DomainError(f"{member.name}不在自行脱党的名单中（须连续缺席组织生活满规定月数）。")
    with transaction.atomic():
        disposition = _new_disposition(actor, member, member.org, Disposition.Source.LAPSE)

        def perform(locked: Disposition) -> dict[str, Any]:
            locked.measure = Disposition.Measure.REMOVE
            locked.save(update_fields=["measure"])
            return {"measure": locked.measure}

        _step(
            DISPOSITION,
            actor,
            disposition,
            "propose_removal",
            on=on,
            version=None,
            note=note,
            perform=perform,
        )
    return disposition


def hear_member(
    *, actor: Any, disposition: Disposition, view: str, on: dt.date, version: int | None = None
) -> None:
    """本人意见: the member was told and stated their view (or did not: say so in the note)."""
    _check_date(on)
    if not view.strip():
        raise DomainError("请记录本人意见（本人未表示意见的，请如实注明）。", field="view")

    def perform(locked: Disposition) -> None:
        locked.member_view = view.strip()
        locked.save(update_fields=["member_view"])

    _step(
        DISPOSITION,
        actor,
        disposition,
        "hear_member",
        on=on,
        version=version,
        note=view,
        perform=perform,
    )


def put_to_vote(
    *,
    actor: Any,
    disposition: Disposition,
    meeting: Meeting,
    method: str = Method.PAPER,
    version: int | None = None,
) -> Poll:
    """提交支部党员大会表决: a MOTION poll in the meeting (quorum and majority of the 支部党员大会,
    as rule values in force on the meeting's day)."""
    _check_meeting(meeting, disposition.org, MeetingKind.GENERAL)

    def perform(locked: Disposition) -> dict[str, Any]:
        draft = votes.PollDraft(
            title=f"关于对{locked.member.name}同志{locked.get_measure_display()}的决定",
            kind=Kind.MOTION,
            method=method,
            preset="meeting",
            electorate_on=meeting.date,
            context=str(meeting.title),
        )
        poll = _open_meeting_poll(actor, meeting, draft)
        locked.meeting, locked.poll = meeting, poll
        locked.save(update_fields=["meeting", "poll"])
        return {"meeting": meeting.title, "poll": poll.pk}

    _step(
        DISPOSITION,
        actor,
        disposition,
        "put_to_vote",
        on=meeting.date,
        version=version,
        perform=perform,
    )
    disposition.refresh_from_db()
    assert disposition.poll is not None
    return disposition.poll


def count_decision(*, actor: Any, disposition: Disposition) -> Poll:
    """支部大会表决计票, with the meeting's attendance as the poll's 到会."""
    if disposition.poll is None or disposition.meeting is None:
        raise DomainError("尚未提交支部党员大会表决。")
    return count_meeting_poll(actor=actor, poll=disposition.poll, meeting=disposition.meeting)


def record_decision(
    *, actor: Any, disposition: Disposition, on: dt.date | None = None, version: int | None = None
) -> None:
    """支部大会通过 (the count passed) or 表决未通过 (back to the branch)."""
    poll = disposition.poll
    passed = bool(
        poll and poll.result and poll.result.get("passed") and poll.result.get("quorum_met")
    )
    step = "decide" if passed else "vote_failed"
    _step(DISPOSITION, actor, disposition, step, on=on, version=version)


def approve_disposition(
    *,
    actor: Any,
    disposition: Disposition,
    approved: bool,
    on: dt.date,
    note: str = "",
    version: int | None = None,
) -> None:
    """上级党委审批 (the 基层党委 with approval authority above the branch)."""
    _check_date(on)
    step = "approve" if approved else "refuse"
    _step(DISPOSITION, actor, disposition, step, on=on, version=version, note=note)


def record_refusal_to_leave(
    *, actor: Any, disposition: Disposition, on: dt.date, note: str = "", version: int | None = None
) -> None:
    """劝其退党 refused by the member: the branch goes on to 除名 (a new 支部大会 decision and
    approval, 党章第九条)."""
    _check_date(on)

    def perform(locked: Disposition) -> None:
        locked.measure = Disposition.Measure.REMOVE
        locked.meeting = locked.poll = None
        locked.save(update_fields=["measure", "meeting", "poll"])

    _step(
        DISPOSITION,
        actor,
        disposition,
        "refuses_advice",
        on=on,
        version=version,
        note=note,
        perform=perform,
    )


def record_exit(
    *,
    actor: Any,
    disposition: Disposition,
    on: dt.date,
    document_no: str = "",
    version: int | None = None,
) -> None:
    """登记出党: after the approval the branch records the member's leaving in the register
    (the members app writes it: event 出党, noting 劝其退党 or 除名)."""
    _check_date(on)

    def perform(locked: Disposition) -> dict[str, Any]:
        members.record_event(
            actor=actor,
            member=locked.member,
            kind=MemberEvent.Kind.EXIT,
            effective_date=on,
            document_no=document_no,
            note=f"{locked.get_measure_display()}（{locked.get_source_display()}）",
        )
        return {"measure": locked.measure}

    _step(DISPOSITION, actor, disposition, "record_exit", on=on, version=version, perform=perform)


def withdraw_disposition(
    *, actor: Any, disposition: Disposition, reason: str, on: dt.date, version: int | None = None
) -> None:
    """终止处置 (e.g. the member has died or moved away); the reason is kept."""
    if not reason.strip():
        raise DomainError("请填写终止原因。", field="reason")
    _check_date(on)
    _step(DISPOSITION, actor, disposition, "withdraw", on=on, version=version, note=reason)
