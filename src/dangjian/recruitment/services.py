"""发展党员 services: one function per step, each a `take_step` of the `RECRUITMENT` procedure,
so the engine checks the state, the ability, the version, the periods and the rules, and
writes the step, the status copy and the audit entry in one transaction.

The person is recorded once: the ID number is checked like a member's (`members.services.
check_person`), stored encrypted, and matched by its keyed hash against the files and the
register, so nobody is recorded twice.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from django.db import transaction

from dangjian.accounts.abilities import Ability
from dangjian.accounts.scope import refusal_for, scope_for
from dangjian.audit.actions import register_action
from dangjian.audit.services import record_audit
from dangjian.core.actors import actor_user, as_actor
from dangjian.core.crypto import decrypt, encrypt, lookup_hash
from dangjian.core.dates import today
from dangjian.core.exceptions import ConcurrentEditError, DomainError
from dangjian.core.masking import mask_id_number
from dangjian.core.models import ProcedureStep, rule_value
from dangjian.core.procedures import StepRefused, steps_of, take_step
from dangjian.core.workdays import add_working_days
from dangjian.meetings import services as meetings
from dangjian.meetings.models import Meeting, MeetingKind
from dangjian.members import services as members
from dangjian.members.models import Member, MemberEvent
from dangjian.members.services import MemberData, admit_recruit, check_person, name_keys
from dangjian.orgs.models import BRANCH_KINDS, Organization
from dangjian.orgs.selectors import approving_committee
from dangjian.recruitment import deadlines
from dangjian.recruitment.models import Applicant, Assessment, Report
from dangjian.recruitment.pdf import Notice
from dangjian.recruitment.procedures import PUBLICITY_DAYS, RECRUITMENT
from dangjian.votes import services as votes
from dangjian.votes.models import Poll

PERSON_FIELDS = (
    "gender", "ethnicity", "birth_date", "education", "person_category", "native_place",
    "work_unit_post", "phone", "league_member", "applied_on",
)  # fmt: skip


@dataclass
class ApplicantData:
    """入党申请人的基本情况, as the 入党申请书 gives it."""

    name: str
    gender: str
    ethnicity: str
    birth_date: dt.date
    id_number: str
    education: str
    person_category: str
    applied_on: dt.date
    native_place: str = ""
    work_unit_post: str = ""
    phone: str = ""
    league_member: bool = False

    def as_member_data(self) -> MemberData:
        return MemberData(
            name=self.name,
            gender=self.gender,
            ethnicity=self.ethnicity,
            birth_date=self.birth_date,
            id_number=self.id_number,
            education=self.education,
            person_category=self.person_category,
            native_place=self.native_place,
            work_unit_post=self.work_unit_post,
            phone=self.phone,
        )


def _check_branch(actor: Any, org: Organization) -> None:
    if org.kind not in BRANCH_KINDS or not org.is_active:
        raise DomainError(
            "入党申请由申请人所在单位或居住地的党支部受理，请选择党支部。", field="org"
        )
    if not scope_for(actor).can(Ability.EDIT_MEMBERS, org.path):
        raise DomainError("所选党支部不在您的管理范围内。", field="org")


def _check_unique(number: str) -> Applicant | None:
    """The person's existing file (to reopen after 终止培养), or a refusal if they are in the
    Party or already in an open case."""
    key = lookup_hash(number)
    if Member.objects.filter(id_hash=key).exists():
        raise DomainError(
            "该公民身份号码已在党员名册中登记，不能作为入党申请人重复建档。", field="id_number"
        )
    found = Applicant.objects.filter(id_hash=key).first()
    if found is not None and found.status != Applicant.Status.CLOSED:
        raise DomainError(
            f"该公民身份号码已有发展党员档案（{found.org.name}，{Applicant.Status(found.status).label}），"
            "不能重复建档。",
            field="id_number",
        )
    return found


def register_applicant(
    *, actor: Any, org: Organization, data: ApplicantData, confirmed: bool = False
) -> Applicant:
    """递交入党申请书: the person's file and the first step, in one transaction. Someone whose
    earlier case was ended (终止培养) applies again on the same file."""
    _check_branch(actor, org)
    number = check_person(data.as_member_data())
    with transaction.atomic():
        applicant = _check_unique(number) or Applicant(id_hash=lookup_hash(number))
        if applicant.pk is not None:
            _start_new_case(applicant)
        pinyin, _ = name_keys(data.name)
        for field in PERSON_FIELDS:
            setattr(applicant, field, getattr(data, field))
        applicant.name = data.name.strip()
        applicant.name_pinyin = pinyin
        applicant.id_cipher = encrypt(number)
        applicant.id_masked = mask_id_number(number)
        applicant.org, applicant.org_path = org, org.path
        applicant.save()
        take(actor, applicant, "apply", on=data.applied_on, confirmed=confirmed,
             data={"org": org.name})  # fmt: skip
    return applicant


def take(
    actor: Any,
    applicant: Applicant,
    step: str,
    *,
    on: dt.date,
    version: int | None = None,
    data: Mapping[str, Any] | None = None,
    note: str = "",
    outcome: str = "",
    confirmed: bool = False,
    perform: Callable[[Applicant], dict[str, Any] | None] | None = None,
) -> ProcedureStep:
    """Take one step of the file; every step service goes through here, so the work lists'
    copy of what is due next (`deadlines.refresh`) follows every step."""
    with transaction.atomic():
        taken = take_step(
            actor=actor,
            definition=RECRUITMENT,
            record=applicant,
            step=step,
            effective_date=on,
            note=note,
            outcome=outcome,
            data=data,
            expected_version=version,
            confirmed=confirmed,
            perform=perform,
        )
        deadlines.refresh(applicant)
    return taken


# --- one service per step ----------------------------------------------------------------------
# STEPS maps a step to its service `(actor, applicant, cleaned form data, confirmed)`; the page
# and the API call it with what `forms.STEP_FORMS[step]` (and the serializer) parsed.

StepService = Callable[[Any, Applicant, Mapping[str, Any], bool], Any]


def plain(step: str) -> StepService:
    """A step that records only its date and a note (备案, 谈话, 宣誓, 归档 …)."""

    def run(actor: Any, applicant: Applicant, d: Mapping[str, Any], confirmed: bool) -> Any:
        return take(actor, applicant, step, on=d["on"], version=d["version"],
                    note=d.get("note") or "", confirmed=confirmed)  # fmt: skip

    return run


STEPS: dict[str, StepService] = {
    name: plain(name)
    for name in (
        "talk", "file_activist", "file_candidate", "pre_review", "publish", "fill_form",
        "committee_talk", "file_upper", "oath", "apply_full", "archive",
    )
}  # fmt: skip


# --- stage D: 预备党员的接收 ------------------------------------------------------------------
# 支部委员会审查 → 上级党委预审 → 公示 → 入党志愿书 → 支部党员大会 (a motion poll of the votes
# engine in the meeting, counted with the meeting's attendance) → 上级党委谈话 and 审批, which
# writes the register (`members.services.admit_recruit`).

PUT_TO_VOTE_TITLE = "关于接收{name}为中共预备党员的表决"


def reasoned(step: str) -> StepService:
    """A step that must say why (预审未通过, 不予批准 …): the reason is the step's note."""

    def run(actor: Any, applicant: Applicant, d: Mapping[str, Any], confirmed: bool) -> Any:
        reason = str(d.get("reason") or "").strip()
        return take(actor, applicant, step, on=d["on"], version=d["version"], note=reason,
                    data={"reason": reason}, confirmed=confirmed)  # fmt: skip

    return run


