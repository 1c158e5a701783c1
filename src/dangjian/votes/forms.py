"""Forms of the 表决与选举 pages: creating a poll, the ballot (phone and paper), the counts."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.dateparse import parse_date

from dangjian.core.forms import DateInput
from dangjian.members.choices import MemberCategory
from dangjian.members.models import Member
from dangjian.orgs.fields import OrgChoiceField
from dangjian.orgs.models import Organization
from dangjian.votes.models import Candidate, Poll, WrittenOpinion
from dangjian.votes.selectors import electorate, mark_columns, members_on, write_in_voters
from dangjian.votes.services import PRESETS, SHARES, PollDraft, electorate_date_range

# The preset a kind starts with.
DEFAULT_PRESET = {Poll.Kind.ELECTION: "election", Poll.Kind.MOTION: "meeting"}


class DateTimeInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, **kwargs: object) -> None:
        super().__init__(format="%Y-%m-%dT%H:%M", **kwargs)  # type: ignore[arg-type]


class StartForm(forms.Form):
    """Step one of 新建表决: which organization and what kind of vote."""

    org = OrgChoiceField(label="党组织")
    kind = forms.ChoiceField(label="类型", choices=Poll.Kind.choices, initial=Poll.Kind.ELECTION)

    def __init__(self, *args: Any, orgs: QuerySet[Organization], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["org"].queryset = orgs  # type: ignore[attr-defined]


class MemberChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        if obj.category == MemberCategory.PROBATIONARY:
            return f"{obj.name}（预备党员）"
        return str(obj.name)


def electorate_date(data: Mapping[str, Any] | None) -> dt.date:
    """表决权确认日期 as posted (the candidate choices depend on it); today if unreadable."""
    raw = (data or {}).get("electorate_on") or ""
    try:
        return parse_date(str(raw)) or timezone.localdate()
    except ValueError:
        return timezone.localdate()


class PollForm(forms.Form):
    """Step two of 新建表决: everything else, for one organization and kind."""

    title = forms.CharField(label="表决事项", max_length=200)
    context = forms.CharField(
        label="会议或程序", max_length=200, required=False, help_text="例如：东街社区党支部党员大会"
    )
    method = forms.ChoiceField(label="投票方式", choices=Poll.Method.choices)
    preset = forms.ChoiceField(
        label="表决规则", choices=[(key, p.label) for key, p in PRESETS.items()]
    )
    secret = forms.BooleanField(label="无记名投票", required=False, initial=True)
    seats = forms.IntegerField(label="应选人数", min_value=1, max_value=99, initial=1)
    post = forms.ChoiceField(
        label="选举职务",
        choices=Poll.Post.choices,
        initial=Poll.Post.COMMITTEE,
        required=False,  # an older form without it: committee members
        help_text="委员须差额选举（候选人多于应选人数 20%）；书记、副书记可以等额选举。",
    )
    electorate_on = forms.DateField(
        label="表决权确认日期", widget=DateInput(), help_text="不能晚于投票日期。"
    )
    candidates = MemberChoiceField(
        label="候选人",
        queryset=Member.objects.none(),
        widget=forms.CheckboxSelectMultiple(attrs={"class": "checks"}),
        help_text="选票上按姓氏笔画排序。",
    )
    opens_at = forms.DateTimeField(label="定时开始", required=False, widget=DateTimeInput())
    closes_at = forms.DateTimeField(label="定时结束", required=False, widget=DateTimeInput())
    quorum = forms.ChoiceField(
        label="到会比例（占应到会）",
        required=False,
        choices=[("", "按表决规则"), *((s, s) for s in SHARES)],
    )
    majority = forms.ChoiceField(
        label="通过比例（占基数）",
        required=False,
        choices=[("", "按表决规则"), *((s, s) for s in SHARES)],
    )
    base = forms.ChoiceField(
        label="票数基数", required=False, choices=[("", "按表决规则"), *Poll.Base.choices]
    )

    def __init__(self, *args: Any, org: Organization, kind: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.org, self.kind = org, kind
        self.fields["electorate_on"].initial = timezone.localdate()
        first, last = electorate_date_range()
        self.fields["electorate_on"].widget.attrs |= {"min": first, "max": last}
        self.fields["preset"].initial = DEFAULT_PRESET.get(kind, "evaluation")  # type: ignore[call-overload]
        on = electorate_date(self.data) if self.is_bound else timezone.localdate()
        if kind == Poll.Kind.MOTION:
            for name in ("seats", "post", "candidates"):
                del self.fields[name]
        elif kind == Poll.Kind.GRADE:
            del self.fields["seats"], self.fields["post"]
            field = self.fields["candidates"]
            field.label = "评议对象"
            field.queryset = members_on(org, on)  # type: ignore[attr-defined]
        else:
            self.fields["candidates"].queryset = electorate(org, on)  # type: ignore[attr-defined]

    def draft(self) -> PollDraft:
        f = self.cleaned_data
        return PollDraft(
            title=f["title"],
            kind=self.kind,
            method=f["method"],
            preset=f["preset"],
            electorate_on=f["electorate_on"],
            context=f["context"],
            secret=f["secret"],
            seats=f.get("seats") or 1,
            post=f.get("post") or "",
            candidates=list(f.get("candidates") or ()),
            quorum=f["quorum"] or None,
            majority=f["majority"] or None,
            base=f["base"] or None,
            opens_at=f["opens_at"],
            closes_at=f["closes_at"],
        )


class VersionForm(forms.Form):
    """开始投票 / 结束投票: the version the manager saw (乐观锁)."""

    version = forms.IntegerField(widget=forms.HiddenInput)


# ---- ballots ----------------------------------------------------------------------------------


def ballot_rows(poll: Poll, candidates: Sequence[Candidate]) -> list[dict[str, Any]]:
    """What the ballot shows: one row (the motion) or one per candidate, each with its name
    and the choices (value, label) for its radio buttons."""
    return [
        {"key": key, "name": name, "choices": mark_columns(poll.kind)}
        for key, name in _options(poll, candidates, prefix="c")
    ]


def _options(
    poll: Poll, candidates: Sequence[Candidate], prefix: str = ""
) -> list[tuple[str, str]]:
    """A ballot's rows as (key, name): the motion itself, or each candidate by id."""
    if poll.kind == Poll.Kind.MOTION:
        return [("vote", poll.title)]
    return [(f"{prefix}{c.pk}", c.name) for c in candidates]


