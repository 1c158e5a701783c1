from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django import forms
from django.db.models import QuerySet

from dangjian.core.dates import LATEST_PLANNED, BoundedDateField
from dangjian.orgs.fields import OrgChoiceField
from dangjian.orgs.models import OrganizationQuerySet, OrgKind, Unit


class OrgFields(forms.Form):
    name = forms.CharField(label="组织名称", max_length=100)
    short_name = forms.CharField(label="简称", max_length=50, required=False)
    code = forms.CharField(
        label="组织代码", max_length=20, help_text="与全国党员管理信息系统一致的数字代码"
    )
    unit = forms.ModelChoiceField(label="所在单位", queryset=Unit.objects.none(), required=False)
    founded_on = BoundedDateField(label="成立日期", required=False)
    term_start = BoundedDateField(label="本届任期开始", required=False, latest=LATEST_PLANNED)
    term_end = BoundedDateField(label="本届任期届满", required=False, latest=LATEST_PLANNED)

    def __init__(self, *args: Any, units: QuerySet[Unit], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = units  # type: ignore[attr-defined]  # unit_choices()


class OrgCreateForm(OrgFields):
    kind = forms.ChoiceField(label="组织类别", choices=OrgKind.choices)


class OrgEditForm(OrgFields):
    version = forms.IntegerField(widget=forms.HiddenInput)

    def __init__(
        self, *args: Any, units: QuerySet[Unit], secretaries: QuerySet[Any], **kwargs: Any
    ) -> None:
        """`secretaries`: the members who may be 书记 (the organization's own, in the Party)."""
        super().__init__(*args, units=units, **kwargs)
        self.fields["secretary"] = forms.ModelChoiceField(
            label="书记", required=False, queryset=secretaries
        )


class MoveForm(forms.Form):
    new_parent = OrgChoiceField(label="新的上级组织")

    def __init__(
        self, *args: Any, parents: OrganizationQuerySet, within: Iterable[str], **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["new_parent"]
        assert isinstance(field, OrgChoiceField)
        field.limit_to(parents, within=within)


class MergeForm(forms.Form):
    target = OrgChoiceField(label="并入的党支部")
    effective_date = BoundedDateField(label="合并日期")

    def __init__(
        self, *args: Any, targets: OrganizationQuerySet, within: Iterable[str], **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["target"]
        assert isinstance(field, OrgChoiceField)
        field.limit_to(targets, within=within)


class DissolveForm(forms.Form):
    effective_date = BoundedDateField(label="撤销日期")
    reason = forms.CharField(label="撤销原因或批准文号", max_length=200)
