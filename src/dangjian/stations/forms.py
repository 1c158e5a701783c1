"""Forms of the stations app: a station's details and a help record."""

from __future__ import annotations

from typing import Any

from django import forms

from dangjian.core.dates import BoundedDateField
from dangjian.orgs.fields import OrgChoiceField
from dangjian.orgs.models import OrganizationQuerySet
from dangjian.stations.models import HelpRecord, Station
from dangjian.stations.regions import RegionField
from dangjian.stations.selectors import station_choices


class StationForm(forms.ModelForm):
    """服务站: the fields a manager keeps; the hosting organization from those they maintain."""

    org = OrgChoiceField(label="主办党组织")
    region = RegionField(label="所在地区")
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = Station
        fields = [
            "name",
            "kind",
            "org",
            "region",
            "address",
            "contact_name",
            "contact_phone",
            "public_phone",
            "opening_hours",
            "services",
            "is_open",
        ]
        widgets = {
            "services": forms.Textarea(attrs={"rows": 3}),
            "opening_hours": forms.TextInput(attrs={"placeholder": "如：工作日 9:00—17:00"}),
        }
        help_texts = {
            "contact_phone": "仅主办党组织的管理人员可见完整号码，不在公开页面显示。",
            "public_phone": "显示在公开的服务站名录中。",
        }

    def __init__(self, *args: Any, orgs: OrganizationQuerySet, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["org"]
        assert isinstance(field, OrgChoiceField)
        field.limit_to(orgs)
        if self.instance.pk:
            self.fields["version"].initial = self.instance.version

    def values(self) -> dict[str, Any]:
        return {k: v for k, v in self.cleaned_data.items() if k != "version"}


class HelpForm(forms.ModelForm):
    """帮扶记录."""

    date = BoundedDateField(label="帮扶日期")
    org = OrgChoiceField(label="帮扶党组织", required=False)
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = HelpRecord
        fields = ["kind", "date", "station", "org", "description", "outcome", "given_by"]
        widgets = {
            "description": forms.Textarea(attrs={"rows": 3}),
            "outcome": forms.Textarea(attrs={"rows": 2}),
        }
        help_texts = {
            "given_by": "提供帮扶的人员、服务站或单位。",
            "org": "不在服务站、也不是帮扶对象所在党组织帮扶的（如流入地党组织），选择本组织。",
        }

    def __init__(self, *args: Any, orgs: OrganizationQuerySet, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        org = self.fields["org"]
        assert isinstance(org, OrgChoiceField)
        org.limit_to(orgs)
        org.empty_label = "（不选）"
        station = self.fields["station"]
        assert isinstance(station, forms.ModelChoiceField)
        # Open stations; a closed one stays selectable on a record that already names it.
        station.queryset = station_choices(keep=self.instance.station_id)
        station.label_from_instance = _station_label  # type: ignore[method-assign,assignment]
        station.empty_label = "（不在服务站）"
        if self.instance.pk:
            self.fields["version"].initial = self.instance.version

    def values(self) -> dict[str, Any]:
        return {k: v for k, v in self.cleaned_data.items() if k != "version"}


def _station_label(station: Station) -> str:
    return f"{station.name}（{station.region_name}）"


class MemberSearchForm(forms.Form):
    q = forms.CharField(label="党员姓名或拼音", max_length=50, required=False)
