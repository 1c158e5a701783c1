"""组织关系转接的程序: the steps of a transfer, who takes them and what they check.

    (member) request → requested → (branch) accept → pending | decline → declined
    (branch) start → pending
    pending → (党委) issue → issued | refuse → refused
    issued → (receiving org) arrive → arrived | return_letter → returned
    issued → (branch, letter to another system) record_receipt → completed
    requested / pending / issued → (branch) withdraw → withdrawn
    issued → (system, the day after validity) expire → expired

Two-sided: the sending branch acts with 维护党员信息 on the sending organization, the 党委 with
审批组织关系转接 on the 基层党委 above it, the receiving side with 维护党员信息 on the receiving
organization; nobody needs a grant over both (decision 36).
"""

from __future__ import annotations

from typing import Any

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
from dangjian.transfers.models import Transfer, TransferStatus

S = TransferStatus
START_TRANSFER = register_action("transfers.start_transfer", "发起组织关系转接")
REQUEST_TRANSFER = register_action("transfers.request_transfer", "党员申请组织关系转接")
ISSUE_LETTER = register_action("transfers.issue_letter", "开具组织关系介绍信")
CONFIRM_ARRIVAL = register_action("transfers.confirm_arrival", "组织关系转接报到")
RETURN_LETTER = register_action("transfers.return_letter", "退回组织关系介绍信")
RECORD_RECEIPT = register_action("transfers.record_receipt", "登记介绍信回执")
WITHDRAW = register_action("transfers.withdraw_transfer", "撤回组织关系转接")
EXPIRE = register_action("transfers.expire_letter", "介绍信过期")
PRINT_LETTER = register_action("transfers.print_letter", "打印组织关系介绍信")
PRINT_LETTER_FULL = register_action(
    "transfers.print_letter_full", "打印组织关系介绍信（含完整身份证号）", tone="sensitive"
)

SENDER = Who(Ability.EDIT_MEMBERS, node=lambda t: t.from_org)
APPROVER = Who(Ability.APPROVE_TRANSFERS, node=lambda t: t.approver)
# Letters to another system have no receiving side here: nobody is offered its steps.
RECEIVER = Who(Ability.EDIT_MEMBERS, node=lambda t: t.to_org)


def _within_validity(check: Check) -> str | None:
    t = check.record
    if t.valid_until is None or check.on <= t.valid_until:
        return None
    row = check.rule("transfer.letter_validity_months")
    return (
        f"介绍信有效期至 {t.valid_until:%Y-%m-%d}，已过期（{row.description}，依据{row.source}）；"
        "须由转出方重新开具"
    )


def _not_before_issue(check: Check) -> str | None:
    t = check.record
    if t.issue_date is None or check.on >= t.issue_date:
        return None
    return f"报到日期不能早于介绍信开具日期 {t.issue_date:%Y-%m-%d}"


def _external(check: Check) -> str | None:
    return None if check.record.external else "转往本系统内党组织的，由接收方办理报到，不登记回执"


TRANSFER: Procedure = register(
    Procedure(
        name="transfer",
        label="组织关系转接",
        model=Transfer,
        states=S,
        audit_action=START_TRANSFER.name,
        state_field="status",
        version_field="version",
        steps=(
            # 党员本人申请 (self-service): the service checks that the actor is the member.
            Step(
                "request",
                "党员申请转接",
                (START,),
                S.REQUESTED,
                who=None,
                audit_action=REQUEST_TRANSFER.name,
            ),
            Step("accept", "支部受理", (S.REQUESTED,), S.PENDING, who=SENDER),
            Step("decline", "不予受理", (S.REQUESTED,), S.DECLINED, who=SENDER),
            Step("start", "发起转接", (START,), S.PENDING, who=SENDER),
            Step(
                "issue",
                "审批并开具介绍信",
                (S.PENDING,),
                S.ISSUED,
                who=APPROVER,
                audit_action=ISSUE_LETTER.name,
            ),
            Step("refuse", "不予审批", (S.PENDING,), S.REFUSED, who=APPROVER),
            Step(
                "arrive",
                "确认报到",
                (S.ISSUED,),
                S.ARRIVED,
                who=RECEIVER,
                rules=(
                    Rule("介绍信有效期", _within_validity),
                    Rule("报到日期", _not_before_issue),
                ),
                audit_action=CONFIRM_ARRIVAL.name,
            ),
            Step(
                "return_letter",
                "退回介绍信",
                (S.ISSUED,),
                S.RETURNED,
                who=RECEIVER,
                audit_action=RETURN_LETTER.name,
            ),
            Step(
                "record_receipt",
                "登记回执",
                (S.ISSUED,),
                S.COMPLETED,
                who=SENDER,
                rules=(Rule("系统外转接", _external), Rule("报到日期", _not_before_issue)),
                audit_action=RECORD_RECEIPT.name,
            ),
            Step(
                "withdraw",
                "撤回",
                (S.REQUESTED, S.PENDING, S.ISSUED),
                S.WITHDRAWN,
                who=SENDER,
                audit_action=WITHDRAW.name,
            ),
            Step(
                "expire", "介绍信过期", (S.ISSUED,), S.EXPIRED, who=None, audit_action=EXPIRE.name
            ),
        ),
    )
)


def transfer_actions(user: Any, transfer: Transfer) -> list[dict[str, Any]]:
    """The steps this user may take on the transfer now, for the API (and why not)."""
    return [
        {"step": o.name, "title": o.label, "allowed": o.allowed, "reason": o.reason}
        for o in steps_available(user, transfer, TRANSFER)
    ]
