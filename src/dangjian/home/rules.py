"""规则参数修订: the system administrator records a revised value of a rule in force from a date
(a revised 发展党员工作细则, a local rule), with its source. No code changes: cases are judged
by the value in force on the date the rules say (`core.models.rule_in_force`), so a case whose
clock started before the new date keeps the old value.

It lives above `core` (which keeps the rules page read-only and knows no audit) because a
revision is a change like any other: checked, confirmed when it reaches back in time, audited.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db import transaction

from dangjian.accounts.abilities import GlobalAbility
from dangjian.accounts.scope import scope_for
from dangjian.audit.actions import register_action
from dangjian.audit.services import record_audit
from dangjian.core.dates import today
from dangjian.core.exceptions import DomainError
from dangjian.core.models import RuleValue
from dangjian.core.procedures import NeedsConfirmation

REVISE_RULE = register_action("home.revise_rule", "录入规则参数修订")
SHARE_UNITS = ("比例",)


@dataclass
class Revision:
    """A new value of an existing rule, in force from `effective_from`."""

    key: str
    value: Decimal
    effective_from: dt.date
    source: str
    description: str
    basis: str


def may_revise(user: Any) -> bool:
    return scope_for(user).has_global(GlobalAbility.MANAGE_ACCOUNTS)


def _check(revision: Revision) -> RuleValue:
    """The row in force before the revision (its unit carries over), or a refusal."""
    latest = RuleValue.objects.filter(key=revision.key).order_by("-effective_from").first()
    if latest is None:
        raise DomainError("只能修订系统已有的规则参数。", field="key")
    if RuleValue.objects.filter(key=revision.key, effective_from=revision.effective_from).exists():
        raise DomainError("该规则在这一日期已有取值，请换一个生效日期。", field="effective_from")
    if revision.value < 0:
        raise DomainError("取值不能为负数。", field="value")
    if latest.unit in SHARE_UNITS and revision.value > 1:
        raise DomainError("比例应填写0到1之间的小数（如0.5表示半数）。", field="value")
    if latest.unit not in SHARE_UNITS and revision.value != revision.value.to_integral_value():
        raise DomainError(f"以“{latest.unit}”为单位的取值应为整数。", field="value")
    if not revision.source.strip():
        raise DomainError("请写明依据（文件名称和条款）。", field="source")
    return latest


def revise_rule(*, actor: Any, revision: Revision, confirmed: bool = False) -> RuleValue:
    """录入修订: one new row; the rows before it stay and keep judging the cases of their time."""
    if not may_revise(actor):
        raise DomainError("只有系统管理员可以录入规则参数修订。")
    latest = _check(revision)
    if revision.effective_from < today() and not confirmed:
        raise NeedsConfirmation(
            [
                f"生效日期 {revision.effective_from:%Y-%m-%d} 早于今天：自该日期起开始计时的"
                "事项将按新取值判断，此前开始计时的事项仍按原取值"
            ]
        )
    with transaction.atomic():
        row = RuleValue.objects.create(
            key=revision.key,
            value=revision.value,
            unit=latest.unit,
            effective_from=revision.effective_from,
            source=revision.source.strip(),
            description=revision.description.strip() or latest.description,
            basis=revision.basis,
        )
        record_audit(
            REVISE_RULE,
            actor=actor,
            target=row,
            detail={
                "key": row.key,
                "value": str(row.value),
                "from": row.effective_from.isoformat(),
                "before": str(latest.value),
                "source": row.source,
            },
        )
    return row
