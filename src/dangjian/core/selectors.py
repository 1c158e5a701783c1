"""Shared reads: the 规则参数 page and API (every RuleValue, grouped, with the one in force)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from dangjian.core.models import RuleValue

# Key prefix → the group's heading, in the page's order. A prefix not named here is listed
# under 其他 (a new work system's rules show up before anyone names its group).
RULE_GROUPS: tuple[tuple[str, str], ...] = (
    ("admission", "发展党员"),
    ("recruitment", "发展党员"),
    ("probation", "预备期"),
    ("organization", "组织设置"),
    ("election", "选举与表决"),
    ("votes", "选举与表决"),
    ("meeting", "会议"),
    ("meetings", "会议"),
    ("cadence", "会议"),
    ("evaluation", "民主评议"),
    ("appraisal", "民主评议"),
    ("deliberation", "四议两公开"),
    ("deliberations", "四议两公开"),
    ("fourtwo", "四议两公开"),
    ("villager", "四议两公开"),
    ("mobile", "流动党员"),
    ("transfer", "组织关系转接"),
    ("transfers", "组织关系转接"),
    ("dues", "党费"),
    ("reminder", "提醒"),
)
OTHER = "其他"
BASIS_BADGES: dict[str, tuple[str, str]] = {
    RuleValue.Basis.NATIONAL: ("全国性", "badge-red"),
    RuleValue.Basis.LOCAL: ("地方或通行做法", "badge-amber"),
    RuleValue.Basis.SETTING: ("本系统设置", ""),
}


def group_of(key: str) -> str:
    prefix = key.split(".", 1)[0]
    return next((label for p, label in RULE_GROUPS if p == prefix), OTHER)


def plain_value(value: Decimal) -> str:
    """12.0000 → "12", 0.3333 → "0.3333": the value as written in the rule."""
    text = format(value, "f")
    return text.rstrip("0").rstrip(".") if "." in text else text


@dataclass(frozen=True)
class RuleRow:
    rule: RuleValue
    value: str
    state: str  # 现行 / 已被取代 / 尚未生效
    badge: tuple[str, str]


@dataclass
class RuleGroup:
    label: str
    rows: list[RuleRow] = field(default_factory=list)


def rule_state(rule: RuleValue, in_force: dict[str, dt.date], on: dt.date) -> str:
    if rule.effective_from > on:
        return "尚未生效"
    return "现行" if in_force.get(rule.key) == rule.effective_from else "已被取代"


def in_force_on(on: dt.date) -> dict[str, dt.date]:
    """Each rule's key → the effective date of its value in force on `on`."""
    in_force: dict[str, dt.date] = {}
    rows = RuleValue.objects.filter(effective_from__lte=on).order_by("key", "-effective_from")
    for key, start in rows.values_list("key", "effective_from"):
        in_force.setdefault(key, start)
    return in_force


def rule_groups(on: dt.date) -> list[RuleGroup]:
    """Every rule value, grouped by key prefix (RULE_GROUPS order, 其他 last), each key's rows
    newest first, each marked 现行 (in force on `on`), 已被取代 or 尚未生效."""
    rules = list(RuleValue.objects.order_by("key", "-effective_from"))
    in_force = in_force_on(on)
    order = [label for _, label in RULE_GROUPS]
    groups: dict[str, RuleGroup] = {}
    for rule in rules:
        label = group_of(rule.key)
        groups.setdefault(label, RuleGroup(label)).rows.append(
            RuleRow(
                rule=rule,
                value=plain_value(rule.value),
                state=rule_state(rule, in_force, on),
                badge=BASIS_BADGES.get(rule.basis, (rule.basis, "")),
            )
        )
    return sorted(groups.values(), key=lambda g: order.index(g.label) if g.label in order else 99)
