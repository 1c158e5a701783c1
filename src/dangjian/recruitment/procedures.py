"""发展党员 as one table of steps (docs/zh/recruitment.md has it with the tests that prove it).

Who: the branch (维护党员信息 on the applicant's 党支部) records what the branch does; the nearest
基层党委 with approval power (审批发展党员 on `orgs.selectors.approving_committee`) takes its
备案, 预审, 谈话 and 审批. Every limit is a `RuleValue` (core/rules_seed.py): a waiting period
(`waits`) or a rule refuses (hard); a `due` date or a soft rule warns and is recorded as late
(soft). A period is read as in force on the day its clock started, so a case begun under the
2014 细则 finishes under it even after a revision (细则的一般过渡原则).

The steps, in the order of rules.md §1 (the docs table gives each one's rule, article, hard or
soft, and the test that proves it):

- A 申请入党: `apply` (年满十八岁, hard), `talk` (due 1 month, soft).
- B 入党积极分子: `confirm_activist` (推荐方式; 28岁以下团员推优, soft), `file_activist` (党委),
  `assign_contacts` (1–2 正式党员, hard); 思想汇报 and 考察 are `Report` and `Assessment`
  entries (quarterly / half-yearly, soft, on the 工作台).
- C 发展对象: `confirm_candidate` (waits 1 year, hard; 联系人, 意见 hard; 备案, 考察 soft),
  `file_candidate` (党委), `set_introducers` (2 正式党员, not 留党察看, hard), `political_review`,
  `training` (≥ 3 days or ≥ 24 学时: 一般, soft).
- D 接收预备党员: `committee_review` (介绍人, 政审合格, 培训, hard), `pre_review` /
  `pre_review_failed` (党委), `publish` and `end_publicity` (waits 5 working days, hard),
  `fill_form`, `put_to_vote` (公示 and 培训 over, a 支部党员大会 of the branch, hard; 1 month after
  预审, soft), `admit` / `admit_failed` (the poll's quorum and majority), `committee_talk`
  (党委), `approve` (谈话 first and 6 months at most, hard; 3 months, soft) / `disapprove`,
  `file_upper` (党委). Step 19 (编入党支部和党小组) is the register: `approve` creates the member.
- E 预备期: `oath` (1 month, soft), `apply_full`, `put_conversion_to_vote` (申请 for 转正; 延长
  once, 6–12 months, hard), `resolve_convert` / `resolve_extend` (at expiry, hard) /
  `resolve_cancel`, `conversion_failed`, `approve_convert` / `approve_extend` / `approve_cancel`
  (3 months, soft) / `refuse_resolution`, `archive`.
- `terminate` (终止培养, a reason) from any state before the 支部党员大会's decision.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from dateutil.relativedelta import relativedelta

from dangjian.accounts.abilities import Ability
from dangjian.audit.actions import register_action
from dangjian.core.dates import today
from dangjian.core.procedures import (
    START,
    STAY,
    Check,
    Period,
    Procedure,
    Rule,
    Step,
    Who,
    register,
)
from dangjian.meetings.models import Meeting, MeetingKind
from dangjian.orgs.selectors import approving_committee
from dangjian.recruitment.models import Applicant
from dangjian.votes.selectors import motion_not_carried, motion_not_rejected

S = Applicant.Status
P = Applicant.Proposal

RECRUITMENT_STEP = register_action("recruitment.take_step", "发展党员办理")
APPROVE_STEP = register_action("recruitment.approve_step", "发展党员审批、预审、备案")

BRANCH = Who(Ability.EDIT_MEMBERS, node=lambda a: a.org)
COMMITTEE = Who(Ability.APPROVE_RECRUITMENT, node=lambda a: approving_committee(a.org))

# Rule keys (core/rules_seed.py), one name each so the docs table and the tests share them.
MIN_AGE = "admission.min_age"
TALK_MONTHS = "recruitment.talk_months"
LEAGUE_AGE = "recruitment.league_recommendation_age"
CONTACTS_MAX = "recruitment.contacts_max"
REPORT_MONTHS = "recruitment.report_interval_months"
ASSESS_MONTHS = "recruitment.assessment_interval_months"
TRAINING_MONTHS = "recruitment.activist_training_months"
INTRODUCERS = "recruitment.introducers"
TRAINING_DAYS = "recruitment.training_min_days"
TRAINING_HOURS = "recruitment.training_min_hours"
PUBLICITY_DAYS = "recruitment.publicity_working_days"
VOTE_MONTHS = "recruitment.vote_after_pre_review_months"
APPROVAL_MONTHS = "recruitment.approval_months"
APPROVAL_MAX_MONTHS = "recruitment.approval_max_months"
OATH_MONTHS = "recruitment.oath_months"
PROBATION_REVIEW_MONTHS = "recruitment.probation_review_months"
EXTENSION_MIN = "probation.extension_min_months"
EXTENSION_MAX = "probation.extension_max_months"

BEFORE_ADMISSION = (
    S.APPLIED, S.TALKED, S.ACTIVIST, S.CANDIDATE, S.REVIEWED, S.PRE_APPROVED, S.PUBLICITY,
    S.PUBLICIZED, S.FORM,
)  # fmt: skip


def months_after(start: dt.date, key: str) -> dt.date:
    """`start` plus the rule's months, the rule read as in force on `start`."""
    from dangjian.core.models import rule_value

    return start + relativedelta(months=int(rule_value(key, start)))


