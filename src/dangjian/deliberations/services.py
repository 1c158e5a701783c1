"""四议两公开: one function per step of `procedures.FOUR_TWO`; pages, API and the demo call these.

The 党员大会 is a `meetings.Meeting` of kind GENERAL with a MOTION poll on the votes engine
(linked by `MeetingPoll`, so its attendance is the meeting's). The poll is created with the
four-two thresholds in force on the meeting's date: at least `fourtwo.member_quorum` (2/3) of
the members due present, passed with yes votes more than `fourtwo.member_majority` (1/2) of
the members due (应到会). The 村民会议 / 村民代表会议 are counted here (`judge_villager_meeting`):
村民委员会组织法第二十二条、第二十六条.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

from django.db import transaction
from django.utils import timezone

from dangjian.accounts.abilities import Ability
from dangjian.accounts.scope import scope_for
from dangjian.audit.services import record_audit
from dangjian.core.actors import actor_user
from dangjian.core.exceptions import DomainError
from dangjian.core.models import RuleMissing, rule_in_force
from dangjian.core.names import person_name
from dangjian.core.procedures import take_step
from dangjian.deliberations.models import (
    ConsultOutcome,
    Matter,
    MatterCategory,
    MatterStatus,
    Publication,
    VillagerMeeting,
    VillagerMeetingKind,
)
from dangjian.deliberations.procedures import (
    FOUR_TWO,
    PRINT_RECORD,
    REVIEWING_KINDS,
    is_village_org,
    review_outcome,
)
from dangjian.meetings import services as meetings
from dangjian.meetings.models import Meeting, MeetingKind
from dangjian.orgs.models import Organization
from dangjian.votes.models import Poll
from dangjian.votes.services import PollDraft

Entitled = VillagerMeeting.Entitled


def _user(actor: Any) -> Any:
    user = actor_user(actor)
    return user if getattr(user, "is_authenticated", False) else None


def share(key: str, on: dt.date) -> Fraction:
    """A share rule (stored as 0.6667) as the fraction it stands for (2/3), in force on `on`."""
    try:
        value = rule_in_force(key, on).value
    except RuleMissing as exc:
        raise DomainError(f"{on:%Y年%m月%d日}尚无规则参数“{key}”的取值。") from exc
    return Fraction(value).limit_denominator(100)


def share_words(value: Fraction) -> str:
    """1/2 → 半数, 2/3 → 三分之二 (as the laws write them)."""
    digits = "〇一二三四五六七八九十"
    if value == Fraction(1, 2):
        return "半数"
    if value.denominator <= 10 and value.numerator <= 10:
        return f"{digits[value.denominator]}分之{digits[value.numerator]}"
    return f"{value.numerator}/{value.denominator}"


# --- 提议 ---------------------------------------------------------------------------------------


@dataclass
class MatterDraft:
    """What the 党组织 proposes (党组织提议)."""

    title: str
    category: str
    content: str
    proposed_on: dt.date
    one_person_both_posts: bool = False
    merge_reason: str = ""


def _check_draft(org: Organization, draft: MatterDraft) -> None:
    if org.kind not in REVIEWING_KINDS or not org.is_active:
        raise DomainError(
            "只有正常状态的村党支部、党总支可以提议（党员大会审议须由召开支部党员大会的组织进行）。",
            field="org",
        )
    if not is_village_org(org):
        raise DomainError(
            f"“四议两公开”适用于村党组织：{org.name}的所在单位不是村（请在组织信息中设置所在单位）。",
            field="org",
        )
    if not draft.title.strip():
        raise DomainError("请填写事项名称。", field="title")
    if draft.category not in MatterCategory.values:
        raise DomainError("请选择事项类别。", field="category")
    if not draft.content.strip():
        raise DomainError("请填写初步方案。", field="content")
    if draft.merge_reason.strip() and not draft.one_person_both_posts:
        raise DomainError(
            "只有书记兼任村委会主任（一肩挑）的，才需填写合并说明。", field="merge_reason"
        )


def propose_matter(*, actor: Any, org: Organization, draft: MatterDraft) -> Matter:
    """党组织提议: a new 村级重大事项 with its initial plan."""
    _check_draft(org, draft)
    with transaction.atomic():
        matter = Matter.objects.create(
            org=org,
            org_path=org.path,
            title=draft.title.strip(),
            category=draft.category,
            content=draft.content.strip(),
            proposed_on=draft.proposed_on,
            one_person_both_posts=draft.one_person_both_posts,
            merge_reason=draft.merge_reason.strip() if draft.one_person_both_posts else "",
            created_by=_user(actor),
        )
        take_step(
            actor=actor,
            definition=FOUR_TWO,
            record=matter,
            step="propose",
            effective_date=draft.proposed_on,
            data={"title": matter.title, "category": matter.get_category_display()},
        )
    return matter


# --- 商议 ---------------------------------------------------------------------------------------


@dataclass
class Consultation:
    """“两委”会议商议: who took part (names in words: 村委 members need not be members or have
    accounts), the outcome and, where they disagreed and voted, the counts."""

    on: dt.date
    participants: str
    outcome: str
    note: str = ""
    yes: int | None = None
    no: int | None = None
    abstain: int | None = None


def _check_consultation(c: Consultation) -> None:
    if not c.participants.strip():
        raise DomainError("请填写参加“两委”会议的人员。", field="participants")
    if c.outcome not in ConsultOutcome.values:
        raise DomainError("请选择商议结果。", field="outcome")
    counts = (c.yes, c.no, c.abstain)
    if all(n is None for n in counts):
        return
    if any(n is None or n < 0 for n in counts):
        raise DomainError("表决的赞成、反对、弃权人数须一并填写（没有的填 0）。", field="yes")
    yes, no, abstain = (int(n or 0) for n in counts)
    agreed = yes * 2 > yes + no + abstain  # the majority of those voting decides
    if agreed != (c.outcome != ConsultOutcome.REJECTED):
        raise DomainError(
            f"表决结果（赞成 {yes}、反对 {no}、弃权 {abstain}）与商议结果"
            f"“{ConsultOutcome(c.outcome).label}”不一致：按多数意见，赞成须超过参加表决人数的半数。",
            field="outcome",
        )


def record_consultation(*, actor: Any, matter: Matter, version: int, c: Consultation) -> None:
    """“两委”会议商议: 同意 / 修改后同意 move on; 不同意 ends the matter."""
    _check_consultation(c)

    def perform(m: Matter) -> dict[str, Any]:
        m.consult_on, m.consult_participants = c.on, c.participants.strip()
        m.consult_outcome, m.consult_note = c.outcome, c.note.strip()
        m.consult_yes, m.consult_no, m.consult_abstain = c.yes, c.no, c.abstain
        m.save(update_fields=[
            "consult_on", "consult_participants", "consult_outcome", "consult_note",
            "consult_yes", "consult_no", "consult_abstain",
        ])  # fmt: skip
        votes = {} if c.yes is None else {"赞成": c.yes, "反对": c.no, "弃权": c.abstain}
        return {"outcome": ConsultOutcome(c.outcome).label, **votes}

    step = "consult_reject" if c.outcome == ConsultOutcome.REJECTED else "consult"
    take_step(actor=actor, definition=FOUR_TWO, record=matter, step=step, effective_date=c.on,
              note=c.note.strip(), expected_version=version, perform=perform)  # fmt: skip


# --- 方案送达党员 and 党员大会 -------------------------------------------------------------


def send_plan(*, actor: Any, matter: Matter, version: int, on: dt.date, note: str = "") -> None:
    """方案送达党员: the plan reaches every member before the 党员大会. For a 一肩挑 village
    straight after the 提议 (提议与商议合并: the merge and its reason are kept with the step)."""

    def perform(m: Matter) -> dict[str, Any]:
        m.plan_sent_on = on
        m.save(update_fields=["plan_sent_on"])
        if m.consult_outcome:
            return {}
        return {"merged": f"提议与商议合并（一肩挑）{m.merge_reason}".strip()}

    take_step(actor=actor, definition=FOUR_TWO, record=matter, step="send_plan",
              effective_date=on, note=note.strip(), expected_version=version,
              perform=perform)  # fmt: skip


def convene_review(
    *,
    actor: Any,
    matter: Matter,
    version: int,
    on: dt.date,
    place: str = "",
    method: str = Poll.Method.TOTALS,
) -> Meeting:
    """召开党员大会审议: the meeting (支部党员大会, dated `on`, through meetings.schedule_meeting:
    its 应到 is the organization's members) with this matter as its topic; its poll
    (meetings.create_meeting_poll: its 到会 is the meeting's 出席登记) is created now if the
    day has come, else by `prepare_review_poll` on the day."""

    def perform(m: Matter) -> dict[str, Any]:
        data = meetings.MeetingData(kind=MeetingKind.GENERAL, title=f"审议：{m.title}", date=on,
                                    place=place, topics=m.title, notice=m.content)  # fmt: skip
        meeting = meetings.schedule_meeting(actor=actor, org=m.org, data=data)
        m.meeting = meeting
        m.save(update_fields=["meeting"])
        if on <= timezone.localdate():
            _create_poll(actor, m, method)
        return {"meeting_date": on.isoformat(), "place": place.strip()}

    take_step(actor=actor, definition=FOUR_TWO, record=matter, step="convene", effective_date=on,
              expected_version=version, perform=perform)  # fmt: skip
    matter.refresh_from_db()
    assert matter.meeting is not None
    return matter.meeting


def review_thresholds(on: dt.date) -> tuple[Fraction, Fraction]:
    """(quorum, majority) of the 党员大会 in force on `on`."""
    return share("fourtwo.member_quorum", on), share("fourtwo.member_majority", on)


def _create_poll(actor: Any, matter: Matter, method: str) -> Poll:
    meeting = matter.meeting
    assert meeting is not None
    if not scope_for(actor).can(Ability.RUN_VOTES, matter.org.path):
        raise DomainError("创建党员大会表决须有“组织表决和选举”的权限（书记、组织委员）。")
    quorum, majority = review_thresholds(meeting.date)
    draft = PollDraft(
        title=f"审议：{matter.title}",
        kind=Poll.Kind.MOTION,
        method=method,
        preset="meeting",
        electorate_on=meeting.date,
        context=f"四议两公开·党员大会（{meeting.date:%Y-%m-%d}）",
        quorum=str(quorum),
        quorum_strict=False,  # 三分之二以上: at least (exactly 2/3 is enough)
        majority=str(majority),
        majority_strict=True,  # 超过半数: more than
        base=Poll.Base.ENTITLED,
    )
    poll = meetings.create_meeting_poll(actor=actor, meeting=meeting, draft=draft)
    matter.poll = poll
    matter.save(update_fields=["poll"])
    return poll


def prepare_review_poll(*, actor: Any, matter: Matter, method: str = Poll.Method.TOTALS) -> Poll:
    """创建党员大会表决 for a meeting registered ahead of its day, once the day has come."""
    if not scope_for(actor).can(Ability.RUN_MEETINGS, matter.org.path):
        raise DomainError("您没有组织该党组织会议的权限。")
    with transaction.atomic():
        locked = Matter.objects.select_for_update().get(pk=matter.pk)
        if locked.meeting is None or locked.status != MatterStatus.CONVENED:
            raise DomainError("该事项还没有召开党员大会。")
        if locked.poll is not None:
            raise DomainError("该党员大会的表决已创建。")
        if locked.meeting.date > timezone.localdate():
            raise DomainError(
                f"党员大会定于 {locked.meeting.date:%Y-%m-%d} 召开，当天才能创建表决。"
            )
        poll = _create_poll(actor, locked, method)
    matter.refresh_from_db()
    return poll


def review_counts(poll: Poll) -> dict[str, int]:
    """应到会, 实到会 and the motion's counts of a closed poll."""
    voters = list(poll.voters.values_list("present", flat=True))
    counts = (poll.result or {}).get("options", [{}])[0].get("counts", {})
    return {
        "entitled": len(voters),
        "present": sum(voters),
        "yes": int(counts.get("yes", 0)),
        "no": int(counts.get("no", 0)),
        "abstain": int(counts.get("abstain", 0)),
    }


def record_review(*, actor: Any, matter: Matter, version: int) -> str:
    """党员大会审议: the closed poll's result decides the step — 通过 (to the 村民会议), 未通过
    (the matter ends), or 到会人数不足 (nothing decided: back to holding the meeting again)."""
    poll = matter.poll
    if poll is None or poll.status != Poll.Status.CLOSED or poll.result is None:
        raise DomainError(
            "党员大会的表决尚未计票：请在会议页面登记出席情况，在表决页面结束投票并计票后，"
            "再登记审议结果。"
        )
    outcome = review_outcome(poll.result)
    counts = review_counts(poll)
    data = {"应到会": counts["entitled"], "实到会": counts["present"], "赞成": counts["yes"],
            "反对": counts["no"], "弃权": counts["abstain"]}  # fmt: skip

    def perform(m: Matter) -> dict[str, Any]:
        if outcome == "void":  # the meeting may be held again: a new meeting and poll
            m.meeting, m.poll = None, None
            m.save(update_fields=["meeting", "poll"])
        return {"poll": poll.pk}

    assert matter.meeting is not None
    take_step(actor=actor, definition=FOUR_TWO, record=matter, step=f"review_{outcome}",
              effective_date=matter.meeting.date, data=data, expected_version=version,
              perform=perform)  # fmt: skip
    return outcome


# --- 村民会议或村民代表会议决议 -------------------------------------------------------------------


@dataclass
class VillagerVote:
    """What the 村民会议 / 村民代表会议 record says (counts; names optional, in words)."""

    kind: str
    held_on: dt.date
    entitled: int
    present: int
    yes: int
    no: int
    abstain: int
    entitled_basis: str = ""  # 村民会议: villagers 18+ or households; 代表会议: representatives
    names: str = ""


@dataclass(frozen=True)
class Verdict:
    quorum_met: bool
    passed: bool
    explanation: str  # in words: why it passed or failed


def _basis(v: VillagerVote) -> str:
    if v.kind == VillagerMeetingKind.REPRESENTATIVES:
        return Entitled.REPRESENTATIVES
    return v.entitled_basis or Entitled.VILLAGERS


def _check_vote(v: VillagerVote) -> None:
    if v.kind not in VillagerMeetingKind.values:
        raise DomainError("请选择村民会议或村民代表会议。", field="kind")
    basis = _basis(v)
    if v.kind == VillagerMeetingKind.ASSEMBLY and basis not in (
        Entitled.VILLAGERS,
        Entitled.HOUSEHOLDS,
    ):
        raise DomainError("村民会议的应到会按十八周岁以上村民或户数计算。", field="entitled_basis")
    if v.entitled < 1:
        raise DomainError("请填写应到会人数（户数）。", field="entitled")
    if min(v.present, v.yes, v.no, v.abstain) < 0:
        raise DomainError("人数不能为负数。", field="present")
    if v.present > v.entitled:
        raise DomainError(
            f"实到会 {v.present} 多于应到会 {v.entitled}，人数不符，请核对。", field="present"
        )
    voted = v.yes + v.no + v.abstain
    if voted > v.present:
        raise DomainError(
            f"赞成、反对、弃权合计 {voted}，多于实到会 {v.present}，人数不符，请核对。", field="yes"
        )


def judge_villager_meeting(v: VillagerVote) -> Verdict:
    """Quorum and result (村民委员会组织法第二十二条、第二十六条): a 村民会议 needs more than half
    of the villagers aged 18+, or representatives of at least 2/3 of the households; a 村民代表
    会议 at least 2/3 of its members; either decides with more than half of those present."""
    _check_vote(v)
    basis, on = _basis(v), v.held_on
    unit = "户" if basis == Entitled.HOUSEHOLDS else "人"
    if basis == Entitled.VILLAGERS:
        q, strict, whom = share("villager.meeting_quorum", on), True, "应到会（十八周岁以上村民）"
    elif basis == Entitled.HOUSEHOLDS:
        q, strict, whom = share("villager.household_quorum", on), False, "本村户数"
    else:
        q, strict, whom = share("villager.rep_quorum", on), False, "村民代表会议组成人员"
    need = q * v.entitled
    quorum_met = v.present > need if strict else v.present >= need
    how = "超过" if strict else "达到"
    present = f"到会 {v.present} {unit}"
    target = f"{whom} {v.entitled} {unit}的{share_words(q)}"
    if not quorum_met:
        return Verdict(False, False, f"{present}，未{how}{target}，会议不能作出决定")
    m = share("villager.majority", on)
    passed = v.yes > m * v.present
    votes = f"赞成 {v.yes} 票，{'' if passed else '未'}超过到会 {v.present} 人的{share_words(m)}"
    said = f"{present}，{how}{target}；{votes}"
    return Verdict(True, passed, f"{said}，{'决议通过' if passed else '决议未通过'}")


def record_resolution(*, actor: Any, matter: Matter, version: int, vote: VillagerVote) -> Verdict:
    """村民会议或村民代表会议决议: the counts are checked (赞成+反对+弃权 ≤ 实到 ≤ 应到) and the
    result computed, never taken from the user; without a quorum it stays on record and the
    meeting may be held again."""
    verdict = judge_villager_meeting(vote)
    outcome = "pass" if verdict.passed else ("fail" if verdict.quorum_met else "void")

    def perform(m: Matter) -> dict[str, Any]:
        VillagerMeeting.objects.create(
            matter=m, kind=vote.kind, entitled_basis=_basis(vote), held_on=vote.held_on,
            entitled=vote.entitled, present=vote.present, yes=vote.yes, no=vote.no,
            abstain=vote.abstain, names=vote.names.strip(), quorum_met=verdict.quorum_met,
            passed=verdict.passed, explanation=verdict.explanation,
        )  # fmt: skip
        return {"explanation": verdict.explanation}

    data = {"outcome": outcome, "kind": VillagerMeetingKind(vote.kind).label,
            "应到会": vote.entitled, "实到会": vote.present, "赞成": vote.yes, "反对": vote.no,
            "弃权": vote.abstain}  # fmt: skip
    take_step(actor=actor, definition=FOUR_TWO, record=matter, step=f"resolve_{outcome}",
              effective_date=vote.held_on, data=data, expected_version=version,
              perform=perform)  # fmt: skip
    return verdict


# --- 两公开 --------------------------------------------------------------------------------------


@dataclass
class Notice:
    """公开: when, where (村务公开栏 or another channel, named) and what was posted."""

    on: dt.date
    channel: str
    text: str
    channel_text: str = ""


def _publish(actor: Any, matter: Matter, version: int, kind: str, n: Notice) -> None:
    if n.channel not in Publication.Channel.values:
        raise DomainError("请选择公开渠道。", field="channel")
    if n.channel == Publication.Channel.OTHER and not n.channel_text.strip():
        raise DomainError("请填写其他公开渠道的名称。", field="channel_text")
    if not n.text.strip():
        raise DomainError("请填写公开内容。", field="text")

    def perform(m: Matter) -> dict[str, Any]:
        p = Publication.objects.create(
            matter=m, kind=kind, published_on=n.on, channel=n.channel,
            channel_text=n.channel_text.strip(), text=n.text.strip(),
        )  # fmt: skip
        return {"where": p.where}

    step = "publish_decision" if kind == Publication.Kind.DECISION else "publish_result"
    take_step(actor=actor, definition=FOUR_TWO, record=matter, step=step, effective_date=n.on,
              expected_version=version, perform=perform)  # fmt: skip


def publish_decision(*, actor: Any, matter: Matter, version: int, notice: Notice) -> None:
    """决议公开."""
    _publish(actor, matter, version, Publication.Kind.DECISION, notice)


def publish_result(*, actor: Any, matter: Matter, version: int, notice: Notice) -> None:
    """实施结果公开."""
    _publish(actor, matter, version, Publication.Kind.RESULT, notice)


# --- 打印 ---------------------------------------------------------------------------------------


def print_record(*, actor: Any, matter: Matter) -> bytes:
    """打印「四议两公开」工作记录: whoever sees the matter's organization; audited."""
    from dangjian.deliberations.pdf import work_record_pdf

    if not scope_for(actor).can(Ability.VIEW_MEMBERS, matter.org.path):
        raise DomainError("您没有查看该党组织的权限，不能打印工作记录。")
    body = work_record_pdf(matter, printed_by=person_name(actor_user(actor)))
    record_audit(PRINT_RECORD, actor=actor, target=matter, detail={"title": matter.title})
    return body
