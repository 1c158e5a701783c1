"""四议两公开的程序 (rules.md §6; 《中国共产党农村基层组织工作条例》(2019) names the method):

    propose (党组织提议) → proposed
    proposed → consult (“两委”会议商议：同意/修改后同意) → consulted | consult_reject → ended
    consulted → send_plan (方案送达党员) → notified
    proposed → send_plan, only for a 一肩挑 village (提议与商议合并, fourtwo.merge_when_one_person)
    notified → convene (召开党员大会; ≥ fourtwo.member_notice_days after the plan was sent)
    convened → review_pass → reviewed | review_fail → ended | review_void (不足法定人数) → notified
    reviewed → resolve_pass → resolved | resolve_fail → ended
             | resolve_void (不足法定人数) → reviewed
    resolved → publish_decision (决议公开) → published → publish_result (实施结果公开) → completed

Every step by 组织会议和组织生活 (RUN_MEETINGS) on the matter's organization: the village's
党组织 runs the whole method, no higher approval (the 乡镇党委 guides; it approves nothing here).
A matter not passed (两委不同意, 党员大会或村民会议未通过) ends; the 党组织 may propose a revised
plan as a new matter. A meeting without its quorum decides nothing: it stays on record and the
meeting may be held again.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone

from dangjian.accounts.abilities import Ability
from dangjian.audit.actions import register_action
from dangjian.core.procedures import (
    START,
    Check,
    Procedure,
    Rule,
    Step,
    Who,
    register,
    steps_available,
)
from dangjian.deliberations.models import Matter, MatterStatus
from dangjian.orgs.models import BRANCH_KINDS, OrgKind, Unit

S = MatterStatus
PROPOSE = register_action("deliberations.propose_matter", "四议两公开：党组织提议")
CONSULT = register_action("deliberations.record_consultation", "四议两公开：两委会议商议")
SEND_PLAN = register_action("deliberations.send_plan", "四议两公开：方案送达党员")
CONVENE = register_action("deliberations.convene_review", "四议两公开：召开党员大会")
REVIEW = register_action("deliberations.record_review", "四议两公开：党员大会审议")
RESOLVE = register_action("deliberations.record_resolution", "四议两公开：村民（代表）会议决议")
PUBLISH = register_action("deliberations.publish", "四议两公开：公开")
PRINT_RECORD = register_action("deliberations.print_record", "打印四议两公开工作记录")

# The unit categories whose 党组织 use 四议两公开: villages (村民委员会组织法). Communities (社区)
# follow the 城市居民委员会组织法, whose 居民会议 rules differ: not offered (decision in docs).
VILLAGE_CATEGORIES = frozenset({Unit.Category.VILLAGE})

# The organizations that hold a 支部党员大会 (meetings.services.KINDS_BY_ORG): a 村党委 holds
# none there, so its 4+2 cannot be recorded until meetings lets a committee hold one.
REVIEWING_KINDS = frozenset({*BRANCH_KINDS, OrgKind.GENERAL_BRANCH})

BRANCH = Who(Ability.RUN_MEETINGS, node=lambda m: m.org)


def is_village_org(org: Any) -> bool:
    """Whether `org` sits in a village (its 单位 is a 村): only those hold 四议两公开."""
    unit = getattr(org, "unit", None)
    return unit is not None and unit.category in VILLAGE_CATEGORIES


def _village(check: Check) -> str | None:
    if is_village_org(check.record.org):
        return None
    return "“四议两公开”适用于村党组织：该党组织的所在单位不是村（请在组织信息中设置所在单位）"


def _not_future(check: Check) -> str | None:
    if check.on <= timezone.localdate():
        return None
    return f"日期 {check.on:%Y-%m-%d} 晚于今天，请在办理后登记"


def _in_order(check: Check) -> str | None:
    """A step is dated on or after the step before it (the record reads in order)."""
    if not check.history or check.history[-1].effective_date <= check.on:
        return None
    last = check.history[-1]
    return f"日期不能早于上一步骤的日期 {last.effective_date:%Y-%m-%d}"


def _merge_allowed(check: Check) -> str | None:
    """提议 and 商议 merged: only a 一肩挑 village, where the local rule allows it."""
    if check.history and check.history[-1].to_state != S.PROPOSED:
        return None
    matter = check.record
    row = check.rule("fourtwo.merge_when_one_person")
    if not matter.one_person_both_posts:
        return "须先召开“两委”会议商议（只有书记兼任村委会主任的，提议与商议可以合并）"
    if int(row.value) != 1:
        return (
            f"本地规定不允许提议与商议合并（{row.description}，依据{row.source}），"
            "须先召开“两委”会议商议"
        )
    return None


def notice_problem(check: Check) -> str | None:
    """The plan reaches members at least `fourtwo.member_notice_days` before the 党员大会: the
    meeting's date less the sending date is at least that many days."""
    sent = check.last("send_plan")
    if sent is None:
        return None
    row = check.rule("fourtwo.member_notice_days")
    days = int(row.value)
    if (check.on - sent.effective_date).days >= days:
        return None
    return (
        f"方案于 {sent.effective_date:%Y-%m-%d} 送达党员，党员大会最早于 "
        f"{sent.effective_date + dt.timedelta(days=days):%Y-%m-%d} 召开"
        f"（{row.description}，依据{row.source}）"
    )


