"""Forms of the 组织关系转接 pages."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils import timezone

from dangjian.core.forms import DateInput
from dangjian.orgs.models import Organization, OrgKind


class TransferForm(forms.Form):
    """发起转接 (the branch) or 申请转接 (the member): where to, and why."""

    to_org_code = forms.CharField(
        label="接收党组织（本系统内）",
        required=False,
        max_length=100,
        help_text="填写本系统内接收党组织的组织代码或全称",
    )
    to_org_text = forms.CharField(
        label="接收党组织（系统外）",
        required=False,
        max_length=100,
        help_text="转往其他系统（外省市、系统外单位）的，填写接收党组织全称；与上一项二选一",
    )
    reason = forms.CharField(label="转接原因", max_length=200, help_text="如：工作调动、迁居")
    dues_paid_to = forms.CharField(
        label="党费缴至", max_length=20, required=False, help_text="如：2026年11月"
    )

    def __init__(self, *args: Any, with_dues: bool = True, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not with_dues:
            del self.fields["dues_paid_to"]

    def clean_to_org_code(self) -> Organization | None:
        value = self.cleaned_data["to_org_code"].strip()
        if not value:
            return None
        found = (
            Organization.objects.active().exclude(kind=OrgKind.GROUP).filter(code=value).first()
            or Organization.objects.active().exclude(kind=OrgKind.GROUP).filter(name=value).first()
        )
        if found is None:
            raise forms.ValidationError("本系统内没有这个组织代码或名称的党组织。")
        return found


class StepForm(forms.Form):
    """One step on a transfer: the version the page was opened with, and what the step asks."""

    version = forms.IntegerField(widget=forms.HiddenInput)
    reason = forms.CharField(label="原因", max_length=200, required=False)
    on = forms.DateField(label="日期", required=False, widget=DateInput())
    dues_paid_to = forms.CharField(label="党费缴至", max_length=20, required=False)

    def day(self) -> Any:
        return self.cleaned_data.get("on") or timezone.localdate()
