"""Forms of the cross-cutting pages above every app (规则参数修订)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms

from dangjian.core.dates import BoundedDateField
from dangjian.core.models import RuleValue
from dangjian.core.selectors import group_of


def _rule_choices() -> list[tuple[str, str]]:
    """Each rule once, labelled with its group and its latest description."""
    latest: dict[str, RuleValue] = {}
    for row in RuleValue.objects.order_by("key", "effective_from"):
        latest[row.key] = row
    return [
        (key, f"{group_of(key)}：{row.description or key}（{row.unit}）")
        for key, row in sorted(latest.items(), key=lambda kv: (group_of(kv[0]), kv[0]))
    ]


class RevisionForm(forms.Form):
    key = forms.ChoiceField(label="规则")
    value = forms.DecimalField(label="新取值", max_digits=12, decimal_places=4)
    effective_from = BoundedDateField(label="生效日期", latest=dt.date(2100, 12, 31))
    source = forms.CharField(
        label="依据",
        max_length=200,
        help_text="文件名称、文号和条款，如“《中国共产党发展党员工作细则》(2026) 第十三条”",
    )
    description = forms.CharField(
        label="说明", max_length=200, required=False, help_text="不填则沿用原说明"
    )
    basis = forms.ChoiceField(label="依据性质", choices=RuleValue.Basis.choices)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["key"].choices = _rule_choices()  # type: ignore[attr-defined]
