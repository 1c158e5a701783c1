"""村民会议 / 村民代表会议决议 (村民委员会组织法第二十二条、第二十六条): each threshold at and one
below, numbers that do not add up, and the reason in words."""

from __future__ import annotations

import pytest

from dangjian.core.exceptions import DomainError
from dangjian.core.procedures import StepRefused
from dangjian.deliberations.models import MatterStatus as S
from dangjian.deliberations.models import VillagerMeeting
from dangjian.deliberations.services import VillagerVote, judge_villager_meeting
from dangjian.deliberations.tests.conftest import days_ago, resolve, reviewed


def judge(kind="assembly", basis="villagers", entitled=82, present=42, yes=22, no=0, abstain=0):
    v = VillagerVote(kind=kind, entitled_basis=basis, held_on=days_ago(1), entitled=entitled,
                     present=present, yes=yes, no=no, abstain=abstain)  # fmt: skip
    return judge_villager_meeting(v)


def test_villagers_more_than_half_is_a_quorum(db):
    assert judge(present=42).quorum_met


def test_villagers_exactly_half_is_not(db):
    verdict = judge(present=41, yes=30)
    assert not verdict.quorum_met and not verdict.passed
    assert verdict.explanation.startswith(
        "到会 41 人，未超过应到会（十八周岁以上村民） 82 人的半数"
    )


def test_households_at_two_thirds_is_a_quorum(db):
    assert judge(basis="households", entitled=60, present=40, yes=21).quorum_met


def test_households_one_below_two_thirds_is_not(db):
    verdict = judge(basis="households", entitled=60, present=39, yes=21)
    assert not verdict.quorum_met
    assert "到会 39 户，未达到本村户数 60 户的三分之二" in verdict.explanation


def test_representatives_at_two_thirds_is_a_quorum(db):
    assert judge(kind="representatives", basis="", entitled=30, present=20, yes=11).passed


def test_representatives_one_below_two_thirds_is_not(db):
    assert not judge(kind="representatives", basis="", entitled=30, present=19, yes=19).quorum_met


def test_more_than_half_of_those_present_passes(db):
    assert judge(present=50, yes=26, no=24).passed


def test_exactly_half_of_those_present_fails(db):
    verdict = judge(present=50, yes=25, no=25)
    assert verdict.quorum_met and not verdict.passed
    assert "赞成 25 票，未超过到会 50 人的半数，决议未通过" in verdict.explanation


def test_more_present_than_entitled_is_refused(db):
    with pytest.raises(DomainError, match="实到会 83 多于应到会 82"):
        judge(present=83)


def test_more_votes_than_present_is_refused(db):
    with pytest.raises(DomainError, match="合计 43，多于实到会 42"):
        judge(present=42, yes=40, no=3)


def test_a_passed_resolution_moves_on_and_is_kept(village):
    m = reviewed(village)
    verdict = resolve(village, m)
    assert verdict.passed and m.status == S.RESOLVED
    row = VillagerMeeting.objects.get(matter=m)
    assert (row.entitled, row.present, row.yes, row.passed) == (30, 25, 20, True)


def test_a_meeting_without_quorum_may_be_held_again(village):
    m = reviewed(village)
    resolve(village, m, present=19, yes=19, no=0, abstain=0)
    assert m.status == S.REVIEWED
    resolve(village, m, held_on=days_ago(2), present=20, yes=15, no=5, abstain=0)
    assert m.status == S.RESOLVED and m.villager_meetings.count() == 2


def test_a_rejected_resolution_ends_the_matter(village):
    m = reviewed(village)
    resolve(village, m, present=24, yes=12, no=12, abstain=0)
    assert m.status == S.ENDED


def test_the_resolution_waits_for_the_members_review(village):
    from dangjian.deliberations.tests.conftest import consult, propose

    m = propose(village)
    consult(village, m)
    with pytest.raises(StepRefused, match="不能村民（代表）会议决议通过"):
        resolve(village, m)
