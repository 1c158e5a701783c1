"""跨系统转接 forms: the letter typed in once, a packet's upload and import, trust."""

from __future__ import annotations

from typing import Any

from django import forms

from dangjian.core.dates import LATEST_PLANNED, BoundedDateField, today
from dangjian.exchange.services import IncomingLetterInput, LetterFacts
from dangjian.members.forms import PersonFields
from dangjian.members.services import PERSONAL_FIELDS, MemberData, TransferredMember
from dangjian.orgs.fields import OrgChoiceField
from dangjian.orgs.models import Organization, OrganizationQuerySet, Unit

LATER = LATEST_PLANNED


class LetterForm(PersonFields):
    """外系统转入介绍信: the letter's facts, then the member as the letter gives them."""

    field_order = [
        "serial",
        "from_org",
        "issue_date",
        "valid_until",
        "dues_paid_to",
        "org",
        "received_on",
        "name",
        "id_number",
    ]
    serial = forms.CharField(label="介绍信编号", max_length=50, help_text="如：组字第 0123 号")
    from_org = forms.CharField(label="开具介绍信的党组织", max_length=100)
    issue_date = BoundedDateField(label="开具日期")
    valid_until = BoundedDateField(label="有效期至", latest=LATER)
    dues_paid_to = forms.CharField(
        label="党费缴至", max_length=20, required=False, help_text="如：2026年11月"
    )
    org = OrgChoiceField(label="接收党组织")
    received_on = BoundedDateField(label="报到日期", initial=today)
    id_number = forms.CharField(label="公民身份号码", max_length=30)
    join_date = BoundedDateField(label="入党日期")
    full_date = BoundedDateField(label="转正日期", required=False, help_text="预备党员不填")
    extension_months = forms.IntegerField(
        label="原组织已延长预备期（月）",
        required=False,
        min_value=1,
        max_value=12,
        help_text="仅预备期曾被延长的预备党员填写",
    )

    def __init__(self, *args: Any, orgs: OrganizationQuerySet, **kwargs: Any) -> None:
        super().__init__(*args, units=Unit.objects.none(), **kwargs)
        del self.fields["work_unit"]
        self.fields["org"].queryset = orgs  # type: ignore[attr-defined]

    def letter(self) -> IncomingLetterInput:
        c = self.cleaned_data
        values: dict[str, Any] = {f: c[f] or "" for f in PERSONAL_FIELDS}
        person = MemberData(**values, id_number=c["id_number"])
        return IncomingLetterInput(
            serial=c["serial"],
            from_org=c["from_org"],
            issue_date=c["issue_date"],
            valid_until=c["valid_until"],
            dues_paid_to=c["dues_paid_to"],
            org=c["org"],
            received_on=c["received_on"],
            member=TransferredMember(
                person=person,
                join_date=c["join_date"],
                full_date=c["full_date"],
                extension_months=c["extension_months"],
            ),
        )


class ReceiveForm(forms.Form):
    overdue_note = forms.CharField(
        label="逾期情况说明",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="介绍信已过有效期时必填：党支部出具的证明及本人申请的要点",
    )


class ReturnForm(forms.Form):
    return_reason = forms.CharField(label="退回原因", max_length=200)


class PacketUploadForm(forms.Form):
    file = forms.FileField(label="转接数据包文件", help_text="对方系统生成的 .json 文件")
    org = OrgChoiceField(label="接收党组织")
    received_on = BoundedDateField(label="报到日期", initial=today)

    def __init__(self, *args: Any, orgs: OrganizationQuerySet, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["org"].queryset = orgs  # type: ignore[attr-defined]


class PacketImportForm(forms.Form):
    packet = forms.CharField(widget=forms.HiddenInput)  # the file, base64: verified again
    org = forms.ModelChoiceField(queryset=Organization.objects.none(), widget=forms.HiddenInput)
    received_on = forms.DateField(widget=forms.HiddenInput)
    overdue_note = ReceiveForm.base_fields["overdue_note"]

    def __init__(self, *args: Any, orgs: OrganizationQuerySet, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["org"].queryset = orgs  # type: ignore[attr-defined]


class ExportForm(forms.Form):
    """生成转接数据包: the letter's facts as printed on the paper letter."""

    serial = forms.CharField(label="介绍信编号", max_length=50, help_text="与纸质介绍信一致")
    from_org = forms.CharField(label="开具介绍信的党组织", max_length=100)
    to_org = forms.CharField(label="接收党组织（对方系统）", max_length=100)
    issue_date = BoundedDateField(label="开具日期", initial=today)
    valid_until = BoundedDateField(label="有效期至", latest=LATER)
    dues_paid_to = forms.CharField(label="党费缴至", max_length=20, required=False)

    def facts(self) -> LetterFacts:
        c = self.cleaned_data
        return LetterFacts(
            serial=c["serial"],
            from_org=c["from_org"],
            to_org=c["to_org"],
            issue_date=c["issue_date"],
            valid_until=c["valid_until"],
            dues_paid_to=c["dues_paid_to"],
        )


class TrustForm(forms.Form):
    name = forms.CharField(label="系统名称", max_length=100, help_text="如：远山县党建工作平台")
    public_key = forms.CharField(
        label="对方公钥",
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="对方“受信任的系统”页面显示的公钥；添加前请与对方电话核对公钥指纹",
    )
    note = forms.CharField(label="说明", max_length=200, required=False)


class RevokeForm(forms.Form):
    reason = forms.CharField(label="撤销原因", max_length=200)