def end_publicity(
    actor: Any, applicant: Applicant, d: Mapping[str, Any], confirmed: bool = False
) -> ProcedureStep:
    """公示结束: whether anything was reported during the 公示 (公示期间是否有反映), and if so what
    and how it was verified, in a short note."""
    objections = bool(d.get("objections"))
    note = str(d.get("note") or "").strip()
    if objections and not note:
        raise DomainError(
            "公示期间有反映的，请在说明中简要记录反映的问题及核实情况。", field="note"
        )
    return take(actor, applicant, "end_publicity", on=d["on"], version=d["version"], note=note,
                data={"objections": objections}, confirmed=confirmed)  # fmt: skip


def fill_form(
    actor: Any, applicant: Applicant, d: Mapping[str, Any], confirmed: bool = False
) -> ProcedureStep:
    """填写入党志愿书 (its serial number, when the 组织部门 numbers them)."""
    number = str(d.get("form_number") or "").strip()
    return take(actor, applicant, "fill_form", on=d["on"], version=d["version"],
                note=d.get("note") or "", data={"form_number": number} if number else {},
                confirmed=confirmed)  # fmt: skip


def _check_meeting(meeting: Meeting, applicant: Applicant) -> None:
    if meeting.org_id != applicant.org_id or meeting.kind != MeetingKind.GENERAL:
        raise DomainError(f"请选择{applicant.org.name}的支部党员大会。", field="meeting")
    if meeting.status == Meeting.Status.CANCELLED:
        raise DomainError("该会议已取消。", field="meeting")


def _check_publicity_over(applicant: Applicant) -> None:
    """While the 公示 runs, say until when and under which rule (the engine would only say the
    state does not allow a vote)."""
    if applicant.status != Applicant.Status.PUBLICITY:
        return
    waits = RECRUITMENT.step("end_publicity").waits
    found = waits.last_day(steps_of(RECRUITMENT, applicant)) if waits else None
    if found is not None:
        last, row = found
        raise StepRefused(
            f"公示期至 {last:%Y-%m-%d} 届满（{row.description}，依据{row.source}），"
            "公示结束并填写入党志愿书后才能提交支部党员大会讨论。"
        )


