"""Procedures that cross subtrees are two-sided: a 系统内调整 stays inside the actor's own scope;
a move out of it is a 组织关系转接, which each side handles in its own scope (decision 36)."""

import datetime as dt

import pytest

from dangjian.core.exceptions import DomainError
from dangjian.members.models import MemberEvent
from dangjian.members.services import record_event

MOVE = MemberEvent.Kind.MOVE


def test_a_move_inside_the_actors_scope_is_recorded(cast):
    record_event(actor=cast.county_admin, member=cast.member, kind=MOVE,
                 effective_date=dt.date(2024, 1, 1), org=cast.other_branch)  # fmt: skip
    cast.member.refresh_from_db()
    assert cast.member.org == cast.other_branch


def test_a_move_out_of_the_actors_scope_is_refused_as_a_transfer(cast):
    # 城关镇's organizer edits 李明 but not 河口村党支部 in another township of the county.
    with pytest.raises(DomainError, match="组织关系转接") as refused:
        record_event(actor=cast.township_admin, member=cast.member, kind=MOVE,
                     effective_date=dt.date(2024, 1, 1), org=cast.other_branch)  # fmt: skip
    assert refused.value.field == "org"
    cast.member.refresh_from_db()
    assert cast.member.org == cast.branch


def test_the_api_names_the_transfer_for_a_target_seen_but_not_edited(cast):
    from dangjian.accounts.models import Role
    from dangjian.accounts.services import grant_role

    # 纪委 of the county on top of the branch secretary's role: sees 河口村党支部, edits only 东街.
    grant_role(actor=None, user=cast.secretary, role=Role.DISCIPLINE_COMMITTEE, org=cast.county,
               bootstrap=True)  # fmt: skip
    response = cast.client(cast.secretary).post(
        f"/api/members/{cast.member.pk}/events/",
        {"kind": MOVE, "effective_date": "2024-01-01", "org": cast.other_branch.pk},
        content_type="application/json",
    )
    assert response.status_code == 400
    assert "组织关系转接" in response.json()["detail"]