def ballot_choices(
    poll: Poll, candidates: Sequence[Candidate], data: Mapping[str, Any]
) -> dict[str, Any]:
    """The posted ballot in the format tally reads (see tally.Inputs); the service checks it.

    Unmarked rows are left out: a candidate then counts as 弃权, a person graded as 未评; an
    election's 另选他人 fields (other_1 …) give member ids."""
    if poll.kind == Poll.Kind.MOTION:
        vote = data.get("vote")
        return {"vote": vote} if vote else {}
    key = "marks" if poll.kind == Poll.Kind.ELECTION else "grades"
    entries = {str(c.pk): data[f"c{c.pk}"] for c in candidates if data.get(f"c{c.pk}")}
    others = [data.get(name, "") for name, _ in write_in_fields(poll)]
    picked = [int(v) for v in others if str(v).isdigit()]
    return {key: entries, "others": picked} if picked else {key: entries}


def write_in_fields(poll: Poll) -> list[tuple[str, str]]:
    """另选他人 on an election ballot: one field per seat (name, label); none in a 再次投票."""
    if poll.kind != Poll.Kind.ELECTION or poll.round_kind == Poll.RoundKind.RUNOFF:
        return []
    return [(f"other_{i}", f"另选他人 {i}") for i in range(1, poll.seats + 1)]


def write_in_options(poll: Poll) -> list[tuple[int, str]]:
    """Who may be written in, as (member id, name), by name."""
    voters = write_in_voters(poll).order_by("name", "member_id")
    return list(voters.values_list("member_id", "name"))


class WrittenOpinionForm(forms.Form):
    """书面意见: an absent voter's written opinion, entered by the chair or secretary."""

    voter = forms.TypedChoiceField(label="提交书面意见的党员", coerce=int, choices=())
    vote = forms.ChoiceField(label="书面意见", choices=WrittenOpinion.Vote.choices)

    def __init__(self, *args: Any, poll: Poll, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        absent = poll.voters.filter(present=False, voted=False)
        self.fields["voter"].choices = [("", "请选择"), *absent.values_list("pk", "name")]  # type: ignore[attr-defined]


def paper_ballot_choices(
    poll: Poll, candidates: Sequence[Candidate], data: Mapping[str, Any]
) -> dict[str, Any]:
    """A paper ballot as the tellers read it; 废票 wins over anything marked."""
    if data.get("invalid"):
        return {"invalid": True}
    return ballot_choices(poll, candidates, data)


class CountsForm(forms.Form):
    """纸质选票: 发出票数 (逐张录入); for 汇总录入 also 收回票数, 废票 and each option's counts."""

    issued = forms.IntegerField(label="发出票数", min_value=0)

    def __init__(self, *args: Any, poll: Poll, candidates: Sequence[Candidate], **kw: Any) -> None:
        super().__init__(*args, **kw)
        self.poll, self.rows = poll, totals_rows(poll, candidates)
        if poll.method != Poll.Method.TOTALS:
            return
        self.fields["returned"] = forms.IntegerField(label="收回票数", min_value=0)
        self.fields["invalid"] = forms.IntegerField(label="废票数", min_value=0, initial=0)
        for row in self.rows:
            for cell in row["cells"]:
                self.fields[cell["field"]] = forms.IntegerField(
                    label=f"{row['name']} {cell['label']}", min_value=0, required=False
                )

    def totals(self) -> dict[str, Any] | None:
        if self.poll.method != Poll.Method.TOTALS:
            return None
        f = self.cleaned_data
        counts = {
            row["key"]: {cell["column"]: f[cell["field"]] or 0 for cell in row["cells"]}
            for row in self.rows
        }
        return {"invalid": f["invalid"], "counts": counts}


def totals_rows(poll: Poll, candidates: Sequence[Candidate]) -> list[dict[str, Any]]:
    """The totals table: one row per option, one cell (field name, column) per mark or grade."""
    columns = mark_columns(poll.kind)
    return [
        {
            "key": key,
            "name": name,
            "cells": [
                {"field": f"t_{key}_{code}", "column": code, "label": label}
                for code, label in columns
            ],
        }
        for key, name in _options(poll, candidates)
    ]