def put_to_vote(
    actor: Any, applicant: Applicant, d: Mapping[str, Any], confirmed: bool = False
) -> ProcedureStep:
    """提交支部党员大会讨论表决: a MOTION poll 「关于接收X为中共预备党员的表决」 in the chosen
    支部党员大会 (quorum and majority of the preset "meeting": rule values in force on the
    meeting's day), opened at once; the step is dated the meeting's day."""
    meeting: Meeting = d["meeting"]
    _check_meeting(meeting, applicant)
    _check_publicity_over(applicant)
    method = d.get("method") or Poll.Method.PAPER

    def perform(locked: Applicant) -> dict[str, Any]:
        draft = votes.PollDraft(
            title=PUT_TO_VOTE_TITLE.format(name=locked.name),
            kind=Poll.Kind.MOTION,
            method=method,
            preset="meeting",
            electorate_on=meeting.date,
            context=str(meeting.title),
        )
        poll = meetings.create_meeting_poll(actor=actor, meeting=meeting, draft=draft)
        poll = votes.open_poll(actor=actor, poll=poll)  # the meetings hook marks the roll
        locked.meeting, locked.poll = meeting, poll
        locked.save(update_fields=["meeting", "poll"])
        return {"meeting": meeting.title, "meeting_id": meeting.pk, "poll": poll.pk}

    return take(actor, applicant, "put_to_vote", on=meeting.date, version=d.get("version"),
                data={"meeting_id": meeting.pk, "method": method}, note=d.get("note") or "",
                confirmed=confirmed, perform=perform)  # fmt: skip


def count_vote(*, actor: Any, applicant: Applicant) -> Poll:
    """支部党员大会表决计票: close the poll with the meeting's attendance as its 到会 (as
    `appraisal.services.count_meeting_poll`, which this app may not import); the engine counts
    quorum and majority. Not a step: `admit` or `admit_failed` follows, judged on the count."""
    poll, meeting = applicant.poll, applicant.meeting
    if applicant.status not in (Applicant.Status.VOTING, Applicant.Status.CONVERSION_VOTING):
        raise DomainError("该发展党员档案当前没有进行中的支部党员大会表决。")
    if poll is None or meeting is None:
        raise DomainError("尚未提交支部党员大会表决。")
    if poll.status == Poll.Status.CLOSED:
        raise DomainError("该表决已经计票。")
    if meeting.status != Meeting.Status.HELD:
        raise DomainError("请先登记支部党员大会的出席情况，再计票。")
    with transaction.atomic():
        meetings.sync_polls(meeting, actor)  # the roll once more, so the count never misses it
        return votes.close_poll(actor=actor, poll=poll)


def _resolution(step: str) -> StepService:
    """支部党员大会通过 / 未通过: judged on the count, dated the meeting's day (the 支部大会决议
    日期, from which the 预备期 runs)."""

    def run(actor: Any, applicant: Applicant, d: Mapping[str, Any], confirmed: bool) -> Any:
        meeting = applicant.meeting
        if meeting is None:
            raise DomainError("尚未提交支部党员大会表决。")

        def perform(locked: Applicant) -> dict[str, Any]:
            if step == "admit":
                locked.resolution_on = meeting.date
                locked.save(update_fields=["resolution_on"])
            return {"meeting": meeting.title}

        return take(actor, applicant, step, on=meeting.date, version=d.get("version"),
                    note=d.get("note") or "", confirmed=confirmed, perform=perform)  # fmt: skip

    return run


def _member_data(applicant: Applicant) -> MemberData:
    """The register's basic record from the file; the ID number decrypted here only."""
    return MemberData(
        name=applicant.name,
        gender=applicant.gender,
        ethnicity=applicant.ethnicity,
        birth_date=applicant.birth_date,
        id_number=decrypt(applicant.id_cipher),
        education=applicant.education,
        person_category=applicant.person_category,
        native_place=applicant.native_place,
        work_unit_post=applicant.work_unit_post,
        phone=applicant.phone,
    )


def approve(
    actor: Any, applicant: Applicant, d: Mapping[str, Any], confirmed: bool = False
) -> ProcedureStep:
    """上级党委审批同意接收为预备党员: the new 预备党员 enters the register of the branch with
    the 支部党员大会's date as 入党日期 (编入党支部, 细则第十九步); the file points at it."""

    def perform(locked: Applicant) -> dict[str, Any]:
        if locked.member_id is not None or locked.resolution_on is None:
            raise DomainError("该发展党员档案已建立党员档案或尚无支部党员大会决议。")
        member = admit_recruit(actor=actor, data=_member_data(locked), org=locked.org,
                               join_date=locked.resolution_on)  # fmt: skip
        locked.member = member
        locked.save(update_fields=["member"])
        return {"member": member.pk, "join_date": locked.resolution_on}

    return take(actor, applicant, "approve", on=d["on"], version=d["version"],
                note=d.get("note") or "", confirmed=confirmed, perform=perform)  # fmt: skip


STEPS.update(
    {
        "committee_review": plain("committee_review"),
        "pre_review_failed": reasoned("pre_review_failed"),
        "end_publicity": end_publicity,
        "fill_form": fill_form,
        "put_to_vote": put_to_vote,
        "admit": _resolution("admit"),
        "admit_failed": _resolution("admit_failed"),
        "approve": approve,
        "disapprove": reasoned("disapprove"),
    }
)
# --- work lists: the applicant's own login (关联登录账号) -------------------------------------

LINK_ACCOUNT = register_action("recruitment.link_account", "发展党员档案关联登录账号")


