from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import QuerySet

from dangjian.core.dates import EARLIEST_BIRTH, LATEST_PLANNED, BoundedDateField
from dangjian.members.choices import (
    ETHNICITY_CHOICES,
    HAN,
    Education,
    Gender,
    MemberCategory,
    MemberStatus,
    PersonCategory,
)
from dangjian.members.models import MemberEvent
from dangjian.members.services import PHONE_MESSAGE, PHONE_RE
from dangjian.orgs.fields import OrgChoiceField
from dangjian.orgs.models import OrganizationQuerySet, Unit


class PersonFields(forms.Form):
    name = forms.CharField(label="姓名", max_length=50)
    gender = forms.ChoiceField(label="性别", choices=Gender.choices)
    ethnicity = forms.ChoiceField(label="民族", choices=ETHNICITY_CHOICES, initial=HAN)
    birth_date = BoundedDateField(label="出生日期", earliest=EARLIEST_BIRTH)
    education = forms.ChoiceField(label="学历", choices=Education.choices)
    person_category = forms.ChoiceField(label="人员类别", choices=PersonCategory.choices)
    native_place = forms.CharField(label="籍贯", max_length=50, required=False)
    work_unit_post = forms.CharField(label="工作单位及职务", max_length=100, required=False)
    work_unit = forms.ModelChoiceField(
        label="工作单位",
        queryset=Unit.objects.none(),
        required=False,
        empty_label="未填写",
        help_text="党员所在的单位，用于统计单位建立党组织情况（正式党员3人以上的单位）",
    )
    phone = forms.RegexField(
        label="联系电话",
        regex=PHONE_RE,
        max_length=20,
        required=False,
        error_messages={"invalid": PHONE_MESSAGE},
    )

    def __init__(self, *args: Any, units: QuerySet[Unit], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["work_unit"].queryset = units  # type: ignore[attr-defined]


def work_unit_id(cleaned: dict[str, Any]) -> int | None:
    """The chosen 工作单位 as the services take it (an id, or None)."""
    unit = cleaned.get("work_unit")
    return unit.pk if unit is not None else None


class MemberCreateForm(PersonFields):
    """党员建档."""

    id_number = forms.CharField(label="公民身份号码", max_length=30)
    org = OrgChoiceField(label="所在党组织")
    join_date = BoundedDateField(label="入党日期")
    full_date = BoundedDateField(label="转正日期", required=False, help_text="预备党员不填")
    transferred_in_on = BoundedDateField(
        label="转入本组织日期",
        required=False,
        help_text="从其他组织转入的党员填写；在本组织入党的不填",
    )
    counterpart = forms.CharField(label="转出组织", max_length=100, required=False)

    def __init__(
        self, *args: Any, orgs: OrganizationQuerySet, units: QuerySet[Unit], **kwargs: Any
    ) -> None:
        super().__init__(*args, units=units, **kwargs)
        self.fields["org"].queryset = orgs  # type: ignore[attr-defined]


class MemberEditForm(PersonFields):
    """修改党员基本信息 (membership changes go through events)."""

    new_id_number = forms.CharField(
        label="更正公民身份号码", max_length=30, required=False, help_text="不更正请留空"
    )
    version = forms.IntegerField(widget=forms.HiddenInput)


class EventForm(forms.Form):
    """登记党籍变动: only the kinds the member's state allows, and only the fields they use."""

    kind = forms.ChoiceField(label="变动类型", choices=[])
    effective_date = BoundedDateField(
        label="生效日期",
        help_text="转正、延长预备期：预备期满之日（入党一年后的同一天，延长的从延长期满之日）",
    )
    decided_on = BoundedDateField(
        label="支部大会决议日期",
        required=False,
        help_text="转正、延长预备期时填写；转入的预备党员可推迟讨论，转正日期仍为原预备期满之日",
    )
    months = forms.IntegerField(
        label="延长预备期（月）",
        min_value=1,
        max_value=99,
        required=False,
        help_text="6 至 12 个月",
    )
    org = OrgChoiceField(
        label="转入的党组织",
        required=False,
        help_text="系统内调整、转入、恢复党籍时选择",
    )
    category = forms.ChoiceField(
        label="转入时党员类别", choices=[("", "—"), *MemberCategory.choices], required=False
    )
    counterpart = forms.CharField(label="转出/转入单位", max_length=100, required=False)
    document_no = forms.CharField(label="文号或依据", max_length=100, required=False)
    note = forms.CharField(label="说明", max_length=200, required=False)

    # The fields a kind uses beyond the common ones; a field no offered kind uses is dropped.
    USED_BY: dict[str, frozenset[str]] = {
        "decided_on": frozenset({MemberEvent.Kind.CONVERT, MemberEvent.Kind.EXTEND}),
        "months": frozenset({MemberEvent.Kind.EXTEND}),
        "org": frozenset(
            {MemberEvent.Kind.MOVE, MemberEvent.Kind.TRANSFER_IN, MemberEvent.Kind.RESTORE}
        ),
        "category": frozenset({MemberEvent.Kind.TRANSFER_IN}),
        "counterpart": frozenset({MemberEvent.Kind.TRANSFER_IN, MemberEvent.Kind.TRANSFER_OUT}),
    }

    def __init__(
        self, *args: Any, orgs: OrganizationQuerySet, kinds: list[str], **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        labels = dict(MemberEvent.Kind.choices)
        self.fields["kind"].choices = [(k, labels[k]) for k in kinds]  # type: ignore[attr-defined]
        self.fields["org"].queryset = orgs  # type: ignore[attr-defined]
        for name, used_by in self.USED_BY.items():
            if not used_by & set(kinds):
                del self.fields[name]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        for name in self.USED_BY:  # the service takes every field; a dropped one is blank
            cleaned.setdefault(name, None if name in ("decided_on", "months", "org") else "")
        return cleaned


class VoidEventForm(forms.Form):
    reason = forms.CharField(label="作废原因", max_length=200)


class ProbationForm(forms.Form):
    """登记留党察看."""

    start_date = BoundedDateField(label="留党察看起始日期")
    end_date = BoundedDateField(
        label="期满或恢复权利日期",
        latest=LATEST_PLANNED,
        required=False,
        help_text="尚未期满的不填",
    )
    document_no = forms.CharField(label="处分决定文号", max_length=100)


class ProbationEndForm(forms.Form):
    end_date = BoundedDateField(label="期满或恢复权利日期", latest=LATEST_PLANNED)


class MemberFilterForm(forms.Form):
    q = forms.CharField(
        label="搜索",
        required=False,
        widget=forms.TextInput(
            attrs={
                "type": "search",
                "placeholder": "姓名 / 拼音首字母 / 身份证后4位",
                "id": "member-search",
                "autocomplete": "off",
            }
        ),
    )
    org = OrgChoiceField(
        label="组织",
        required=False,
        empty_label="全部（含下级）",
    )
    category = forms.ChoiceField(
        label="党员类别", choices=[("", "全部"), *MemberCategory.choices], required=False
    )
    gender = forms.ChoiceField(
        label="性别", choices=[("", "全部"), *Gender.choices], required=False
    )
    education = forms.ChoiceField(
        label="学历", choices=[("", "全部"), *Education.choices], required=False
    )
    status = forms.ChoiceField(
        label="党籍状态",
        choices=[("", "全部"), *MemberStatus.choices],
        required=False,
        initial=MemberStatus.ACTIVE,
    )
    on = BoundedDateField(
        label="某日名册",
        required=False,
        help_text="只列该日在所选组织（含下级）的党员；党籍状态是现在的状态，"
        "含后来去世、出党的党员请选“全部”",
    )

    def __init__(self, *args: Any, orgs: OrganizationQuerySet, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["org"].queryset = orgs  # type: ignore[attr-defined]


class GroupForm(forms.Form):
    """编入党小组."""

    group = OrgChoiceField(label="党小组", required=False, empty_label="不编入")

    def __init__(self, *args: Any, groups: OrganizationQuerySet, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["group"].queryset = groups  # type: ignore[attr-defined]


class MemberAccountsForm(forms.Form):
    """为党员开通账号: which of the organization's members without a login."""

    members = forms.TypedMultipleChoiceField(
        label="党员", coerce=int, widget=forms.CheckboxSelectMultiple
    )

    def __init__(self, *args: Any, candidates: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["members"].choices = [(m.pk, m.name) for m in candidates]  # type: ignore[attr-defined]
