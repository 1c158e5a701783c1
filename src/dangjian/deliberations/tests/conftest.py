"""The village: the cast's branch set in a 村 (四议两公开 is for village 党组织), with nine full
members (李明 and eight more), so 2/3 is exactly 6 and more than half is 5."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone

from dangjian.deliberations import services
from dangjian.deliberations.models import Matter, MatterCategory
from dangjian.meetings import services as meetings
from dangjian.meetings.models import Meeting
from dangjian.orgs.models import Unit
from dangjian.testing import make_member
from dangjian.votes import services as votes

NAMES = ("王一", "张二", "刘三", "陈四", "杨五", "赵六", "黄七", "周八")


def days_ago(n: int) -> dt.date:
    return timezone.localdate() - dt.timedelta(days=n)


@pytest.fixture
def village(cast: Any) -> Any:
    unit = Unit.objects.create(name="东街村", category=Unit.Category.VILLAGE)
    cast.branch.unit = unit
    cast.branch.save(update_fields=["unit"])
    for name in NAMES:
        make_member(cast.county_admin, cast.branch, name=name)
    return cast


def propose(cast: Any, *, on: dt.date | None = None, **kw: Any) -> Matter:
    draft = services.MatterDraft(
        title=kw.pop("title", "修建村道"),
        category=kw.pop("category", MatterCategory.PUBLIC_WORKS),
        content=kw.pop("content", "拟修建村东至村西道路 1.2 公里，筹资筹劳方案见附件。"),
        proposed_on=on or days_ago(10),
        **kw,
    )
    return services.propose_matter(actor=cast.secretary, org=cast.branch, draft=draft)


def consult(cast: Any, m: Matter, *, on: dt.date | None = None, outcome: str = "agreed",
            **kw: Any) -> None:  # fmt: skip
    c = services.Consultation(on=on or days_ago(9), participants="张书记、李主任、王委员",
                              outcome=outcome, **kw)  # fmt: skip
    services.record_consultation(actor=cast.secretary, matter=m, version=m.version, c=c)
    m.refresh_from_db()


def send(cast: Any, m: Matter, on: dt.date | None = None) -> None:
    services.send_plan(actor=cast.secretary, matter=m, version=m.version, on=on or days_ago(8))
    m.refresh_from_db()


def convene(cast: Any, m: Matter, on: dt.date | None = None) -> None:
    services.convene_review(actor=cast.secretary, matter=m, version=m.version,
                            on=on or days_ago(5), place="村委会议室")  # fmt: skip
    m.refresh_from_db()


def attend(cast: Any, m: Matter, present: int) -> None:
    """The meeting's 出席登记 (meetings.services.record_attendance), which gives its poll the
    到会: the first `present` voters come, the others are absent."""
    came = set(list(m.poll.voters.values_list("member_id", flat=True))[:present])
    meeting = Meeting.objects.get(pk=m.meeting_id)
    rows = [meetings.AttendanceRow(a.member_id, "present" if a.member_id in came else "absent")
            for a in meetings.expected_rows(meeting)]  # fmt: skip
    meetings.record_attendance(actor=cast.secretary, meeting=meeting, rows=rows,
                               version=meeting.version)  # fmt: skip


def vote(cast: Any, m: Matter, *, present: int, yes: int, no: int = 0, abstain: int = 0) -> str:
    """Hold the 党员大会 poll on paper (totals): `present` of the nine members come."""
    poll = votes.open_poll(actor=cast.secretary, poll=m.poll)
    attend(cast, m, present)
    totals = {"invalid": 0, "counts": {"vote": {"yes": yes, "no": no, "abstain": abstain}}}
    votes.record_paper_counts(actor=cast.secretary, poll=poll, issued=present,
                              returned=yes + no + abstain, totals=totals)  # fmt: skip
    votes.close_poll(actor=cast.secretary, poll=poll)
    m.refresh_from_db()
    outcome = services.record_review(actor=cast.secretary, matter=m, version=m.version)
    m.refresh_from_db()
    return outcome


def reviewed(cast: Any) -> Matter:
    m = propose(cast)
    consult(cast, m)
    send(cast, m)
    convene(cast, m)
    assert vote(cast, m, present=8, yes=7, no=1) == "pass"
    return m


def resolve(cast: Any, m: Matter, **kw: Any) -> services.Verdict:
    v = services.VillagerVote(
        kind=kw.pop("kind", "representatives"), held_on=kw.pop("held_on", days_ago(3)),
        entitled=kw.pop("entitled", 30), present=kw.pop("present", 25), yes=kw.pop("yes", 20),
        no=kw.pop("no", 3), abstain=kw.pop("abstain", 2), **kw,
    )  # fmt: skip
    verdict = services.record_resolution(actor=cast.secretary, matter=m, version=m.version, vote=v)
    m.refresh_from_db()
    return verdict


def notice(on: dt.date, text: str = "经村民代表会议决议，修建村道。") -> services.Notice:
    return services.Notice(on=on, channel="board", text=text)
