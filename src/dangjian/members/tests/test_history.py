"""Membership as dated history: rosters as of past dates, backdated corrections, voiding."""

import datetime as dt

import pytest

from dangjian.core.exceptions import DomainError
from dangjian.members.models import MemberEvent
from dangjian.members.selectors import roster_on
from dangjian.members.services import record_event, void_event
from dangjian.testing import make_member

Kind = MemberEvent.Kind


def names(org, on, **kw):
    return sorted(s.member.name for s in roster_on(org, on, **kw))


def test_roster_of_a_past_date_follows_transfers(cast):
    record_event(
        actor=cast.county_admin,
        member=cast.member,
        kind=Kind.MOVE,
        effective_date=dt.date(2020, 1, 1),
        org=cast.other_branch,
    )
    assert names(cast.branch, dt.date(2019, 12, 31)) == ["李明"]
    assert names(cast.branch, dt.date(2020, 1, 1)) == []
    assert names(cast.other_branch, dt.date(2020, 6, 1)) == ["李明", "王芳"]
    cast.member.refresh_from_db()
    assert cast.member.org == cast.other_branch


def test_roster_before_joining_and_after_death(cast):
    record_event(
        actor=cast.county_admin,
        member=cast.member,
        kind=Kind.DEATH,
        effective_date=dt.date(2023, 3, 1),
    )
    assert names(cast.branch, dt.date(2010, 6, 30)) == []
    assert names(cast.branch, dt.date(2023, 2, 28)) == ["李明"]
    assert names(cast.branch, dt.date(2023, 3, 1)) == []
    cast.member.refresh_from_db()
    assert cast.member.status == "deceased"


def test_category_on_a_date_is_probationary_before_conversion(cast):
    spell = roster_on(cast.branch, dt.date(2011, 1, 1)).get()
    assert spell.category == "prob"
    assert roster_on(cast.branch, dt.date(2011, 7, 1)).get().category == "full"


def test_subtree_roster_counts_members_of_branches_below(cast):
    assert names(cast.county, dt.date(2020, 1, 1), subtree=True) == ["李明", "王芳"]


def test_backdated_event_before_an_existing_one_is_replayed(cast):
    record_event(
        actor=cast.county_admin,
        member=cast.member,
        kind=Kind.TRANSFER_OUT,
        effective_date=dt.date(2022, 5, 1),
        counterpart="外省某支部",
    )
    record_event(
        actor=cast.county_admin,
        member=cast.member,
        kind=Kind.MOVE,
        effective_date=dt.date(2018, 1, 1),
        org=cast.other_branch,
    )
    assert names(cast.other_branch, dt.date(2020, 1, 1)) == ["李明", "王芳"]
    assert names(cast.other_branch, dt.date(2022, 5, 1)) == ["王芳"]


def test_contradictory_backdated_event_is_refused_and_nothing_changes(cast):
    record_event(
        actor=cast.county_admin,
        member=cast.member,
        kind=Kind.DEATH,
        effective_date=dt.date(2023, 3, 1),
    )
    with pytest.raises(DomainError, match="不能发生在「已去世」之后"):
        record_event(
            actor=cast.county_admin,
            member=cast.member,
            kind=Kind.MOVE,
            effective_date=dt.date(2024, 1, 1),
            org=cast.other_branch,
        )
    assert cast.member.events.count() == 3
    assert names(cast.branch, dt.date(2022, 1, 1)) == ["李明"]


def test_converting_a_full_member_is_refused(cast):
    with pytest.raises(DomainError, match="只有预备党员"):
        record_event(
            actor=cast.county_admin,
            member=cast.member,
            kind=Kind.CONVERT,
            effective_date=dt.date(2015, 1, 1),
        )


def test_voiding_a_wrong_event_restores_the_history(cast):
    event = record_event(
        actor=cast.county_admin,
        member=cast.member,
        kind=Kind.SUSPEND,
        effective_date=dt.date(2021, 1, 1),
    )
    void_event(actor=cast.county_admin, event=event, reason="登记错误")
    cast.member.refresh_from_db()
    assert cast.member.status == "active"
    assert names(cast.branch, dt.date(2022, 1, 1)) == ["李明"]
    event.refresh_from_db()
    assert event.voided_at is not None


def test_transferred_in_member_is_in_roster_only_from_arrival(cast):
    make_member(cast.county_admin, cast.branch, name="周敏", transferred_in_on=dt.date(2019, 9, 1))
    assert names(cast.branch, dt.date(2019, 8, 31)) == ["李明"]
    assert names(cast.branch, dt.date(2019, 9, 1)) == ["周敏", "李明"]


def test_secretary_cannot_record_events_for_other_branches(cast):
    with pytest.raises(DomainError, match="没有修改"):
        record_event(
            actor=cast.secretary,
            member=cast.neighbour,
            kind=Kind.DEATH,
            effective_date=dt.date(2023, 1, 1),
        )
