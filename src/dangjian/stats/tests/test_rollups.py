"""Rollups: band splitting, the change log, folding, and the fallback when the tree moved."""

from __future__ import annotations

import datetime as dt
from typing import Any

from dangjian.members.services import record_event
from dangjian.orgs.models import Organization
from dangjian.orgs.services import move_organization
from dangjian.stats.checks import differences
from dangjian.stats.models import MarginChange, MarginDelta, RollupState
from dangjian.stats.reports import standard_report
from dangjian.stats.rollups import _band_pieces, fold, margins, rebuild


def test_age_bands_split_on_the_birthday_and_the_day_after_29_february() -> None:
    pieces = list(_band_pieces(dt.date(1996, 2, 29), dt.date(2020, 1, 1), dt.date(2028, 1, 1)))
    assert pieces == [
        (dt.date(2020, 1, 1), dt.date(2027, 3, 1), "30岁及以下"),
        (dt.date(2027, 3, 1), dt.date(2028, 1, 1), "31—35岁"),
    ]


def test_changes_wait_in_the_log_until_folded_and_reports_stay_exact(cast: Any) -> None:
    rebuild(min_members=1)
    record_event(
        actor=cast.county_admin,
        member=cast.neighbour,
        kind="out",
        effective_date=dt.date(2026, 1, 10),
        counterpart="外省",
    )
    assert MarginChange.objects.count() == 1
    assert sum(margins(cast.county, dt.date(2026, 1, 10))[:2]) == 1  # pending, already counted
    assert fold() == 1 and MarginChange.objects.count() == 0
    assert sum(margins(cast.county, dt.date(2026, 1, 10))[:2]) == 1
    assert differences(cast.county, dt.date(2026, 1, 9)) == []


def test_a_subtree_move_falls_back_to_counting_until_rebuilt(cast: Any) -> None:
    rebuild(min_members=1)
    town2 = Organization.objects.get_parent(cast.other_branch)
    move_organization(actor=cast.county_admin, org=cast.branch, new_parent=town2)
    assert RollupState.objects.get().dirty and margins(cast.county, dt.date(2026, 1, 1)) is None
    assert differences(cast.county, dt.date(2026, 1, 1)) == []
    rebuild(min_members=1)
    assert MarginDelta.objects.exists() and margins(cast.county, dt.date(2026, 1, 1)) is not None


def test_folded_backdated_change_reaches_the_later_years_checkpoints(cast: Any) -> None:
    rebuild(min_members=1)
    record_event(
        actor=cast.county_admin,
        member=cast.neighbour,
        kind="out",
        effective_date=dt.date(2020, 5, 1),
        counterpart="外省",
    )
    fold()
    assert sum(margins(cast.county, dt.date(2022, 3, 1))[:2]) == 1
    assert sum(margins(cast.county, dt.date(2020, 4, 30))[:2]) == 2
    assert differences(cast.county, dt.date(2022, 3, 1)) == []


def _bulk(cast: Any, n: int) -> None:
    from dangjian.members.services import Admission, MemberData, bulk_register_members
    from dangjian.testing import make_id_number

    birth = dt.date(1990, 3, 1)
    rows = [
        (
            MemberData(
                name=f"批量{i}",
                gender="F",
                ethnicity="01",
                birth_date=birth,
                id_number=make_id_number(birth, "F", area=f"11{i // 400:04d}"),
                education="ba",
                person_category="prof",
            ),
            Admission(cast.branch, dt.date(2015, 7, 1), dt.date(2016, 7, 1)),
        )
        for i in range(n)
    ]
    bulk_register_members(rows, actor=cast.county_admin)


def test_bulk_registration_reaches_the_rollups(cast: Any) -> None:
    rebuild(min_members=1)
    _bulk(cast, 3)  # a few: through the change log
    assert MarginChange.objects.count() == 3
    assert sum(margins(cast.county, dt.date(2026, 1, 1))[:2]) == 5
    fold()
    assert differences(cast.county, dt.date(2026, 1, 1)) == []


def test_a_bulk_load_adds_to_the_rollups_directly(cast: Any) -> None:
    rebuild(min_members=1)
    _bulk(cast, 150)
    assert not MarginChange.objects.exists()  # added directly, nothing left to fold
    assert sum(margins(cast.county, dt.date(2026, 1, 1))[:2]) == 152
    assert differences(cast.county, dt.date(2026, 1, 1)) == []


def test_a_subtree_without_a_rollup_node_moves_through_the_change_log(cast: Any) -> None:
    """Only the county and the townships keep rollups: moving a branch logs its members' and
    its own old and new paths, and every report stays exact without a rebuild."""
    from dangjian.stats.models import RollupNode

    rebuild(min_members=1)
    RollupNode.objects.filter(path__in=[cast.branch.path, cast.other_branch.path]).delete()
    town2 = Organization.objects.get_parent(cast.other_branch)
    before = margins(town2, dt.date(2026, 1, 1))
    move_organization(actor=cast.county_admin, org=cast.branch, new_parent=town2)
    assert not RollupState.objects.get().dirty and MarginChange.objects.exists()
    after = margins(town2, dt.date(2026, 1, 1))
    assert sum(after[:2]) == sum(before[:2]) + 1  # 李明 came along
    for folded in (False, True):
        if folded:
            fold()
        for org in Organization.objects.filter(depth__lte=2):
            for on in (dt.date(2015, 1, 1), dt.date(2026, 1, 1)):
                assert differences(org, on) == []
                kept = standard_report(org, on)
                RollupState.objects.update(dirty=True)
                live = standard_report(org, on)
                RollupState.objects.update(dirty=False)
                assert (kept.org_kinds, kept.children) == (live.org_kinds, live.children)