def link_applicant_account(*, actor: Any, applicant: Applicant, username: str) -> None:
    """关联登录账号: the applicant then sees their own progress (`recruitment:mine`). Set by the
    branch (维护党员信息), with the same checks as a member's link: one account per person, no
    administrator account (三员分立), an account not already a member's or another file's."""
    from django.contrib.auth import get_user_model

    from dangjian.accounts.models import ADMIN_ROLES, RoleGrant
    from dangjian.audit.services import record_audit

    if not scope_for(actor).can(Ability.EDIT_MEMBERS, applicant.org_path):
        raise DomainError("您没有「维护党员信息」的权限，不能为该发展党员档案关联账号。")
    user = get_user_model().objects.filter(username=username.strip()).first()
    if user is None or not user.is_active:
        raise DomainError(f"没有启用的账号「{username}」。", field="username")
    if RoleGrant.objects.current().filter(user=user, role__in=ADMIN_ROLES).exists():
        raise DomainError("三员分立：管理员账号不能关联发展党员档案。", field="username")
    if Member.objects.filter(user=user).exists():
        raise DomainError("该账号已关联党员档案，不能再关联发展党员档案。", field="username")
    if Applicant.objects.filter(user=user).exclude(pk=applicant.pk).exists():
        raise DomainError("该账号已关联其他人的发展党员档案。", field="username")
    if applicant.user_id is not None and applicant.user_id != user.pk:
        raise DomainError("该档案已关联其他账号。", field="username")
    if applicant.user_id == user.pk:
        return
    with transaction.atomic():
        Applicant.objects.filter(pk=applicant.pk).update(user=user)
        applicant.user = user
        record_audit(LINK_ACCOUNT, actor=actor, target=applicant, detail={"user": user.pk})


PRINT_NOTICE = register_action("recruitment.print_notice", "打印发展对象公示", tone="sensitive")
NOT_YET_PRE_APPROVED = (
    Applicant.Status.APPLIED, Applicant.Status.TALKED, Applicant.Status.ACTIVIST,
    Applicant.Status.CANDIDATE, Applicant.Status.REVIEWED, Applicant.Status.CLOSED,
)  # fmt: skip


def notice_of(applicant: Applicant) -> Notice:
    """The 公示's facts: the 公示期 from the 发布公示 day (today, before it is published) over the
    rule's working days as in force that day, on the working-day calendar."""
    if applicant.status in NOT_YET_PRE_APPROVED:
        raise DomainError("上级党委预审通过后才能打印公示。")
    history = steps_of(RECRUITMENT, applicant)

    def last(step: str) -> dt.date | None:
        found = next((s for s in reversed(history) if s.step == step), None)
        return found.effective_date if found else None

    published = last("publish")
    start = (
        today() if applicant.status == Applicant.Status.PRE_APPROVED or not published else published
    )
    days = int(rule_value(PUBLICITY_DAYS, start))
    return Notice(
        name=applicant.name,
        gender=applicant.get_gender_display(),
        birth=applicant.birth_date,
        education=applicant.get_education_display(),
        work_unit_post=applicant.work_unit_post,
        applied_on=applicant.applied_on,
        activist_on=applicant.activist_on or last("confirm_activist"),
        candidate_on=applicant.candidate_on or last("confirm_candidate"),
        introducers=[m.name for m in applicant.introducers.order_by("pk")],
        branch=applicant.org.name,
        committee=approving_committee(applicant.org).name,
        start=start,
        end=add_working_days(start, days),
        working_days=days,
    )


def print_notice(*, actor: Any, applicant: Applicant) -> bytes:
    """打印发展对象公示 (PDF), by those who keep or see the branch's register; audited."""
    from dangjian.recruitment.pdf import draw

    scope = scope_for(actor)
    path = applicant.org_path
    if not (scope.can(Ability.VIEW_MEMBERS, path) or scope.can(Ability.EDIT_MEMBERS, path)):
        raise DomainError("您没有打印该党支部发展党员公示的权限。")
    notice = notice_of(applicant)
    body = draw(notice, actor)
    record_audit(PRINT_NOTICE, actor=actor, target=applicant,
                 detail={"公示期": f"{notice.start:%Y-%m-%d}至{notice.end:%Y-%m-%d}"})  # fmt: skip
    return body


# --- stages A–C: 申请入党, 入党积极分子, 发展对象 (apply … training, terminate) ------------


def _start_new_case(applicant: Applicant) -> None:
    """重新申请 after 终止培养: the same file (its steps stay as history), but the old case's
    培养联系人, 入党介绍人 and dates are not this case's."""
    applicant.contacts.clear()
    applicant.introducers.clear()
    applicant.activist_on = applicant.candidate_on = None
    applicant.save(update_fields=["activist_on", "candidate_on"])


def reapply(actor: Any, applicant: Applicant, d: Mapping[str, Any], confirmed: bool) -> Any:
    """重新申请: a 终止培养 file reopens on a new 入党申请书 (same record, history kept)."""

    def perform(locked: Applicant) -> dict[str, Any]:
        _start_new_case(locked)
        locked.applied_on = d["on"]
        locked.save(update_fields=["applied_on"])
        return {"reapplied": True}

    return take(actor, applicant, "apply", on=d["on"], version=d["version"],
                note=d.get("note") or "", confirmed=confirmed, perform=perform)  # fmt: skip


