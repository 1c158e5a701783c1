from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms

from dangjian.accounts.scope import scope_for
from dangjian.core.dates import BoundedDateField, today
from dangjian.members.choices import Education, Gender, MemberCategory, PersonCategory
from dangjian.orgs.fields import OrgChoiceField
from dangjian.orgs.models import Organization, OrgKind
from dangjian.stats.reports import DIMENSIONS, ETHNIC_GROUPS, TITLES


class ReportForm(forms.Form):
    org = OrgChoiceField(label="组织")
    on = BoundedDateField(label="统计日期", required=False)
    start = BoundedDateField(label="发展党员统计起", required=False)

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        orgs = Organization.objects.visible_to(scope_for(user)).exclude(kind=OrgKind.GROUP)
        self.fields["org"].queryset = orgs  # type: ignore[attr-defined]

    def clean_on(self) -> dt.date:
        return self.cleaned_data.get("on") or today()

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        on = data.get("on") or today()
        start = data.get("start") or dt.date(on.year, 1, 1)
        if start > on:
            self.add_error("start", "起始日期不能晚于统计日期。")
        data["start"] = start
        return data


AXES = [(d, TITLES[d]) for d in DIMENSIONS] + [("sub_org", "下级组织")]


class QueryForm(ReportForm):
    """综合查询: any combination of filters, cross-tabulated."""

    gender = forms.ChoiceField(
        label="性别", required=False, choices=[("", "不限"), *Gender.choices]
    )
    ethnic_group = forms.ChoiceField(
        label="民族", required=False, choices=[("", "不限"), *ETHNIC_GROUPS.items()]
    )
    category = forms.ChoiceField(
        label="党员类别", required=False, choices=[("", "不限"), *MemberCategory.choices]
    )
    education = forms.MultipleChoiceField(
        label="学历", required=False, choices=Education.choices, widget=forms.CheckboxSelectMultiple
    )
    person_category = forms.MultipleChoiceField(
        label="人员类别",
        required=False,
        choices=PersonCategory.choices,
        widget=forms.CheckboxSelectMultiple,
    )
    age_min = forms.IntegerField(label="年龄不小于", required=False, min_value=0, max_value=120)
    age_max = forms.IntegerField(label="年龄不大于", required=False, min_value=0, max_value=120)
    joined_from = BoundedDateField(label="入党日期起", required=False)
    joined_to = BoundedDateField(label="入党日期止", required=False)
    rows = forms.ChoiceField(label="行", choices=AXES, initial="sub_org")
    cols = forms.ChoiceField(label="列", choices=AXES, initial="category")
