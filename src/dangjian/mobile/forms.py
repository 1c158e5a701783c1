"""Forms of the 流动党员 pages. They parse; the services decide."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms

from dangjian.core.dates import BoundedDateField
from dangjian.core.forms import DateInput
from dangjian.core.rules_seed import FOUNDING
from dangjian.mobile.models import MobileContact, MobileParticipation, MobileStay
from dangjian.mobile.services import StayData
from dangjian.orgs.models import Organization
from dangjian.stations.regions import RegionField

LATEST_PERMIT = dt.date(2100, 12, 31)


class StayForm(forms.Form):
    """外出登记."""

    start_on = BoundedDateField(label="外出日期")
    region_code = RegionField(label="流入地（省份、城市）")
    address = forms.CharField(label="流入地详细地址", max_length=200)
    reason = forms.ChoiceField(label="外出原因", choices=MobileStay.Reason.choices)
    expected_months = forms.IntegerField(label="预计外出时间（月）", min_value=1, max_value=120)
    phone = forms.CharField(label="联系电话", max_length=20, required=False)
    contact_note = forms.CharField(label="其他联系方式", max_length=100, required=False)
    destination_code = forms.CharField(
        label="流入地党组织代码（本系统内）",
        max_length=20,
        required=False,
        help_text="流入地党组织在本系统中的，填写其组织代码",
    )
    destination_text = forms.CharField(
        label="流入地党组织名称（本系统外）", max_length=100, required=False
    )
    cannot_transfer = forms.BooleanField(label="长期外出但暂时无法转移组织关系", required=False)
    permit_number = forms.CharField(label="活动证编号", max_length=30, required=False)
    permit_valid_until = forms.DateField(label="活动证有效期至", required=False, widget=DateInput())

    def clean_region_code(self) -> str:
        return str(self.cleaned_data["region_code"]).strip()

    def clean_destination_code(self) -> Organization | None:
        code = str(self.cleaned_data.get("destination_code") or "").strip()
        if not code:
            return None
        found = Organization.objects.active().filter(code=code).first()
        if found is None:
            raise forms.ValidationError("没有该组织代码的党组织（本系统外的请填写名称）。")
        return found

    def data_for_service(self) -> StayData:
        c = self.cleaned_data
        return StayData(
            region_code=c["region_code"],
            address=c["address"],
            reason=c["reason"],
            expected_months=c["expected_months"],
            start_on=c["start_on"],
            phone=c.get("phone") or "",
            contact_note=c.get("contact_note") or "",
            destination_org=c.get("destination_code"),
            destination_text=c.get("destination_text") or "",
            cannot_transfer=bool(c.get("cannot_transfer")),
            permit_number=c.get("permit_number") or "",
            permit_valid_until=c.get("permit_valid_until"),
        )


class ContactForm(forms.Form):
    on = BoundedDateField(label="联系日期", earliest=FOUNDING)
    means = forms.ChoiceField(label="联系方式", choices=MobileContact.Means.choices)
    note = forms.CharField(label="情况", max_length=300, required=False)


class ParticipationForm(forms.Form):
    on = BoundedDateField(label="日期")
    kind = forms.ChoiceField(label="活动", choices=MobileParticipation.Kind.choices)
    note = forms.CharField(label="说明", max_length=300, required=False)


class ReturnForm(forms.Form):
    on = BoundedDateField(label="返回日期")
    version = forms.IntegerField(widget=forms.HiddenInput)


class PermitForm(forms.Form):
    number = forms.CharField(label="活动证编号", max_length=30)
    valid_until = BoundedDateField(label="有效期至", latest=LATEST_PERMIT)
    version = forms.IntegerField(widget=forms.HiddenInput)


class InformationForm(forms.Form):
    org = forms.IntegerField(required=False)
    region = forms.RegexField(regex=r"^(\d{2}|\d{6})?$", required=False)
    which = forms.ChoiceField(
        required=False,
        choices=[("all", ""), ("overdue", ""), ("lost", ""), ("transfer", "")],
    )
    page = forms.IntegerField(required=False, min_value=1, max_value=100000)

    def value(self, name: str, default: Any) -> Any:
        if not self.is_valid():
            return default
        return self.cleaned_data.get(name) or default