def _cite(check: Check, key: str, on: dt.date | None = None) -> str:
    from dangjian.core.models import rule_in_force

    row = rule_in_force(key, on or check.on)
    return f"（{row.description}，依据{row.source}）"


# --- rules -------------------------------------------------------------------------------------


def _last(check: Check, step: str) -> Any:
    """The latest `step` of the current case: a file reopened on 重新申请 after 终止培养 keeps
    its history, but nothing taken before the last 递交入党申请书 counts again (an old case's
    培养联系人, 政审 or 培训 is not this case's)."""
    for taken in reversed(check.history):
        if taken.step == step:
            return taken
        if taken.step == "apply":
            return None
    return None


def _in_order(check: Check) -> str | None:
    """Every step is dated no earlier than the step before it, and not in the future."""
    if check.on > today():
        return f"{check.step.label}的日期不能晚于今天"
    last = check.history[-1] if check.history else None
    if last is not None and check.on < last.effective_date:
        return f"{check.step.label}的日期不能早于上一步（{last.effective_date:%Y-%m-%d}）"
    return None


IN_ORDER = Rule("按顺序办理", _in_order)


def _previewing(check: Check) -> bool:
    """Whether the engine is only judging whether to offer the step (`steps_available`): a rule
    on the form's own fields is judged when the step is taken, with or without data."""
    return check.preview


def _of_age(check: Check) -> str | None:
    age = relativedelta(check.on, check.record.birth_date).years
    need = int(check.rule(MIN_AGE).value)
    if age < need:
        return f"申请人递交入党申请书时未满{need}周岁{_cite(check, MIN_AGE)}"
    return None


def _recommended(check: Check) -> str | None:
    if _previewing(check):
        return None
    if check.data.get("recommendation") not in Applicant.Recommendation.values:
        return "确定入党积极分子须写明推荐方式（党员推荐或群团组织推优，细则第八条）"
    return None


def _league_recommended(check: Check) -> str | None:
    """28周岁以下的共青团员入党，一般应经团组织推荐 (soft: 一般)."""
    record = check.record
    if _previewing(check):
        return None
    limit = int(check.rule(LEAGUE_AGE).value)
    young = relativedelta(check.on, record.birth_date).years <= limit
    if record.league_member and young and check.data.get("recommendation") != "league":
        return f"{limit}周岁以下的共青团员一般应经共青团组织推优{_cite(check, LEAGUE_AGE)}"
    return None


def _contacts_ok(check: Check) -> str | None:
    if _previewing(check):
        return None
    ids = check.data.get("contacts") or []
    most = int(check.rule(CONTACTS_MAX).value)
    if not 1 <= len(ids) <= most:
        return f"培养联系人须为1至{most}名正式党员{_cite(check, CONTACTS_MAX)}"
    return _full_members_in(check, ids, "培养联系人")


def _full_members_in(check: Check, ids: list[Any], role: str) -> str | None:
    from dangjian.members.choices import MemberCategory, MemberStatus
    from dangjian.members.models import Member, PartyProbation

    members = Member.objects.filter(pk__in=ids)
    for m in members:
        if m.status != MemberStatus.ACTIVE or m.category != MemberCategory.FULL:
            return f"{m.name}不是正式党员，不能担任{role}（细则第九条、第十四条）"
    if len(members) != len(set(ids)):
        return f"{role}须从本系统登记的党员中选择"
    # Under 留党察看 from its start to the day before its end (the day rights come back), as
    # the electorate reads it (votes.selectors).
    under = PartyProbation.objects.filter(member_id__in=ids, start_date__lte=check.on).exclude(
        end_date__lte=check.on
    )
    found = under.select_related("member").first()
    if found is not None:
        return f"{found.member.name}正在留党察看期间，不能担任{role}（党章第四十条）"
    return None


