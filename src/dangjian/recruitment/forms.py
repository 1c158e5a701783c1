"""Forms of the 发展党员 pages. They only parse: the services (and the engine) decide."""

from __future__ import annotations

from typing import Any

from django import forms

from dangjian.core.dates import BoundedDateField, today
from dangjian.meetings.models import Meeting, MeetingKind
from dangjian.members.choices import ETHNICITY_CHOICES, Education, Gender, PersonCategory
from dangjian.orgs.models import Organization
from dangjian.votes.models import Poll


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


# --- stage D: 预备党员的接收 ------------------------------------------------------------------


class ReasonForm(StepForm):
    """A step that says why (预审未通过, 不予批准): the reason replaces the note."""

    reason = forms.CharField(
        label="原因", max_length=500, widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": "请填写原因。"},
    )  # fmt: skip

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        del self.fields["note"]


class EndPublicityForm(StepForm):
    """公示结束: 公示期间是否有反映, and what was reported and verified (a short note)."""

    objections = forms.TypedChoiceField(
        label="公示期间是否有反映",
        choices=[("no", "无反映"), ("yes", "有反映")],
        coerce=lambda v: v == "yes",
        widget=forms.RadioSelect,
        initial="no",
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["note"].label = "反映的问题及核实情况"


class FillFormForm(StepForm):
    """填写入党志愿书: its number, when the 组织部门 numbers them."""

    form_number = forms.CharField(label="入党志愿书编号", max_length=50, required=False)


class DatedByMeetingForm(StepForm):
    """A step dated by the 支部党员大会 (its date is the meeting's, not asked)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        del self.fields["on"]


class VoteForm(DatedByMeetingForm):
    """提交支部党员大会讨论表决: which 支部党员大会 of the branch, and how the members vote."""

    meeting = forms.ModelChoiceField(
        label="支部党员大会", queryset=Meeting.objects.none(),
        error_messages={"required": "请选择召开讨论的支部党员大会。"},
    )  # fmt: skip
    method = forms.ChoiceField(label="表决方式", choices=Poll.Method.choices, initial="paper")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["meeting"]
        if self.applicant is not None:
            field.queryset = (  # type: ignore[attr-defined]
                Meeting.objects.filter(org=self.applicant.org, kind=MeetingKind.GENERAL)
                .exclude(status=Meeting.Status.CANCELLED)
                .order_by("-date", "-pk")
            )
        field.label_from_instance = (  # type: ignore[attr-defined]
            lambda m: f"{m.date:%Y-%m-%d} {m.title}"
        )
        self.order_fields(["version", "meeting", "method", "note"])


STEP_FORMS.update(
    {
        "pre_review_failed": ReasonForm,
        "end_publicity": EndPublicityForm,
        "fill_form": FillFormForm,
        "put_to_vote": VoteForm,
        "admit": DatedByMeetingForm,
        "admit_failed": DatedByMeetingForm,
        "disapprove": ReasonForm,
    }
)


def form_for(step: str) -> type[StepForm]:
    return STEP_FORMS.get(step, StepForm)
