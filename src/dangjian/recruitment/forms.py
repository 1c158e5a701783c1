"""Forms of the 发展党员 pages. They only parse: the services (and the engine) decide."""

from __future__ import annotations

from typing import Any

from django import forms

from dangjian.core.dates import BoundedDateField, today
from dangjian.members.choices import ETHNICITY_CHOICES, Education, Gender, PersonCategory
from dangjian.orgs.models import Organization


class ApplicationForm(forms.Form):
    """登记入党申请: the person as the 入党申请书 gives them, and the branch receiving it."""

    org = forms.ModelChoiceField(
        label="受理党支部", queryset=Organization.objects.none(), empty_label=None
    )
    name = forms.CharField(label="姓名", max_length=50)
    gender = forms.ChoiceField(label="性别", choices=Gender.choices)
    ethnicity = forms.ChoiceField(label="民族", choices=ETHNICITY_CHOICES, initial="01")
    birth_date = BoundedDateField(label="出生日期")
    id_number = forms.CharField(label="公民身份号码", max_length=18)
    education = forms.ChoiceField(label="学历", choices=Education.choices)
    person_category = forms.ChoiceField(label="人员类别", choices=PersonCategory.choices)
    native_place = forms.CharField(label="籍贯", max_length=50, required=False)
    work_unit_post = forms.CharField(label="工作单位及职务", max_length=100, required=False)
    phone = forms.CharField(label="联系电话", max_length=20, required=False)
    league_member = forms.BooleanField(label="共青团员", required=False)
    applied_on = BoundedDateField(label="递交入党申请书日期", initial=today)

    def __init__(self, *args: Any, orgs: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["org"].queryset = orgs  # type: ignore[attr-defined]
        self.fields["org"].label_from_instance = lambda o: o.name  # type: ignore[attr-defined]


class StepForm(forms.Form):
    """What every step carries: the record's version (concurrent edits), the step's date and a
    note (the confirmation a soft rule asks for is the page's `confirmed=1`, see `views.step`).
    Steps that need more subclass it."""

    version = forms.IntegerField(widget=forms.HiddenInput())
    on = BoundedDateField(label="办理日期", initial=today)
    note = forms.CharField(
        label="说明", required=False, max_length=500, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args: Any, applicant: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.applicant = applicant


# step → its form (StepForm when the step asks for a date and a note only).
STEP_FORMS: dict[str, type[StepForm]] = {}


def form_for(step: str) -> type[StepForm]:
    return STEP_FORMS.get(step, StepForm)