def _contacts_named(check: Check) -> str | None:
    if _last(check, "assign_contacts") is None:
        return "确定发展对象前须指定培养联系人（细则第九条）"
    return None


# 确定发展对象 is decided after hearing these four (细则第十三条): the form's checkboxes.
OPINIONS = {"group": "党小组", "contacts": "培养联系人", "members": "党员", "masses": "群众"}


def _opinions_heard(check: Check) -> str | None:
    if _previewing(check):
        return None
    heard = set(check.data.get("opinions_heard") or ())
    missing = [label for key, label in OPINIONS.items() if key not in heard]
    if missing:
        return (
            "确定发展对象须在听取党小组、培养联系人、党员和群众意见的基础上进行（细则第十三条），"
            f"尚未听取：{'、'.join(missing)}的意见"
        )
    return None


def _filed(step: str, what: str) -> Any:
    def test(check: Check) -> str | None:
        if _last(check, step) is None:
            return f"{what}一般应先报上级党委备案（细则第八条、第十三条）"
        return None

    return test


def _assessed(check: Check) -> str | None:
    """The activist was assessed at least every half year (每半年考察一次, 细则第十一条)."""
    record = check.record
    start = record.activist_on
    if start is None:
        return None
    dates = sorted(
        record.assessments.filter(
            kind="activist", assessed_on__gte=start, assessed_on__lte=check.on
        ).values_list("assessed_on", flat=True)
    )
    mark = start
    for when in [*dates, check.on]:
        limit = months_after(mark, ASSESS_MONTHS)
        if when > limit:
            return (
                f"{mark:%Y-%m-%d} 之后超过半年没有培养考察记录{_cite(check, ASSESS_MONTHS, mark)}"
            )
        mark = when
    return None


def _introducers_ok(check: Check) -> str | None:
    if _previewing(check):
        return None
    ids = check.data.get("introducers") or []
    need = int(check.rule(INTRODUCERS).value)
    if len(set(ids)) != need:
        return f"入党介绍人须为{need}名正式党员{_cite(check, INTRODUCERS)}"
    return _full_members_in(check, ids, "入党介绍人")


def _training_enough(check: Check) -> str | None:
    if _previewing(check):
        return None
    days = int(check.data.get("days") or 0)
    hours = int(check.data.get("hours") or 0)
    min_days, min_hours = (
        int(check.rule(TRAINING_DAYS).value),
        int(check.rule(TRAINING_HOURS).value),
    )
    if days < min_days and hours < min_hours:
        return (
            f"集中培训时间不少于{min_days}天或不少于{min_hours}个学时{_cite(check, TRAINING_DAYS)}"
        )
    return None


def _ready_for_review(check: Check) -> str | None:
    missing = []
    if _last(check, "set_introducers") is None:
        missing.append("确定入党介绍人")
    review = _last(check, "political_review")
    if review is None:
        missing.append("政治审查")
    elif review.outcome != "passed":
        return "政治审查结论为不合格的，不能发展（细则第十六条）"
    training = _last(check, "training")
    if training is None:
        missing.append("集中培训")
    if missing:
        return f"支部委员会审查前须完成：{'、'.join(missing)}（细则第十四条至第十七条）"
    return None


def _trained_before(check: Check) -> str | None:
    """No vote before the concentrated training has ended (未经培训的，不能发展, 细则第十七条)."""
    training = _last(check, "training")
    ended = training.data.get("end") if training else None
    if ended and check.on < dt.date.fromisoformat(ended):
        return f"集中培训至 {ended} 结束，支部党员大会须在培训结束后召开（细则第十七条）"
    return None


def _publicity_over(check: Check) -> str | None:
    """The 公示 has ended (its waiting period is checked on `end_publicity`; the vote must be
    dated no earlier)."""
    ended = check.last("end_publicity")
    if ended is None:
        return "公示尚未结束，不能提交支部党员大会讨论"
    return None