def confirm_activist(
    actor: Any, applicant: Applicant, d: Mapping[str, Any], confirmed: bool
) -> Any:
    """确定为入党积极分子: by the 支部委员会 on the day it met, with the 推荐方式 (细则第八条)."""

    def perform(locked: Applicant) -> None:
        locked.activist_on = d["on"]
        locked.save(update_fields=["activist_on"])

    return take(actor, applicant, "confirm_activist", on=d["on"], version=d["version"],
                note=d.get("note") or "", confirmed=confirmed, perform=perform,
                data={"recommendation": d["recommendation"]})  # fmt: skip


def _people(members: Any) -> tuple[list[int], str]:
    chosen = list(members)
    return [m.pk for m in chosen], "、".join(m.name for m in chosen)


def _choose(step: str, field: str) -> StepService:
    """A step naming people on the file (`field`: contacts or introducers); a new choice
    replaces the old one, and the names are kept on the step as they were that day."""

    def run(actor: Any, applicant: Applicant, d: Mapping[str, Any], confirmed: bool) -> Any:
        ids, names = _people(d[field])

        def perform(locked: Applicant) -> None:
            getattr(locked, field).set(ids)

        return take(actor, applicant, step, on=d["on"], version=d["version"],
                    note=d.get("note") or "", confirmed=confirmed, perform=perform,
                    data={field: ids, "names": names})  # fmt: skip

    return run


# 指定培养联系人: one or two 正式党员 (细则第九条).
assign_contacts = _choose("assign_contacts", "contacts")
# 确定入党介绍人: two 正式党员, none under 留党察看 (党章第五条、第四十条).
set_introducers = _choose("set_introducers", "introducers")


def confirm_candidate(
    actor: Any, applicant: Applicant, d: Mapping[str, Any], confirmed: bool
) -> Any:
    """确定为发展对象: after a year of 培养考察, the four opinions heard (细则第十三条)."""

    def perform(locked: Applicant) -> None:
        locked.candidate_on = d["on"]
        locked.save(update_fields=["candidate_on"])

    return take(actor, applicant, "confirm_candidate", on=d["on"], version=d["version"],
                note=d.get("note") or "", confirmed=confirmed, perform=perform,
                data={"opinions_heard": list(d["opinions_heard"])})  # fmt: skip


def political_review(
    actor: Any, applicant: Applicant, d: Mapping[str, Any], confirmed: bool
) -> Any:
    """政治审查: only the conclusion (合格/不合格), its date and a short note; the 政审材料
    themselves stay on paper (or as an optional document), never in the step."""
    return take(actor, applicant, "political_review", on=d["on"], version=d["version"],
                note=d.get("note") or "", confirmed=confirmed,
                outcome=d["conclusion"])  # fmt: skip


def training(actor: Any, applicant: Applicant, d: Mapping[str, Any], confirmed: bool) -> Any:
    """集中培训: who organised it, from and to, days and 学时 (细则第十七条); dated its last day."""
    data = {
        "organizer": d["organizer"], "start": d["start"].isoformat(), "end": d["end"].isoformat(),
        "days": d.get("days") or 0, "hours": d.get("hours") or 0,
    }  # fmt: skip
    return take(actor, applicant, "training", on=d["on"], version=d["version"],
                note=d.get("note") or "", confirmed=confirmed, data=data)  # fmt: skip


def terminate(actor: Any, applicant: Applicant, d: Mapping[str, Any], confirmed: bool) -> Any:
    """终止培养: with its reason; the person may apply again on the same file."""
    reason = str(d.get("reason") or "").strip()
    return take(actor, applicant, "terminate", on=d["on"], version=d["version"],
                note=reason, confirmed=confirmed,
                data={"reason": reason})  # fmt: skip


STEPS.update(
    apply=reapply,
    confirm_activist=confirm_activist,
    assign_contacts=assign_contacts,
    confirm_candidate=confirm_candidate,
    set_introducers=set_introducers,
    political_review=political_review,
    training=training,
    terminate=terminate,
)


# 思想汇报 and 培养考察: entries along the way, not steps (the 工作台 reads their dates).

RECORD_REPORT = register_action("recruitment.record_report", "登记思想汇报")
RECORD_ASSESSMENT = register_action("recruitment.record_assessment", "登记培养考察")
EDIT_REPORT = register_action("recruitment.edit_report", "更正思想汇报")
EDIT_ASSESSMENT = register_action("recruitment.edit_assessment", "更正培养考察")
OPEN_STATES = frozenset(Applicant.Status.values) - {
    Applicant.Status.CLOSED,
    Applicant.Status.CANCELLED,
    Applicant.Status.ARCHIVED,
}


def may_record_report(user: Any, applicant: Applicant) -> bool:
    """思想汇报 are recorded by the branch (维护党员信息 on the applicant's 党支部)."""
    return scope_for(user).can(Ability.EDIT_MEMBERS, applicant.org_path)


