"""Forms of the 发展党员 pages. They only parse: the services (and the engine) decide."""

from __future__ import annotations

from typing import Any

from django import forms

from dangjian.core.dates import BoundedDateField, today
from dangjian.meetings.models import Meeting, MeetingKind
from dangjian.members.choices import (
    ETHNICITY_CHOICES,
    Education,
    Gender,
    MemberCategory,
    MemberStatus,
    PersonCategory,
)
from dangjian.members.models import Member
from dangjian.orgs.models import Organization
from dangjian.recruitment.models import Applicant, Assessment
from dangjian.recruitment.procedures import OPINIONS
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


# --- stages A–C: 申请入党, 入党积极分子, 发展对象 ------------------------------------------------


def full_members_of(applicant: Any) -> Any:
    """The 正式党员 of the applicant's 党支部 in good standing, as choices."""
    if applicant is None:
        return Member.objects.none()
    return Member.objects.filter(
        org_id=applicant.org_id, status=MemberStatus.ACTIVE, category=MemberCategory.FULL
    ).order_by("name_pinyin")


class PeopleStepForm(StepForm):
    """A step choosing members of the branch (培养联系人, 入党介绍人) by name."""

    people_field = ""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields[self.people_field]
        field.queryset = full_members_of(self.applicant)  # type: ignore[attr-defined]
        field.label_from_instance = lambda m: m.name  # type: ignore[attr-defined]


class ReapplyForm(StepForm):
    """重新申请: the date of the new 入党申请书."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["on"].label = "递交入党申请书日期"


class ActivistForm(StepForm):
    """确定为入党积极分子: the 推荐方式 and the day the 支部委员会 decided."""

    recommendation = forms.ChoiceField(
        label="推荐方式", choices=Applicant.Recommendation.choices, widget=forms.RadioSelect
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["on"].label = "支部委员会研究确定日期"


class ContactsForm(PeopleStepForm):
    people_field = "contacts"
    contacts = forms.ModelMultipleChoiceField(
        label="培养联系人（一至二名本支部正式党员）",
        queryset=Member.objects.none(),
        widget=forms.CheckboxSelectMultiple,
    )


class CandidateForm(StepForm):
    """确定为发展对象: the opinions heard before the 支部委员会 decided."""

    opinions_heard = forms.MultipleChoiceField(
        label="已听取意见", choices=list(OPINIONS.items()), widget=forms.CheckboxSelectMultiple
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["on"].label = "支部委员会讨论同意日期"


class IntroducersForm(PeopleStepForm):
    people_field = "introducers"
    introducers = forms.ModelMultipleChoiceField(
        label="入党介绍人（两名本支部正式党员）",
        queryset=Member.objects.none(),
        widget=forms.CheckboxSelectMultiple,
    )


class PoliticalReviewForm(StepForm):
    """政治审查: the conclusion only (政审材料 stay on paper)."""

    conclusion = forms.ChoiceField(
        label="政审结论", choices=[("passed", "合格"), ("failed", "不合格")],
        widget=forms.RadioSelect,
    )  # fmt: skip

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["on"].label = "政审结论日期"
        self.fields["note"].max_length = 200  # type: ignore[attr-defined]
        self.fields["note"].help_text = "只写简要说明，不填写政审材料中的具体情况。"


class TrainingForm(StepForm):
    """集中培训: dated its last day (the 培训结束 a vote waits for)."""

    organizer = forms.CharField(label="举办单位", max_length=100)
    start = BoundedDateField(label="开始日期")
    end = BoundedDateField(label="结束日期")
    days = forms.IntegerField(label="培训天数", min_value=0, max_value=365, required=False)
    hours = forms.IntegerField(label="培训学时", min_value=0, max_value=2000, required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        del self.fields["on"]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("start"), data.get("end")
        if start and end:
            if end < start:
                self.add_error("end", "结束日期不能早于开始日期。")
            elif (data.get("days") or 0) > (end - start).days + 1:
                self.add_error("days", "培训天数不能多于开始至结束的天数。")
            data["on"] = end
        if not data.get("days") and not data.get("hours"):
            self.add_error("days", "请填写培训天数或学时。")
        return data


class TerminateForm(StepForm):
    reason = forms.CharField(
        label="终止培养的原因", max_length=300, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        del self.fields["note"]


STEP_FORMS.update(
    apply=ReapplyForm,
    confirm_activist=ActivistForm,
    assign_contacts=ContactsForm,
    confirm_candidate=CandidateForm,
    set_introducers=IntroducersForm,
    political_review=PoliticalReviewForm,
    training=TrainingForm,
    terminate=TerminateForm,
)


class ReportForm(forms.Form):
    """登记思想汇报."""

    submitted_on = BoundedDateField(label="递交日期", initial=today)
    summary = forms.CharField(
        label="主要内容（简要）", max_length=500, required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )  # fmt: skip


class AssessmentForm(forms.Form):
    """登记培养考察."""

    kind = forms.ChoiceField(label="考察类型", choices=Assessment.Kind.choices)
    assessed_on = BoundedDateField(label="考察日期", initial=today)
    opinion = forms.CharField(
        label="考察意见", max_length=2000, widget=forms.Textarea(attrs={"rows": 4})
    )
    by = forms.CharField(label="考察人", max_length=100, required=False)


class ReportEditForm(ReportForm):
    version = forms.IntegerField(widget=forms.HiddenInput())


class AssessmentEditForm(AssessmentForm):
    version = forms.IntegerField(widget=forms.HiddenInput())


def form_for(step: str) -> type[StepForm]:
    return STEP_FORMS.get(step, StepForm)


# --- stage E: 预备党员的教育考察和转正 -----------------------------------------------------------


class ConversionVoteForm(VoteForm):
    """提交支部党员大会讨论转正: what is proposed (按期转正, 延长预备期 and by how many months, or
    取消预备党员资格), the meeting and how it votes (the date is the meeting's)."""

    proposal = forms.ChoiceField(label="提请讨论的事项", choices=Applicant.Proposal.choices)
    months = forms.IntegerField(
        label="延长预备期（月）", required=False, min_value=1, max_value=24,
        help_text="仅延长预备期时填写：不少于半年，最长不超过一年，只能延长一次。",
    )  # fmt: skip

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["meeting"].help_text = "表决日期即会议日期，到会人数以会议的出席登记为准。"
        self.order_fields(["version", "proposal", "months", "meeting", "method", "note"])

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("proposal") == Applicant.Proposal.EXTEND and not data.get("months"):
            self.add_error("months", "延长预备期须填写延长的月数。")
        return data


class ApprovalForm(StepForm):
    """上级党委审批: the day of the 党委's decision and its 文号."""

    document_no = forms.CharField(label="批复文号", max_length=100, required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["on"].label = "审批日期"


STEP_FORMS.update(
    {
        "put_conversion_to_vote": ConversionVoteForm,
        **{
            step: DatedByMeetingForm
            for step in ("resolve_convert", "resolve_extend", "resolve_cancel", "conversion_failed")
        },
        **{step: ApprovalForm for step in ("approve_convert", "approve_extend", "approve_cancel")},
        "refuse_resolution": ReasonForm,
    }
)
# --- end of stage E ------------------------------------------------------------------------------
