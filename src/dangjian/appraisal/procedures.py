"""The two procedures of 民主评议党员 as tables (docs/zh/appraisal.md).

民主评议 (one per branch and year; rules.md §4, 支部工作条例):

| step | from → to | who |
|---|---|---|
| 学习动员 `mobilize` | 未开始 → 个人自评 | 组织会议和组织生活 on the branch |
| 开展党员互评 `peer_review` | 个人自评 → 党员互评 | the same |
| 民主测评 `hold_test` | 党员互评 → 民主测评 | 组织表决和选举 (a GRADE poll in the 组织生活会) |
| 确认测评结果 `record_test` | 民主测评 → 待组织评定 | the same; the poll must be counted |
| 组织评定 `rate` | 待组织评定/已评定 → 已评定 | 维护党员信息; 正式党员 graded, 优秀 cap (soft) |
| 反馈公示 `publish` | 已评定 → 反馈公示 | 组织会议和组织生活 |
| 结果运用 `apply` | 反馈公示 → 已完成 | 维护党员信息: grades on the records, 不合格 → 处置 |

组织处置 (党章第九条):

| step | from → to | who |
|---|---|---|
| 限期改正 `set_deadline` | 未开始 → 限期改正 | 维护党员信息 on the branch (不合格 only) |
| 改正合格 `correct` | 限期改正 → 改正合格 | the same, on or after the deadline |
| 提出处置意见 `propose` | 限期改正 → 待支部大会讨论 | the same, on or after the deadline |
| 提出除名意见 `propose_removal` | 未开始 → 待支部大会讨论 | the same (自行脱党 only) |
| 听取本人意见 `hear_member` | 待支部大会讨论 → 待支部大会讨论 | the same |
| 提交支部党员大会表决 `put_to_vote` | 待支部大会讨论 → 表决中 | 组织表决和选举; 本人意见 heard |
| 支部大会通过 `decide` | 表决中 → 待审批 | 维护党员信息; the poll passed (quorum and majority) |
| 表决未通过 `vote_failed` | 表决中 → 待支部大会讨论 | the same; the poll did not pass |
| 上级党委批准 / 不批准 `approve` / `refuse` | 待审批 → 已批准 / 未批准 | 审批组织处置 (党委) |
| 本人拒绝退党，改为除名 `refuses_advice` | 已批准 → 待支部大会讨论 | 维护党员信息 (劝其退党 only) |
| 登记出党 `record_exit` | 已批准 → 已出党 | 维护党员信息: the register's 出党 event |
| 终止处置 `withdraw` | 限期改正/待讨论/表决中 → 已终止 | 维护党员信息 |
"""

from __future__ import annotations

import math
from fractions import Fraction

from dangjian.accounts.abilities import Ability
from dangjian.appraisal.models import (
    EXCELLENT,
    UNGRADED,
    Appraisal,
    Disposition,
)
from dangjian.audit.actions import register_action
from dangjian.core.models import rule_value
from dangjian.core.procedures import START, Check, Procedure, Rule, Step, Who, register
from dangjian.votes.models import Poll
from dangjian.votes.selectors import motion_not_carried, motion_not_rejected

A = Appraisal.Status
D = Disposition.Status

APPRAISAL_STEP = register_action("appraisal.take_appraisal_step", "民主评议党员办理")
WRITE_SELF = register_action("appraisal.write_self_review", "填写个人自评")
RECORD_PEER = register_action("appraisal.record_peer_comments", "录入互评意见")
PRINT_SHEET = register_action(
    "appraisal.print_result_sheet", "打印民主评议党员结果汇总表", tone="sensitive"
)
DISPOSITION_STEP = register_action("appraisal.take_disposition_step", "组织处置办理")
APPROVE_STEP = register_action("appraisal.approve_disposition", "审批组织处置")

MEETINGS = Who(Ability.RUN_MEETINGS, node=lambda a: a.org)
VOTES = Who(Ability.RUN_VOTES, node=lambda a: a.org)
REGISTER = Who(Ability.EDIT_MEMBERS, node=lambda a: a.org)
APPROVER = Who(Ability.APPROVE_DISPOSITIONS, node=lambda d: d.approver)

CAP_RULE = "evaluation.excellent_cap"


def excellent_cap(graded: int, on: object) -> int:
    """The most members a branch should grade 优秀: the cap's share of those graded, rounded
    down (一般不超过三分之一; the share read as in force on the rating day)."""
    share = Fraction(rule_value(CAP_RULE, on)).limit_denominator(1000)  # type: ignore[arg-type]
    return math.floor(share * graded)


# --- 民主评议 rules ----------------------------------------------------------------------------


def _poll_counted(check: Check) -> str | None:
    poll = check.record.poll
    if poll is None or poll.status != Poll.Status.CLOSED:
        return "民主测评尚未结束计票，须先在组织生活会上完成测评并计票"
    return None


def _grades(check: Check) -> dict[int, str]:
    return {int(k): v for k, v in (check.data.get("grades") or {}).items()}


def _every_member_graded(check: Check) -> str | None:
    grades = _grades(check)
    entries = list(check.record.entries.all())
    missing = [
        e.name for e in entries if e.graded and grades.get(e.member_id, "") in ("", UNGRADED)
    ]
    if missing:
        return f"以下正式党员尚未评定等次：{'、'.join(missing)}"
    probationary = [
        e.name for e in entries if not e.graded and grades.get(e.member_id, UNGRADED) != UNGRADED
    ]
    if probationary:
        return f"预备党员参加评议、不评定等次：{'、'.join(probationary)}"
    return None


