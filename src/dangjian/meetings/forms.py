"""Forms of the 组织生活 pages. They parse; the services decide."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from django import forms
from django.db.models import QuerySet

from dangjian.core.dates import BoundedDateField, today
from dangjian.core.forms import DateInput
from dangjian.meetings.models import Meeting, MeetingKind, PlanItem
from dangjian.meetings.plans import open_items
from dangjian.meetings.services import PICKED_KINDS, MeetingData, pool
from dangjian.members.choices import MemberCategory
from dangjian.members.models import Member
from dangjian.orgs.fields import OrgChoiceField
from dangjian.orgs.models import Organization
from dangjian.votes.models import Poll
from dangjian.votes.services import PRESETS, PollDraft


def _a_year_ahead() -> dt.date:
    return today() + dt.timedelta(days=366)


class TimeInput(forms.TimeInput):
    input_type = "time"

    def __init__(self, **kwargs: object) -> None:
        super().__init__(format="%H:%M", **kwargs)  # type: ignore[arg-type]


class PersonField(forms.ModelChoiceField):  # type: ignore[type-arg]
    def label_from_instance(self, obj: Any) -> str:
        return str(obj.name)


class PeopleField(forms.ModelMultipleChoiceField):  # type: ignore[type-arg]
    def label_from_instance(self, obj: Any) -> str:
        if obj.category == MemberCategory.PROBATIONARY:
            return f"{obj.name}（预备党员）"
        return str(obj.name)


class StartForm(forms.Form):
    """Step one of 登记会议: which organization and what kind of meeting."""

    org = OrgChoiceField(label="党组织")
    kind = forms.ChoiceField(label="会议类型", choices=MeetingKind.choices)

    def __init__(self, *args: Any, orgs: QuerySet[Organization], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["org"].queryset = orgs  # type: ignore[attr-defined]


class MeetingForm(forms.Form):
    """Step two: the meeting itself, with its expected list (应到人员)."""

    title = forms.CharField(label="会议主题", max_length=200)
    date = BoundedDateField(label="会议日期", latest=_a_year_ahead)
    start_time = forms.TimeField(label="开始时间", required=False, widget=TimeInput())
    end_time = forms.TimeField(label="结束时间", required=False, widget=TimeInput())
    place = forms.CharField(label="会议地点", max_length=100, required=False)
    topics = forms.CharField(
        label="议题",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="每行一个议题。",
    )
    speaker = forms.CharField(label="授课人", max_length=50, required=False)
    chair = PersonField(label="主持人", queryset=Member.objects.none(), required=False)
    chair_name = forms.CharField(
        label="主持人（本组织以外）",
        max_length=50,
        required=False,
        help_text="上级党组织负责人等本组织以外的主持人，填写姓名和职务。",
    )
    recorder = PersonField(label="记录人", queryset=Member.objects.none(), required=False)
    notice = forms.CharField(
        label="会议通知", required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    invitees = PeopleField(
        label="应到人员",
        queryset=Member.objects.none(),
        widget=forms.CheckboxSelectMultiple(attrs={"class": "checks"}),
        required=False,
    )
    plan_item = forms.ModelChoiceField(
        label="落实年度计划事项", queryset=PlanItem.objects.none(), required=False
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(
        self,
        *args: Any,
        org: Organization,
        kind: str,
        meeting: Meeting | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.org, self.kind = org, kind
        on = meeting.date if meeting else today()
        people = pool(org, kind, on)
        for name in ("chair", "recorder", "invitees"):
            self.fields[name].queryset = people  # type: ignore[attr-defined]
        if kind != MeetingKind.LECTURE:
            del self.fields["speaker"]
        items = [i.pk for i in open_items(org, kind, on)]
        if meeting is not None and meeting.plan_item_id:
            items.append(meeting.plan_item_id)
        if items:
            self.fields["plan_item"].queryset = PlanItem.objects.filter(pk__in=items)  # type: ignore[attr-defined]
        else:
            del self.fields["plan_item"]
        if meeting is not None and meeting.status == Meeting.Status.HELD:
            del self.fields["invitees"]  # held: the roll says who came (更正 keeps it)
            return
        invitees = self.fields["invitees"]
        if kind in PICKED_KINDS:
            invitees.help_text = (
                "勾选参加会议的人员（支部委员会为支部委员，民主生活会为班子成员）。"
            )
        else:
            invitees.help_text = "默认为全体党员（含预备党员），可取消勾选不参加的人员。"
        if meeting is None and not self.is_bound:
            self.initial.setdefault("date", today())
            if kind not in PICKED_KINDS:
                self.initial["invitees"] = list(people.values_list("pk", flat=True))

    def data_for_service(self) -> MeetingData:
        c = self.cleaned_data
        return MeetingData(
            kind=self.kind,
            title=c["title"],
            date=c["date"],
            start_time=c.get("start_time"),
            end_time=c.get("end_time"),
            place=c.get("place") or "",
            topics=c.get("topics") or "",
            chair=c.get("chair"),
            chair_name=c.get("chair_name") or "",
            recorder=c.get("recorder"),
            speaker=c.get("speaker") or "",
            notice=c.get("notice") or "",
            invitees=list(c.get("invitees") or ()) or None,
            plan_item=c.get("plan_item"),
        )


def meeting_initial(meeting: Meeting) -> dict[str, Any]:
    return {
        "title": meeting.title,
        "date": meeting.date,
        "start_time": meeting.start_time,
        "end_time": meeting.end_time,
        "place": meeting.place,
        "topics": meeting.topics,
        "speaker": meeting.speaker,
        "chair": meeting.chair_id,
        "chair_name": meeting.chair_name,
        "recorder": meeting.recorder_id,
        "notice": meeting.notice,
        "plan_item": meeting.plan_item_id,
        "invitees": list(
            meeting.attendance.filter(expected=True).values_list("member_id", flat=True)
        ),
        "version": meeting.version,
    }


class MinutesForm(forms.Form):
    discussion = forms.CharField(
        label="讨论情况", required=False, widget=forms.Textarea(attrs={"rows": 6})
    )
    decisions = forms.CharField(
        label="决定事项", required=False, widget=forms.Textarea(attrs={"rows": 4})
    )
    version = forms.IntegerField(widget=forms.HiddenInput)


class CancelForm(forms.Form):
    reason = forms.CharField(label="取消原因", max_length=200)
    version = forms.IntegerField(widget=forms.HiddenInput)


class MeetingPollForm(forms.Form):
    """在会上表决: a motion put to the meeting (表决事项); its 到会 is the meeting's."""

    title = forms.CharField(label="表决事项", max_length=200)
    preset = forms.ChoiceField(
        label="表决规则", choices=[(key, p.label) for key, p in PRESETS.items()], initial="meeting"
    )
    method = forms.ChoiceField(
        label="投票方式", choices=Poll.Method.choices, initial=Poll.Method.TOTALS
    )
    secret = forms.BooleanField(label="无记名投票", required=False, initial=True)

    def draft(self, meeting: Meeting) -> PollDraft:
        c = self.cleaned_data
        return PollDraft(
            title=c["title"],
            kind=Poll.Kind.MOTION,
            method=c["method"],
            preset=c["preset"],
            electorate_on=min(meeting.date, today()),
            secret=c["secret"],
        )


class ListFilterForm(forms.Form):
    org = forms.IntegerField(required=False)
    kind = forms.ChoiceField(required=False, choices=[("", "全部类型"), *MeetingKind.choices])
    status = forms.ChoiceField(required=False, choices=[("", "全部状态"), *Meeting.Status.choices])
    start = forms.DateField(label="从", required=False, widget=DateInput())
    end = forms.DateField(label="至", required=False, widget=DateInput())

    def values(self) -> Mapping[str, Any]:
        if not self.is_valid():
            return {}
        return self.cleaned_data
