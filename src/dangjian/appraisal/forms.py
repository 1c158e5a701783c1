"""Forms of the 民主评议党员 pages. They only parse: the services decide."""

from __future__ import annotations

from typing import Any

from django import forms

from dangjian.appraisal.models import GRADE_CHOICES, UNGRADED, Appraisal, Disposition, Entry
from dangjian.core.dates import BoundedDateField, today
from dangjian.core.forms import DateInput
from dangjian.orgs.models import Organization
from dangjian.votes.models import Poll

METHODS = [
    (Poll.Method.PAPER, "纸质票，逐张录入"),
    (Poll.Method.TOTALS, "纸质票，录入汇总结果"),
    (Poll.Method.ONLINE, "手机扫码投票"),
]


class StartForm(forms.Form):
    """学习动员: which branch, which year, on which day."""

    org = forms.ModelChoiceField(
        label="党支部", queryset=Organization.objects.none(), empty_label=None
    )
    year = forms.IntegerField(label="评议年度", min_value=2000, max_value=2100)
    on = BoundedDateField(label="学习动员日期", initial=today)
    note = forms.CharField(
        label="动员情况", required=False, max_length=500, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args: Any, orgs: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["org"].queryset = orgs  # type: ignore[attr-defined]
        self.fields["org"].label_from_instance = lambda o: o.name  # type: ignore[attr-defined]
        self.initial.setdefault("year", today().year)


class StepForm(forms.Form):
    """What any step may carry; each step's service says which it needs."""

    version = forms.IntegerField()
    on = BoundedDateField(label="日期", required=False)
    note = forms.CharField(label="说明", required=False, max_length=500)
    meeting = forms.IntegerField(label="会议", required=False)
    method = forms.ChoiceField(label="投票方式", choices=METHODS, required=False)
    deadline = forms.DateField(label="改正期限", required=False, widget=DateInput())
    measure = forms.ChoiceField(
        label="处置方式", choices=Disposition.Measure.choices, required=False
    )
    view = forms.CharField(label="本人意见", required=False, max_length=2000)
    document_no = forms.CharField(label="批复文号", required=False, max_length=100)
    confirm_over_cap = forms.BooleanField(required=False)

    def date(self) -> Any:
        return self.cleaned_data.get("on") or today()


class SelfReviewForm(forms.Form):
    """个人自评 and 党性分析."""

    version = forms.IntegerField(widget=forms.HiddenInput())
    self_review = forms.CharField(
        label="个人自评", max_length=5000, widget=forms.Textarea(attrs={"rows": 8}),
        help_text="对照党员标准和入党誓词，简要写明一年来的表现和不足",
    )  # fmt: skip
    party_analysis = forms.CharField(
        label="党性分析（可选）", max_length=5000, required=False,
        widget=forms.Textarea(attrs={"rows": 6}),
    )  # fmt: skip


class PeerForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput())
    comments = forms.CharField(
        label="互评意见", max_length=2000, required=False, widget=forms.Textarea(attrs={"rows": 3})
    )


class RateForm(forms.Form):
    """组织评定: one grade per 正式党员; 预备党员 are shown as 不评定等次."""

    version = forms.IntegerField(widget=forms.HiddenInput())
    body = forms.ChoiceField(label="评定机构", choices=Appraisal.Body.choices)
    on = BoundedDateField(label="评定日期", initial=today)
    reason = forms.CharField(
        label="优秀超过比例的理由", required=False, max_length=500,
        help_text="优秀等次一般不超过评定人数的三分之一；确需超过的须说明理由并确认",
    )  # fmt: skip
    confirmed = forms.BooleanField(label="确认优秀等次超过比例", required=False)

    def __init__(
        self, *args: Any, entries: list[Entry], suggested: dict[int, str], **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.entries = entries
        choices = [("", "请选择"), *[(c, label) for c, label in GRADE_CHOICES if c != UNGRADED]]
        for entry in entries:
            if entry.graded:
                self.fields[f"grade_{entry.member_id}"] = forms.ChoiceField(
                    label=entry.name,
                    choices=choices,
                    required=False,
                    initial=entry.grade or suggested.get(entry.member_id, ""),
                )

    def grades(self) -> dict[int, str]:
        return {
            e.member_id: self.cleaned_data.get(f"grade_{e.member_id}") or ""
            for e in self.entries
            if e.graded
        }
