"""党员大会审议 on the votes engine: at least 2/3 of the members due present; passed with yes
votes more than half of the members due (应到会). Nine members: 6 present is exactly 2/3."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from dangjian.core.exceptions import DomainError
from dangjian.core.models import RuleValue
from dangjian.deliberations import services
from dangjian.deliberations.models import MatterStatus as S
from dangjian.deliberations.tests.conftest import attend, consult, convene, propose, send, vote
from dangjian.meetings.models import MeetingPoll


@pytest.fixture
def convened(village):
    m = propose(village)
    consult(village, m)
    send(village, m)
    convene(village, m)
    return m


def test_the_poll_carries_the_four_two_thresholds(convened):
    p = convened.poll
    assert (p.quorum, p.quorum_strict, p.majority, p.majority_strict, p.base) == (
        "2/3", False, "1/2", True, "entitled",
    )  # fmt: skip
    assert MeetingPoll.objects.get(poll=p).meeting == convened.meeting


def test_exactly_two_thirds_present_is_a_quorum(village, convened):
    assert vote(village, convened, present=6, yes=5, no=1) == "pass"
    assert convened.status == S.REVIEWED


def test_one_below_two_thirds_present_decides_nothing(village, convened):
    assert vote(village, convened, present=5, yes=5) == "void"
    assert convened.status == S.NOTIFIED
    assert convened.meeting is None and convened.poll is None  # to be held again


def test_yes_votes_of_more_than_half_the_members_due_pass(village, convened):
    assert vote(village, convened, present=9, yes=5, no=4) == "pass"


def test_yes_votes_of_half_the_members_due_or_fewer_fail(village, convened):
    # 4 of 9 due: not more than half (even though 4 of the 7 present is more than half of them)
    assert vote(village, convened, present=7, yes=4, no=3) == "fail"
    assert convened.status == S.ENDED


def test_the_review_waits_for_the_count(village, convened):
    with pytest.raises(DomainError, match="尚未计票"):
        services.record_review(actor=village.secretary, matter=convened, version=convened.version)


def test_the_thresholds_in_force_on_the_meeting_date_are_used(village):
    m = propose(village)
    consult(village, m)
    send(village, m)
    RuleValue.objects.create(key="fourtwo.member_quorum", value=Decimal("0.75"), unit="比例",
                             effective_from=dt.date.today() + dt.timedelta(days=30),
                             source="本县新规定（示例）", basis="local")  # fmt: skip
    convene(village, m)
    assert m.poll.quorum == "2/3"  # the later value is not yet in force on the meeting date


def test_the_member_rules_are_local_and_the_villager_rules_statutory(db):
    bases = dict(RuleValue.objects.filter(key__startswith="fourtwo.").values_list("key", "basis"))
    assert bases == {
        "fourtwo.member_notice_days": "local",
        "fourtwo.member_quorum": "local",
        "fourtwo.member_majority": "local",
        "fourtwo.merge_when_one_person": "local",
        "fourtwo.result_reminder_days": "setting",
    }
    villager = RuleValue.objects.filter(key__startswith="villager.")
    assert {r.basis for r in villager} == {"national"} and villager.count() == 4


def test_more_ballots_back_than_handed_out_decides_nothing(village, convened):
    from dangjian.votes import services as votes

    poll = votes.open_poll(actor=village.secretary, poll=convened.poll)
    attend(village, convened, 9)
    totals = {"invalid": 0, "counts": {"vote": {"yes": 8, "no": 0, "abstain": 0}}}
    votes.record_paper_counts(actor=village.secretary, poll=poll, issued=7, returned=8,
                              totals=totals)  # fmt: skip
    votes.close_poll(actor=village.secretary, poll=poll)
    convened.refresh_from_db()
    assert services.record_review(actor=village.secretary, matter=convened,
                                  version=convened.version) == "void"  # fmt: skip
    assert convened.status == S.NOTIFIED


def test_the_meeting_is_a_general_meeting_of_the_branch_with_its_members_due(convened):
    from dangjian.meetings.services import expected_rows

    assert convened.meeting.kind == "general" and convened.meeting.title == "审议：修建村道"
    assert len(expected_rows(convened.meeting)) == 9


def test_the_meeting_held_counts_as_held(village, convened):
    vote(village, convened, present=6, yes=5, no=1)
    convened.refresh_from_db()
    assert convened.meeting.status == "held"