def may_record_assessment(user: Any, applicant: Applicant) -> bool:
    """The branch records 考察; a 培养联系人 may also record the opinion on the files they are
    contact for (细则第十一条: 培养联系人 take part in the 考察), nothing else."""
    if may_record_report(user, applicant):
        return True
    own = scope_for(user).own_member_id
    return own is not None and applicant.contacts.filter(pk=own).exists()


def _check_entry_date(applicant: Applicant, when: dt.date, label: str, field: str) -> None:
    if when > today():
        raise DomainError(f"{label}不能晚于今天。", field=field)
    if when < applicant.applied_on:
        raise DomainError(
            f"{label}不能早于递交入党申请书日期（{applicant.applied_on:%Y-%m-%d}）。", field=field
        )


def _check_report(applicant: Applicant, submitted_on: dt.date) -> None:
    if applicant.status not in OPEN_STATES:
        state = Applicant.Status(applicant.status).label
        raise DomainError(f"该档案当前状态为「{state}」，不能登记思想汇报。")
    _check_entry_date(applicant, submitted_on, "递交日期", "submitted_on")


def record_report(
    *, actor: Any, applicant: Applicant, submitted_on: dt.date, summary: str = ""
) -> Report:
    """登记思想汇报: its date (what the quarterly reminder reads) and a short summary."""
    if not may_record_report(actor_user(as_actor(actor)), applicant):
        raise DomainError(refusal_for(Ability.EDIT_MEMBERS))
    _check_report(applicant, submitted_on)
    with transaction.atomic():
        report = Report.objects.create(
            applicant=applicant, submitted_on=submitted_on, summary=summary.strip()[:500],
            recorded_by=_user_of(actor),
        )  # fmt: skip
        record_audit(RECORD_REPORT, actor=actor, target=applicant,
                     detail={"date": submitted_on.isoformat()})  # fmt: skip
        deadlines.refresh(applicant)
    return report


def edit_report(
    *, actor: Any, report: Report, submitted_on: dt.date, summary: str = "", version: int
) -> Report:
    """更正思想汇报 (the branch): its date or summary, on the version the form was opened on."""
    applicant = report.applicant
    if not may_record_report(actor_user(as_actor(actor)), applicant):
        raise DomainError(refusal_for(Ability.EDIT_MEMBERS))
    _check_report(applicant, submitted_on)
    with transaction.atomic():
        locked = Report.objects.select_for_update().get(pk=report.pk)
        if locked.version != version:
            raise ConcurrentEditError("该思想汇报")
        before = locked.submitted_on
        locked.submitted_on, locked.summary = submitted_on, summary.strip()[:500]
        locked.version += 1
        locked.save(update_fields=["submitted_on", "summary", "version"])
        detail = {"date": submitted_on.isoformat(), "was": before.isoformat()}
        record_audit(EDIT_REPORT, actor=actor, target=applicant, detail=detail)
        deadlines.refresh(applicant)
    report.refresh_from_db()
    return report


def _check_assessment(applicant: Applicant, kind: str, assessed_on: dt.date, opinion: str) -> None:
    if kind == Assessment.Kind.ACTIVIST:
        start, label = applicant.activist_on, "确定为入党积极分子"
    else:
        start, label = applicant.resolution_on, "支部党员大会通过接收为预备党员"
    if start is None or applicant.status not in OPEN_STATES:
        raise DomainError(
            f"该同志尚未{label}，不能登记{Assessment.Kind(kind).label}。", field="kind"
        )
    _check_entry_date(applicant, assessed_on, "考察日期", "assessed_on")
    if assessed_on < start:
        raise DomainError(f"考察日期不能早于{label}日期（{start:%Y-%m-%d}）。", field="assessed_on")
    if not opinion.strip():
        raise DomainError("请填写考察意见。", field="opinion")


def record_assessment(
    *, actor: Any, applicant: Applicant, kind: str, assessed_on: dt.date, opinion: str, by: str = ""
) -> Assessment:
    """登记培养考察: the activist's half-yearly 考察 (from the day they were confirmed) or the
    预备党员's quarterly one, with the opinion."""
    if not may_record_assessment(actor_user(as_actor(actor)), applicant):
        raise DomainError("只有所在党支部或该同志的培养联系人可以登记培养考察。")
    _check_assessment(applicant, kind, assessed_on, opinion)
    with transaction.atomic():
        entry = Assessment.objects.create(
            applicant=applicant, kind=kind, assessed_on=assessed_on, opinion=opinion.strip(),
            by=by.strip()[:100], recorded_by=_user_of(actor),
        )  # fmt: skip
        detail = {"kind": str(Assessment.Kind(kind).label), "date": assessed_on.isoformat()}
        record_audit(RECORD_ASSESSMENT, actor=actor, target=applicant, detail=detail)
        deadlines.refresh(applicant)
    return entry


def may_edit_assessment(user: Any, entry: Assessment) -> bool:
    """The branch corrects any 考察; a 培养联系人 only the ones they recorded, while still the
    file's contact."""
    if may_record_report(user, entry.applicant):
        return True
    mine = getattr(user, "pk", None) is not None and entry.recorded_by_id == user.pk
    return mine and may_record_assessment(user, entry.applicant)