def _poll_of_meeting(check: Check) -> str | None:
    """The vote is held in a 支部党员大会 of the applicant's own branch: the meeting chosen in
    the step's data (`meeting_id`; the poll is created when the step is taken), else the file's.
    Judged when there is one: the form asks for it, and the service refuses without."""
    record = check.record
    pk = check.data.get("meeting_id")
    meeting = Meeting.objects.filter(pk=pk).first() if pk else record.meeting
    if meeting is None:
        return None
    if meeting.org_id != record.org_id or meeting.kind != MeetingKind.GENERAL:
        return "须在本支部的支部党员大会上讨论（细则第二十条）"
    if meeting.status == Meeting.Status.CANCELLED:
        return "该支部党员大会已取消"
    return None


def _passed(check: Check) -> str | None:
    return motion_not_carried(check.record.poll, "（细则第二十一条）")


def _not_passed(check: Check) -> str | None:
    return motion_not_rejected(check.record.poll, "请登记支部党员大会决议")


def _vote_date(check: Check) -> dt.date | None:
    step = check.last("admit")
    return step.effective_date if step else None


def _talked_by_committee(check: Check) -> str | None:
    if check.last("committee_talk") is None:
        return "审批前须由上级党委派人同发展对象谈话（细则第二十四条）"
    return None


def _within_max_approval(check: Check) -> str | None:
    voted = _vote_date(check)
    if voted is None:
        return None
    latest = months_after(voted, APPROVAL_MAX_MONTHS)
    if check.on > latest:
        return (
            f"支部党员大会决议（{voted:%Y-%m-%d}）后审批最长不超过至 {latest:%Y-%m-%d}"
            f"{_cite(check, APPROVAL_MAX_MONTHS, voted)}，须重新履行程序"
        )
    return None


def _reason_given(check: Check) -> str | None:
    if _previewing(check):
        return None
    if not str(check.data.get("reason") or check.data.get("note") or "").strip():
        return f"{check.step.label}须写明原因"
    return None


def _probation_over(check: Check) -> str | None:
    """转正 and 延长 are discussed when the probation has ended (预备期满, 细则第三十三条): the
    proposal the step puts to the meeting (its form's; none yet when the page lists the steps,
    as 取消 may be put at any time) or, for the resolution, the one the meeting was asked."""
    asking = check.step.name == "put_conversion_to_vote"
    proposal = check.data.get("proposal") if asking else check.record.proposal
    if not proposal or proposal == P.CANCEL:
        return None
    member = check.record.member
    end = member.probation_end if member else None
    if end is not None and check.on < end:
        return f"预备期至 {end:%Y-%m-%d} 期满，转正或延长预备期须在期满之日及以后讨论（党章第七条）"
    return None


def _proposal_is(proposal: str) -> Any:
    def test(check: Check) -> str | None:
        if check.record.proposal != proposal:
            asked = P(check.record.proposal).label if check.record.proposal else "—"
            return f"支部党员大会讨论的是「{asked}」"
        return None

    return test


def _extension_allowed(check: Check) -> str | None:
    if check.data.get("proposal") != P.EXTEND:
        return None
    if check.last("approve_extend") is not None:
        return "预备期只能延长一次（党章第七条；细则第三十四条）"
    months = int(check.data.get("months") or 0)
    low, high = int(check.rule(EXTENSION_MIN).value), int(check.rule(EXTENSION_MAX).value)
    if not low <= months <= high:
        return f"延长预备期不能少于{low}个月，最长不超过{high}个月{_cite(check, EXTENSION_MAX)}"
    return None


def _applied_for_full(check: Check) -> str | None:
    """The person's written 转正申请, received since the probation last began (after an
    extension the person applies again at its end)."""
    if check.data.get("proposal") != P.CONVERT:
        return None
    applied = check.last("apply_full")
    extended = check.last("approve_extend")
    if applied is None or (extended is not None and applied.pk < extended.pk):
        return "讨论转正前须有本人的书面转正申请（细则第三十三条）"
    return None


def _rules(*rules: Rule) -> tuple[Rule, ...]:
    return (IN_ORDER, *rules)


# --- the table ---------------------------------------------------------------------------------


ALREADY = "已办理"  # how a once-only step's refusal starts: pages leave such steps out


def _once(since: tuple[str, ...]) -> Rule:
    """A step taken once per case (备案, 入党宣誓 …), or once since one of `since` (a new 转正申请
    after the probation was extended)."""

    def test(check: Check) -> str | None:
        for taken in reversed(check.history):
            if taken.step == check.step.name:
                return f"{ALREADY}：{check.step.label}已于 {taken.effective_date:%Y-%m-%d} 办理"
            if taken.step == "apply" or taken.step in since:
                return None
        return None

    return Rule("只办理一次", test)