def _within_cap(check: Check) -> str | None:
    grades = _grades(check)
    graded = sum(1 for e in check.record.entries.all() if e.graded)
    excellent = sum(1 for g in grades.values() if g == EXCELLENT)
    cap = excellent_cap(graded, check.on)
    if excellent <= cap:
        return None
    row = check.rule(CAP_RULE)
    share = Fraction(row.value).limit_denominator(1000)
    return (
        f"评定为优秀 {excellent} 人，超过评定等次的 {graded} 人的 {share}（{cap} 人）；"
        f"{row.description}（依据{row.source}），确需超过的请说明理由"
    )


APPRAISAL = register(
    Procedure(
        name="appraisal",
        label="民主评议党员",
        model=Appraisal,
        states=A,
        audit_action=APPRAISAL_STEP.name,
        state_field="status",
        version_field="version",
        steps=(
            Step("mobilize", "学习动员", (START,), A.SELF_REVIEW, who=MEETINGS),
            Step("peer_review", "开展党员互评", (A.SELF_REVIEW,), A.PEER_REVIEW, who=MEETINGS),
            Step("hold_test", "民主测评", (A.PEER_REVIEW,), A.TESTING, who=VOTES),
            Step(
                "record_test",
                "确认测评结果",
                (A.TESTING,),
                A.TESTED,
                who=VOTES,
                rules=(Rule("测评已计票", _poll_counted),),
            ),
            Step(
                "rate",
                "组织评定",
                (A.TESTED, A.RATED),
                A.RATED,
                who=REGISTER,
                rules=(
                    Rule("逐人评定等次", _every_member_graded),
                    Rule("优秀等次比例", _within_cap, soft=True),
                ),
            ),
            Step("publish", "反馈公示", (A.RATED,), A.PUBLISHED, who=MEETINGS),
            Step("apply", "结果运用", (A.PUBLISHED,), A.DONE, who=REGISTER),
        ),
    )
)


# --- 组织处置 rules ----------------------------------------------------------------------------


def _from_appraisal(check: Check) -> str | None:
    if check.record.source != Disposition.Source.UNQUALIFIED:
        return "限期改正适用于民主评议不合格的党员"
    return None


def _from_lapse(check: Check) -> str | None:
    if check.record.source != Disposition.Source.LAPSE:
        return "直接提出除名意见仅适用于自行脱党的党员；评议不合格的须先限期改正"
    return None


def _deadline_reached(check: Check) -> str | None:
    deadline = check.record.deadline
    if deadline is not None and check.on < deadline:
        return f"改正期限至 {deadline:%Y-%m-%d}，期限届满后方可作出处理（党章第九条：限期改正）"
    return None


def _member_heard(check: Check) -> str | None:
    if check.last("hear_member") is None:
        return "须先通知本人并听取本人意见（本人不参加会议的，可记录后照常进行）"
    return None


def _passed(check: Check) -> str | None:
    return motion_not_carried(check.record.poll)


def _not_passed(check: Check) -> str | None:
    return motion_not_rejected(check.record.poll, "请登记支部大会决定")


def _advised(check: Check) -> str | None:
    if check.record.measure != Disposition.Measure.ADVISE:
        return "只有劝其退党的党员拒绝退党时，才改为除名"
    return None


DISPOSITION = register(
    Procedure(
        name="disposition",
        label="组织处置",
        model=Disposition,
        states=D,
        audit_action=DISPOSITION_STEP.name,
        state_field="status",
        version_field="version",
        steps=(
            Step(
                "set_deadline",
                "限期改正",
                (START,),
                D.CORRECTING,
                who=REGISTER,
                rules=(Rule("评议不合格", _from_appraisal),),
            ),
            Step(
                "correct",
                "改正合格",
                (D.CORRECTING,),
                D.CORRECTED,
                who=REGISTER,
                rules=(Rule("改正期限", _deadline_reached),),
            ),
            Step(
                "propose",
                "提出处置意见",
                (D.CORRECTING,),
                D.PROPOSED,
                who=REGISTER,
                rules=(Rule("改正期限", _deadline_reached),),
            ),
            Step(
                "propose_removal",
                "提出除名意见",
                (START,),
                D.PROPOSED,
                who=REGISTER,
                rules=(Rule("自行脱党", _from_lapse),),
            ),
            Step("hear_member", "听取本人意见", (D.PROPOSED,), D.PROPOSED, who=REGISTER),
            Step(
                "put_to_vote",
                "提交支部党员大会表决",
                (D.PROPOSED,),
                D.VOTING,
                who=VOTES,
                rules=(Rule("听取本人意见", _member_heard),),
            ),
            Step(
                "decide",
                "支部大会通过",
                (D.VOTING,),
                D.DECIDED,
                who=REGISTER,
                rules=(Rule("支部大会表决通过", _passed),),
            ),
            Step(
                "vote_failed",
                "表决未通过",
                (D.VOTING,),
                D.PROPOSED,
                who=REGISTER,
                rules=(Rule("支部大会表决未通过", _not_passed),),
            ),
            Step(
                "approve",
                "上级党委批准",
                (D.DECIDED,),
                D.APPROVED,
                who=APPROVER,
                audit_action=APPROVE_STEP.name,
            ),
            Step(
                "refuse",
                "上级党委不批准",
                (D.DECIDED,),
                D.NOT_APPROVED,
                who=APPROVER,
                audit_action=APPROVE_STEP.name,
            ),
            Step(
                "refuses_advice",
                "本人拒绝退党，改为除名",
                (D.APPROVED,),
                D.PROPOSED,
                who=REGISTER,
                rules=(Rule("劝其退党", _advised),),
            ),
            Step("record_exit", "登记出党", (D.APPROVED,), D.EXITED, who=REGISTER),
            Step(
                "withdraw",
                "终止处置",
                (D.CORRECTING, D.PROPOSED, D.VOTING),
                D.WITHDRAWN,
                who=REGISTER,
            ),
        ),
    )
)