def edit_assessment(
    *,
    actor: Any,
    entry: Assessment,
    kind: str,
    assessed_on: dt.date,
    opinion: str,
    by: str = "",
    version: int,
) -> Assessment:
    """更正培养考察, on the version the form was opened on."""
    applicant = entry.applicant
    if not may_edit_assessment(actor_user(as_actor(actor)), entry):
        raise DomainError("只有所在党支部或登记该考察的培养联系人可以修改。")
    _check_assessment(applicant, kind, assessed_on, opinion)
    with transaction.atomic():
        locked = Assessment.objects.select_for_update().get(pk=entry.pk)
        if locked.version != version:
            raise ConcurrentEditError("该培养考察记录")
        locked.kind, locked.assessed_on = kind, assessed_on
        locked.opinion, locked.by = opinion.strip(), by.strip()[:100]
        locked.version += 1
        locked.save(update_fields=["kind", "assessed_on", "opinion", "by", "version"])
        detail = {"kind": str(Assessment.Kind(kind).label), "date": assessed_on.isoformat()}
        record_audit(EDIT_ASSESSMENT, actor=actor, target=applicant, detail=detail)
        deadlines.refresh(applicant)
    entry.refresh_from_db()
    return entry


def _user_of(actor: Any) -> Any:
    user = actor_user(as_actor(actor))
    return user if getattr(user, "is_authenticated", False) else None


# --- stage E: 预备党员的教育考察和转正 -----------------------------------------------------------
# 入党宣誓, 转正申请 and 材料归档 are `plain` steps (their date and a note); the 支部党员大会
# discussion opens a vote in a meeting; its resolution and the 党委's approval write the
# register through `members.services.record_probation_outcome`.

P = Applicant.Proposal
E = MemberEvent.Kind
VOTE_TITLES = {
    P.CONVERT: "关于{name}同志按期转为中共正式党员的表决",
    P.EXTEND: "关于延长{name}同志预备期{months}个月的表决",
    P.CANCEL: "关于取消{name}同志预备党员资格的表决",
}
RESOLVE_STEPS = {
    P.CONVERT: "resolve_convert",
    P.EXTEND: "resolve_extend",
    P.CANCEL: "resolve_cancel",
}
APPROVE_STEPS = {
    "approve_convert": E.CONVERT,
    "approve_extend": E.EXTEND,
    "approve_cancel": E.CANCEL,
}


def _open_vote(actor: Any, locked: Applicant, meeting: Meeting, title: str, method: str) -> Poll:
    """The motion poll `title` in `meeting`, opened (electorate fixed on the meeting's day),
    kept on the file: as `put_to_vote` does for the admission."""
    draft = votes.PollDraft(
        title=title,
        kind=Poll.Kind.MOTION,
        method=method,
        preset="meeting",
        electorate_on=meeting.date,
        context=str(meeting.title),
    )
    poll = meetings.create_meeting_poll(actor=actor, meeting=meeting, draft=draft)
    poll = votes.open_poll(actor=actor, poll=poll)  # the meetings hook marks the roll
    locked.meeting, locked.poll = meeting, poll
    locked.save(update_fields=["meeting", "poll"])
    return poll


def put_conversion_to_vote(
    *,
    actor: Any,
    applicant: Applicant,
    proposal: str,
    meeting: Meeting,
    months: int | None = None,
    method: str = Poll.Method.PAPER,
    version: int | None = None,
    note: str = "",
    confirmed: bool = False,
) -> Poll:
    """提交支部党员大会讨论转正 (细则第三十三、三十四条): the proposal (按期转正, 延长预备期 by
    `months`, or 取消预备党员资格) is put to a motion vote in the meeting, dated its day."""
    _check_meeting(meeting, applicant)
    if proposal not in P.values:
        raise DomainError("请选择提请讨论的事项。", field="proposal")
    months = months if proposal == P.EXTEND else None
    title = VOTE_TITLES[P(proposal)].format(name=applicant.name, months=months)

    def perform(locked: Applicant) -> dict[str, Any]:
        locked.proposal, locked.extension_months = proposal, months
        locked.save(update_fields=["proposal", "extension_months"])
        poll = _open_vote(actor, locked, meeting, title, method)
        return {"meeting": meeting.title, "poll": poll.pk}

    data = {"proposal": proposal, "months": months, "meeting_id": meeting.pk, "method": method}
    take(actor, applicant, "put_conversion_to_vote", on=meeting.date, version=version, data=data,
         note=note, confirmed=confirmed, perform=perform)  # fmt: skip
    applicant.refresh_from_db()
    assert applicant.poll is not None
    return applicant.poll


def resolve_conversion(
    *, actor: Any, applicant: Applicant, step: str | None = None, version: int | None = None,
    note: str = "", confirmed: bool = False,
) -> ProcedureStep:  # fmt: skip
    """支部党员大会决议 on the counted vote: the resolution of the proposal put (通过) or
    表决未通过 (back to 预备党员); `step` names it (None: as the count says, the engine's rules
    refuse any other). Dated the meeting's day: the 决议日期 is the vote's."""
    poll, meeting = applicant.poll, applicant.meeting
    if poll is None or meeting is None or poll.status != Poll.Status.CLOSED:
        raise DomainError("支部党员大会表决尚未计票。")
    if step is None:
        result = poll.result or {}
        passed = bool(result.get("quorum_met") and result.get("passed"))
        step = RESOLVE_STEPS[P(applicant.proposal)] if passed else "conversion_failed"
    return take(actor, applicant, step, on=meeting.date, version=version, note=note,
                data={"poll": poll.pk}, confirmed=confirmed)  # fmt: skip