def done_already(option: Any) -> bool:
    """Whether a refused option is only a once-only step already taken (not worth showing)."""
    return not option.allowed and option.reason.startswith(ALREADY)


def _step(
    name: str,
    label: str,
    sources: tuple[str, ...],
    target: str,
    *,
    once: tuple[str, ...] | None = None,
    **kw: Any,
) -> Step:
    kw["rules"] = _rules(*kw.get("rules", ()))
    if once is not None:
        kw["rules"] = (_once(once), *kw["rules"])
    if kw.get("who") is COMMITTEE:
        kw.setdefault("audit_action", APPROVE_STEP.name)
    return Step(name, label, sources, target, **kw)


B, C = BRANCH, COMMITTEE
VOTE_STEPS = ("put_to_vote", "put_conversion_to_vote")

RECRUITMENT = register(
    Procedure(
        name="recruitment",
        label="发展党员",
        model=Applicant,
        states=S,
        audit_action=RECRUITMENT_STEP.name,
        state_field="status",
        state_at_field="status_at",
        version_field="version",
        steps=(
            # A. 申请入党
            _step("apply", "递交入党申请书", (START, S.CLOSED), S.APPLIED, who=B,
                  rules=(Rule("年满十八岁", _of_age),), voidable=True),
            _step("talk", "派人谈话", (S.APPLIED,), S.TALKED, who=B,
                  due=Period("谈话期限", after="apply", rule=TALK_MONTHS)),
            # B. 入党积极分子的确定和培养教育
            _step("confirm_activist", "确定为入党积极分子", (S.TALKED,), S.ACTIVIST, who=B,
                  rules=(Rule("推荐方式", _recommended),
                         Rule("团员推优", _league_recommended, soft=True))),
            _step("file_activist", "入党积极分子报上级党委备案", (S.ACTIVIST,), S.ACTIVIST, who=C,
                  once=()),
            _step("assign_contacts", "指定培养联系人", (S.ACTIVIST, S.CANDIDATE), STAY,
                  who=B, rules=(Rule("一至二名正式党员", _contacts_ok),)),
            # C. 发展对象的确定和考察
            _step("confirm_candidate", "确定为发展对象", (S.ACTIVIST,), S.CANDIDATE, who=B,
                  waits=Period("培养考察期", after="confirm_activist", rule=TRAINING_MONTHS),
                  rules=(Rule("培养联系人", _contacts_named), Rule("听取意见", _opinions_heard),
                         Rule("积极分子备案", _filed("file_activist", "入党积极分子"), soft=True),
                         Rule("每半年考察", _assessed, soft=True))),
            _step("file_candidate", "发展对象报上级党委备案", (S.CANDIDATE,), S.CANDIDATE, who=C,
                  once=()),
            _step("set_introducers", "确定入党介绍人", (S.CANDIDATE,), S.CANDIDATE, who=B,
                  rules=(Rule("两名正式党员", _introducers_ok),)),
            _step("political_review", "政治审查", (S.CANDIDATE,), S.CANDIDATE, who=B),
            _step("training", "集中培训", (S.CANDIDATE,), S.CANDIDATE, who=B,
                  rules=(Rule("培训时间", _training_enough, soft=True),)),
            # D. 预备党员的接收
            _step("committee_review", "支部委员会审查", (S.CANDIDATE,), S.REVIEWED, who=B,
                  rules=(Rule("材料齐全", _ready_for_review),
                         Rule("发展对象备案", _filed("file_candidate", "发展对象"), soft=True))),
            _step("pre_review", "上级党委预审通过", (S.REVIEWED,), S.PRE_APPROVED, who=C),
            _step("pre_review_failed", "上级党委预审未通过", (S.REVIEWED,), S.CANDIDATE, who=C,
                  rules=(Rule("写明原因", _reason_given),)),
            _step("publish", "发布公示", (S.PRE_APPROVED,), S.PUBLICITY, who=B, voidable=True),
            _step("end_publicity", "公示结束", (S.PUBLICITY,), S.PUBLICIZED, who=B,
                  waits=Period("公示期", after="publish", rule=PUBLICITY_DAYS, working=True)),
            _step("fill_form", "填写入党志愿书", (S.PUBLICIZED,), S.FORM, who=B),
            _step("put_to_vote", "提交支部党员大会讨论表决", (S.FORM,), S.VOTING, who=B,
                  rules=(Rule("公示结束", _publicity_over), Rule("培训结束", _trained_before),
                         Rule("支部党员大会", _poll_of_meeting)),
                  due=Period("预审后召开支部党员大会期限", after="pre_review", rule=VOTE_MONTHS)),
            _step("admit", "支部党员大会通过接收为预备党员", (S.VOTING,), S.VOTED, who=B,
                  rules=(Rule("表决通过", _passed),)),
            _step("admit_failed", "支部党员大会未通过", (S.VOTING,), S.CANDIDATE, who=B,
                  rules=(Rule("表决未通过", _not_passed),)),
            _step("committee_talk", "上级党委派人谈话", (S.VOTED,), S.VOTED, who=C,
                  once=("admit",)),
            _step("approve", "上级党委审批同意接收为预备党员", (S.VOTED,), S.PROBATIONARY, who=C,
                  rules=(Rule("审批前谈话", _talked_by_committee),
                         Rule("审批最长期限", _within_max_approval)),
                  due=Period("审批期限", after="admit", rule=APPROVAL_MONTHS)),
            _step("disapprove", "上级党委不予批准", (S.VOTED,), S.CLOSED, who=C,
                  rules=(Rule("写明原因", _reason_given),)),
            _step("file_upper", "报再上一级党委组织部门备案", (S.PROBATIONARY,), S.PROBATIONARY,
                  who=C, once=()),
            # E. 预备党员的教育考察和转正
            _step("oath", "入党宣誓", (S.PROBATIONARY,), S.PROBATIONARY, who=B, once=(),
                  due=Period("入党宣誓期限", after="approve", rule=OATH_MONTHS)),
            _step("apply_full", "提出转正申请", (S.PROBATIONARY,), S.PROBATIONARY, who=B,
                  once=("approve_extend",)),
            _step("put_conversion_to_vote", "提交支部党员大会讨论转正", (S.PROBATIONARY,),
                  S.CONVERSION_VOTING, who=B,
                  rules=(Rule("转正申请", _applied_for_full),
                         Rule("延长预备期", _extension_allowed),
                         Rule("预备期满", _probation_over),
                         Rule("支部党员大会", _poll_of_meeting))),
            _step("resolve_convert", "支部党员大会通过按期转正", (S.CONVERSION_VOTING,),
                  S.TO_CONVERT, who=B,
                  rules=(Rule("讨论事项", _proposal_is(P.CONVERT)),
                         Rule("预备期满", _probation_over),
                         Rule("表决通过", _passed))),
            _step("resolve_extend", "支部党员大会通过延长预备期", (S.CONVERSION_VOTING,),
                  S.TO_EXTEND, who=B,
                  rules=(Rule("讨论事项", _proposal_is(P.EXTEND)),
                         Rule("预备期满", _probation_over),
                         Rule("表决通过", _passed))),
            _step("resolve_cancel", "支部党员大会通过取消预备党员资格", (S.CONVERSION_VOTING,),
                  S.TO_CANCEL, who=B,
                  rules=(Rule("讨论事项", _proposal_is(P.CANCEL)), Rule("表决通过", _passed))),
            _step("conversion_failed", "支部党员大会表决未通过", (S.CONVERSION_VOTING,),
                  S.PROBATIONARY, who=B, rules=(Rule("表决未通过", _not_passed),)),
            _step("approve_convert", "上级党委批准转为正式党员", (S.TO_CONVERT,), S.FULL, who=C,
                  due=Period("审批期限", after="resolve_convert", rule=APPROVAL_MONTHS)),
            _step("approve_extend", "上级党委批准延长预备期", (S.TO_EXTEND,), S.PROBATIONARY,
                  who=C, due=Period("审批期限", after="resolve_extend", rule=APPROVAL_MONTHS)),
            _step("approve_cancel", "上级党委批准取消预备党员资格", (S.TO_CANCEL,), S.CANCELLED,
                  who=C, due=Period("审批期限", after="resolve_cancel", rule=APPROVAL_MONTHS)),
            _step("refuse_resolution", "上级党委不批准支部大会决议", (S.TO_CONVERT, S.TO_EXTEND,
                  S.TO_CANCEL), S.PROBATIONARY, who=C, rules=(Rule("写明原因", _reason_given),)),
            _step("archive", "材料归档", (S.FULL,), S.ARCHIVED, who=B),
            _step("terminate", "终止培养", BEFORE_ADMISSION, S.CLOSED, who=B,
                  rules=(Rule("写明原因", _reason_given),)),
        ),
    )
)  # fmt: skip
