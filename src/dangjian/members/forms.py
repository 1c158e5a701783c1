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
from dangjian.orgs.models import Organization, OrganizationQuerySet, Unit


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
        regex=r"^\+?[\d-]{5,20}$",
        required=False,
        error_messages={"invalid": "联系电话只能包含数字、“-”和开头的“+”。"},
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
    org = forms.ModelChoiceField(label="所在党组织", queryset=Organization.objects.none())
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
    """登记党籍变动."""

    kind = forms.ChoiceField(
        label="变动类型",
        choices=[(k, v) for k, v in MemberEvent.Kind.choices if k != MemberEvent.Kind.ADMIT],
    )
    effective_date = BoundedDateField(label="生效日期")
    org = forms.ModelChoiceField(
        label="转入的党组织",
        queryset=Organization.objects.none(),
        required=False,
        help_text="系统内调整、转入、恢复党籍时选择",
    )
    category = forms.ChoiceField(
        label="转入时党员类别", choices=[("", "—"), *MemberCategory.choices], required=False
    )
    counterpart = forms.CharField(label="转出/转入单位", max_length=100, required=False)
    document_no = forms.CharField(label="文号或依据", max_length=100, required=False)
    note = forms.CharField(label="说明", max_length=200, required=False)

    def __init__(self, *args: Any, orgs: OrganizationQuerySet, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["org"].queryset = orgs  # type: ignore[attr-defined]


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
    org = forms.ModelChoiceField(
        label="组织",
        queryset=Organization.objects.none(),
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

    def __init__(self, *args: Any, orgs: OrganizationQuerySet, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["org"].queryset = orgs  # type: ignore[attr-defined]


class GroupForm(forms.Form):
    """编入党小组."""

    group = forms.ModelChoiceField(
        label="党小组", queryset=Organization.objects.none(), required=False, empty_label="不编入"
    )

    def __init__(self, *args: Any, groups: OrganizationQuerySet, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["group"].queryset = groups  # type: ignore[attr-defined]