def approve_resolution(
    *, actor: Any, applicant: Applicant, step: str, on: dt.date, version: int | None = None,
    note: str = "", document_no: str = "", confirmed: bool = False,
) -> ProcedureStep:  # fmt: skip
    """上级党委审批 the branch's resolution (细则第三十三条, 3 months at most, soft): the register
    is written with it (转正 and 延长 effective on the day the probation ends, the resolution's
    date as 支部大会决议日期; 取消 on the approval's day)."""
    kind = APPROVE_STEPS[step]

    def perform(locked: Applicant) -> dict[str, Any]:
        member = locked.member
        if member is None:
            raise DomainError("该预备党员尚未在党员名册中登记。")
        resolved = _resolution_date(locked)
        end = member.probation_end
        effective = on if kind == E.CANCEL else (end or on)
        months = locked.extension_months if kind == E.EXTEND else None
        members.record_probation_outcome(
            actor=actor, member=member, kind=kind, decided_on=resolved,
            effective_date=effective, months=months, document_no=document_no,
            note=f"{RECRUITMENT.step_label(step)}（{on:%Y-%m-%d}）",
        )  # fmt: skip
        member.refresh_from_db()
        return {
            "effective": effective.isoformat(),
            "decided_on": resolved.isoformat(),
            "months": months,
            "probation_end": member.probation_end.isoformat() if member.probation_end else None,
            "document_no": document_no,
        }

    return take(actor, applicant, step, on=on, version=version, note=note, confirmed=confirmed,
                perform=perform)  # fmt: skip


def _resolution_date(applicant: Applicant) -> dt.date:
    """The day of the 支部党员大会 resolution being approved (the latest resolve step)."""
    found = (
        ProcedureStep.objects.of(RECRUITMENT.name, applicant.pk)
        .filter(step__in=RESOLVE_STEPS.values(), voided_at__isnull=True)
        .order_by("-id")
        .first()
    )
    if found is None:
        raise DomainError("没有待审批的支部党员大会决议。")
    return found.effective_date


def refuse_resolution(
    *, actor: Any, applicant: Applicant, on: dt.date, reason: str, version: int | None = None,
    confirmed: bool = False,
) -> ProcedureStep:  # fmt: skip
    """上级党委不批准支部大会决议: back to 预备党员, with the reason."""
    return take(actor, applicant, "refuse_resolution", on=on, version=version, note=reason,
                data={"reason": reason.strip()}, confirmed=confirmed)  # fmt: skip


def _put_conversion(actor: Any, a: Applicant, d: Mapping[str, Any], confirmed: bool) -> Any:
    return put_conversion_to_vote(
        actor=actor, applicant=a, proposal=d["proposal"], meeting=d["meeting"],
        months=d.get("months"), method=d.get("method") or Poll.Method.PAPER,
        version=d["version"], note=d.get("note") or "", confirmed=confirmed,
    )  # fmt: skip


def _resolve(step: str) -> StepService:
    def run(actor: Any, a: Applicant, d: Mapping[str, Any], confirmed: bool) -> Any:
        return resolve_conversion(actor=actor, applicant=a, step=step, version=d["version"],
                                  note=d.get("note") or "", confirmed=confirmed)  # fmt: skip

    return run


def _approve(step: str) -> StepService:
    def run(actor: Any, a: Applicant, d: Mapping[str, Any], confirmed: bool) -> Any:
        return approve_resolution(
            actor=actor, applicant=a, step=step, on=d["on"], version=d["version"],
            note=d.get("note") or "", document_no=d.get("document_no") or "", confirmed=confirmed,
        )  # fmt: skip

    return run


STEPS.update(
    {
        "put_conversion_to_vote": _put_conversion,
        **{step: _resolve(step) for step in (*RESOLVE_STEPS.values(), "conversion_failed")},
        **{step: _approve(step) for step in APPROVE_STEPS},
        "refuse_resolution": reasoned("refuse_resolution"),
    }
)

PRINT_FULL_RECORD = register_action(
    "recruitment.print_full_record", "打印发展党员全程纪实表", tone="sensitive"
)


def print_full_record(*, actor: Any, applicant: Applicant) -> bytes:
    """发展党员全程纪实表 as PDF, for the branch and the committees that see the whole file;
    audited (it carries a person's file, ID masked)."""
    from dangjian.recruitment.pdf import full_record

    if not scope_for(actor).can(Ability.VIEW_MEMBERS, applicant.org_path):
        raise DomainError("您没有查看该发展党员档案的权限。")
    data = full_record(applicant, actor)
    record_audit(PRINT_FULL_RECORD, actor=actor, target=applicant, detail={"name": applicant.name})
    return data


# --- end of stage E ------------------------------------------------------------------------------