def _poll_result(check: Check) -> dict[str, Any] | None:
    poll = check.record.poll
    if poll is None or poll.status != poll.Status.CLOSED or poll.result is None:
        return None
    return dict(poll.result)


def _poll_closed(check: Check) -> str | None:
    if _poll_result(check) is None:
        return (
            "党员大会的表决尚未计票：请在会议页面登记出席情况，在表决页面投票（或录入纸质票）、"
            "结束投票并计票后，再登记审议结果"
        )
    return None


def _review_is(outcome: str) -> Any:
    def test(check: Check) -> str | None:
        result = _poll_result(check)
        if result is None:
            return None  # _poll_closed says why
        actual = review_outcome(result)
        if actual == outcome:
            return None
        return f"表决结果为“{REVIEW_WORDS[actual]}”"

    return test


REVIEW_WORDS = {"pass": "通过", "fail": "未通过", "void": "到会人数不足或投票无效，未作决定"}


def review_outcome(result: dict[str, Any]) -> str:
    """pass / fail / void from a closed poll's stored result."""
    if not result.get("quorum_met") or result.get("void"):  # 人数不足, or 收回多于发出
        return "void"
    return "pass" if result.get("passed") else "fail"


def _resolution_is(outcome: str) -> Any:
    def test(check: Check) -> str | None:
        said = check.data.get("outcome")
        if said is None or said == outcome:
            return None
        return "决议结果与登记的人数不符"

    return test


_ORDER = Rule("日期顺序", _in_order)
_NOW = Rule("日期", _not_future)


def _review(name: str, label: str, target: str) -> Step:
    outcome = name.split("_")[1]
    return Step(
        name,
        label,
        (S.CONVENED,),
        target,
        who=BRANCH,
        rules=(Rule("表决已计票", _poll_closed), Rule("表决结果", _review_is(outcome)), _ORDER),
        audit_action=REVIEW.name,
    )


def _resolve(name: str, label: str, target: str) -> Step:
    outcome = name.split("_")[1]
    return Step(
        name,
        label,
        (S.REVIEWED,),
        target,
        who=BRANCH,
        rules=(Rule("决议结果", _resolution_is(outcome)), _ORDER, _NOW),
        audit_action=RESOLVE.name,
    )


FOUR_TWO: Procedure = register(
    Procedure(
        name="four_two",
        label="四议两公开",
        model=Matter,
        states=S,
        audit_action=PROPOSE.name,
        state_field="status",
        version_field="version",
        steps=(
            Step(
                "propose",
                "党组织提议",
                (START,),
                S.PROPOSED,
                who=BRANCH,
                rules=(Rule("村党组织", _village), _NOW),
            ),
            Step(
                "consult",
                "“两委”会议商议",
                (S.PROPOSED,),
                S.CONSULTED,
                who=BRANCH,
                rules=(_ORDER, _NOW),
                audit_action=CONSULT.name,
            ),
            Step(
                "consult_reject",
                "“两委”会议商议不同意",
                (S.PROPOSED,),
                S.ENDED,
                who=BRANCH,
                rules=(_ORDER, _NOW),
                audit_action=CONSULT.name,
            ),
            Step(
                "send_plan",
                "方案送达党员",
                (S.PROPOSED, S.CONSULTED),
                S.NOTIFIED,
                who=BRANCH,
                rules=(Rule("提议与商议合并", _merge_allowed), _ORDER, _NOW),
                audit_action=SEND_PLAN.name,
            ),
            Step(
                "convene",
                "召开党员大会",
                (S.NOTIFIED,),
                S.CONVENED,
                who=BRANCH,
                rules=(Rule("提前送达方案", notice_problem), _ORDER),
                audit_action=CONVENE.name,
            ),
            _review("review_pass", "党员大会审议通过", S.REVIEWED),
            _review("review_fail", "党员大会审议未通过", S.ENDED),
            _review("review_void", "党员大会未作决定（到会人数不足或投票无效）", S.NOTIFIED),
            _resolve("resolve_pass", "村民（代表）会议决议通过", S.RESOLVED),
            _resolve("resolve_fail", "村民（代表）会议决议未通过", S.ENDED),
            _resolve("resolve_void", "村民（代表）会议到会人数不足", S.REVIEWED),
            Step(
                "publish_decision",
                "决议公开",
                (S.RESOLVED,),
                S.PUBLISHED,
                who=BRANCH,
                rules=(_ORDER, _NOW),
                audit_action=PUBLISH.name,
            ),
            Step(
                "publish_result",
                "实施结果公开",
                (S.PUBLISHED,),
                S.COMPLETED,
                who=BRANCH,
                rules=(_ORDER, _NOW),
                audit_action=PUBLISH.name,
            ),
        ),
    )
)

# What the page offers for each group of steps: one form per stage, the service picks the step.
STAGES: dict[str, tuple[str, ...]] = {
    "consult": ("consult", "consult_reject"),
    "send_plan": ("send_plan",),
    "convene": ("convene",),
    "review": ("review_pass", "review_fail", "review_void"),
    "resolve": ("resolve_pass", "resolve_fail", "resolve_void"),
    "publish_decision": ("publish_decision",),
    "publish_result": ("publish_result",),
}


def matter_actions(user: Any, matter: Matter) -> list[dict[str, Any]]:
    """The steps this user may take on the matter now, for the API (and why not)."""
    return [
        {"step": o.name, "title": o.label, "allowed": o.allowed, "reason": o.reason}
        for o in steps_available(user, matter, FOUR_TWO)
    ]
