"""The registry's words in the audit log: an export's list filters as the member list names them.

Registered with `audit.display.register_value_rule` when the app is ready (audit sits below
members and knows none of its forms)."""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qsl

from dangjian.core.display import field_value, plain_value
from dangjian.members.forms import MemberFilterForm
from dangjian.members.models import Member


def filters_in_words(event: Any, value: Any) -> str:
    """An export's list filters (a query string) in the member list's words (组织：…)."""
    if not isinstance(value, str):
        return plain_value(value)
    fields = MemberFilterForm.base_fields
    shown = []
    for key, raw in parse_qsl(value, keep_blank_values=True):
        label = str(fields[key].label) if key in fields else key
        text = field_value(Member, key, raw) if raw else "全部"
        shown.append(f"{label}：{text}")
    return "；".join(shown) or "无"
