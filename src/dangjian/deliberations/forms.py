"""Forms of the 四议两公开 pages: the proposal, and one form per stage of the detail page."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils import timezone

from dangjian.core.forms import DateInput
from dangjian.deliberations import services
from dangjian.deliberations.models import (
    ConsultOutcome,
    MatterCategory,
    Publication,
    VillagerMeeting,
    VillagerMeetingKind,
)
from dangjian.orgs.models import Organization
from dangjian.votes.models import Poll


def _today() -> Any:
    return timezone.localdate()


class MatterForm(forms.Form):
    """党组织提议."""

    org = forms.ModelChoiceField(
        label="村党组织", queryset=Organization.objects.none(), empty_label="请选择"
    )
    title = forms.CharField(label="事项名称", max_length=200)
    category = forms.ChoiceField(label="事项类别", choices=MatterCategory.choices)
    content = forms.CharField(
        label="初步方案", widget=forms.Textarea(attrs={"rows": 5}),
        help_text="党组织在广泛征求意见、调查研究的基础上提出的初步方案",
    )  # fmt: skip
    proposed_on = forms.DateField(label="提议日期", initial=_today, widget=DateInput())
    one_person_both_posts = forms.BooleanField(
        label="书记兼任村委会主任（一肩挑）", required=False,
        help_text="“一肩挑”的，提议与“两委”商议可以合并进行（按本地规定）",
    )  # fmt: skip
    merge_reason = forms.CharField(label="合并说明", max_length=200, required=False)

    def __init__(self, *args: Any, orgs: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["org"].queryset = orgs  # type: ignore[attr-defined]
        if orgs.count() == 1:
            self.fields["org"].initial = orgs.first()

    def draft(self) -> services.MatterDraft:
        d = self.cleaned_data
        return services.MatterDraft(
            title=d["title"], category=d["category"], content=d["content"],
            proposed_on=d["proposed_on"], one_person_both_posts=d["one_person_both_posts"],
            merge_reason=d["merge_reason"],
        )  # fmt: skip


class StageForm(forms.Form):
    """A step on a matter: the version the page was opened with (防止重复办理)."""

    version = forms.IntegerField(widget=forms.HiddenInput)


class ConsultForm(StageForm):
    on = forms.DateField(label="商议日期", initial=_today, widget=DateInput())
    participants = forms.CharField(
        label="参加人员", widget=forms.Textarea(attrs={"rows": 2}),
        help_text="支委、村委成员姓名，用顿号分隔（村委成员不必是党员或有账号）",
    )  # fmt: skip
    outcome = forms.ChoiceField(label="商议结果", choices=ConsultOutcome.choices)
    note = forms.CharField(label="商议情况", widget=forms.Textarea(attrs={"rows": 3}),
                           required=False)  # fmt: skip
    yes = forms.IntegerField(label="赞成", min_value=0, required=False,
                             help_text="有分歧进行表决的填写；没有表决的不填")  # fmt: skip
    no = forms.IntegerField(label="反对", min_value=0, required=False)
    abstain = forms.IntegerField(label="弃权", min_value=0, required=False)

    def consultation(self) -> services.Consultation:
        d = self.cleaned_data
        return services.Consultation(
            on=d["on"], participants=d["participants"], outcome=d["outcome"], note=d["note"],
            yes=d["yes"], no=d["no"], abstain=d["abstain"],
        )  # fmt: skip


class SendPlanForm(StageForm):
    on = forms.DateField(label="送达党员日期", initial=_today, widget=DateInput())
    note = forms.CharField(label="送达方式", max_length=200, required=False,
                           help_text="如：逐户送达、党员微信群发送")  # fmt: skip


class ConveneForm(StageForm):
    on = forms.DateField(label="党员大会日期", widget=DateInput())
    place = forms.CharField(label="会议地点", max_length=100, required=False)
    method = forms.ChoiceField(label="表决方式", choices=Poll.Method.choices,
                               initial=Poll.Method.TOTALS)  # fmt: skip


class PollForm(forms.Form):
    method = forms.ChoiceField(label="表决方式", choices=Poll.Method.choices,
                               initial=Poll.Method.TOTALS)  # fmt: skip


class ResolveForm(StageForm):
    kind = forms.ChoiceField(label="会议类型", choices=VillagerMeetingKind.choices)
    entitled_basis = forms.ChoiceField(
        label="应到会口径（村民会议）",
        choices=[("", "—"), *VillagerMeeting.Entitled.choices[:2]],
        required=False,
        help_text="村民会议按十八周岁以上村民或户数计算；村民代表会议不填",
    )
    held_on = forms.DateField(label="会议日期", initial=_today, widget=DateInput())
    entitled = forms.IntegerField(label="应到会（人或户）", min_value=1)
    present = forms.IntegerField(label="实到会（人或户）", min_value=0)
    yes = forms.IntegerField(label="赞成", min_value=0)
    no = forms.IntegerField(label="反对", min_value=0)
    abstain = forms.IntegerField(label="弃权", min_value=0)
    names = forms.CharField(label="参会人员名单", widget=forms.Textarea(attrs={"rows": 2}),
                            required=False, help_text="可选；姓名用顿号分隔")  # fmt: skip

    def vote(self) -> services.VillagerVote:
        d = self.cleaned_data
        return services.VillagerVote(
            kind=d["kind"], held_on=d["held_on"], entitled=d["entitled"], present=d["present"],
            yes=d["yes"], no=d["no"], abstain=d["abstain"],
            entitled_basis=d.get("entitled_basis") or "", names=d["names"],
        )  # fmt: skip


class PublishForm(StageForm):
    on = forms.DateField(label="公开日期", initial=_today, widget=DateInput())
    channel = forms.ChoiceField(label="公开渠道", choices=Publication.Channel.choices)
    channel_text = forms.CharField(label="其他渠道名称", max_length=100, required=False)
    text = forms.CharField(label="公开内容", widget=forms.Textarea(attrs={"rows": 4}))

    def notice(self) -> services.Notice:
        d = self.cleaned_data
        return services.Notice(on=d["on"], channel=d["channel"], text=d["text"],
                               channel_text=d["channel_text"])  # fmt: skip


def errors_in_words(form: forms.BaseForm) -> str:
    """A bound form's errors as one Chinese sentence naming each field."""
    parts = []
    for name, errors in form.errors.items():
        label = form.fields[name].label if name in form.fields else ""
        said = "；".join(str(e) for e in errors)
        parts.append(f"{label}：{said}" if label else said)
    return "；".join(parts) or "请求不完整，请刷新页面后重试。"
