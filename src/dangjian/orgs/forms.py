from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django import forms

from dangjian.core.forms import DateInput
from dangjian.orgs.fields import OrgChoiceField
from dangjian.orgs.models import Organization, OrganizationQuerySet, OrgKind, Unit


class OrgFields(forms.Form):
    name = forms.CharField(label="组织名称", max_length=100)
    short_name = forms.CharField(label="简称", max_length=50, required=False)
    code = forms.CharField(
        label="组织代码", max_length=20, help_text="与全国党员管理信息系统一致的数字代码"
    )
    unit = forms.ModelChoiceField(label="所在单位", queryset=Unit.objects.all(), required=False)
    founded_on = forms.DateField(label="成立日期", widget=DateInput(), required=False)
    term_start = forms.DateField(label="本届任期开始", widget=DateInput(), required=False)
    term_end = forms.DateField(label="本届任期届满", widget=DateInput(), required=False)


class OrgCreateForm(OrgFields):
    kind = forms.ChoiceField(label="组织类别", choices=OrgKind.choices)


class OrgEditForm(OrgFields):
    version = forms.IntegerField(widget=forms.HiddenInput)

    def __init__(self, *args: Any, org: Organization, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        from dangjian.members.models import Member

        self.fields["secretary"] = forms.ModelChoiceField(
            label="书记",
            required=False,
            queryset=Member.objects.under(org).in_party().order_by("name_pinyin"),
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
    effective_date = forms.DateField(label="合并日期", widget=DateInput())

    def __init__(
        self, *args: Any, targets: OrganizationQuerySet, within: Iterable[str], **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["target"]
        assert isinstance(field, OrgChoiceField)
        field.limit_to(targets, within=within)


class DissolveForm(forms.Form):
    effective_date = forms.DateField(label="撤销日期", widget=DateInput())
    reason = forms.CharField(label="撤销原因或批准文号", max_length=200)
