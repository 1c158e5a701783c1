"""The SQL rebuild of the rollups against the Python rule it restates (rollups.contributions),
and reports read from rollups against the same reports counted live."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from dangjian.members.models import MemberSpell
from dangjian.members.services import record_event
from dangjian.orgs.models import Organization, OrgKind
from dangjian.orgs.services import create_organization, dissolve_organization, org_facts
from dangjian.stats.cells import COLUMNS, INDEX
from dangjian.stats.models import MarginDelta, RollupNode, RollupState
from dangjian.stats.reports import standard_report
from dangjian.stats.rollups import _accumulate, fold, org_snapshot, rebuild, snapshots
from dangjian.testing import make_member

# Birthdays where date arithmetic differs between libraries, and spells that start or end
# exactly on an age-band boundary (birth + 31 / 36 years).
AWKWARD = [
    # (birth, gender, education, join, full, leaves on)
    (dt.date(1992, 2, 29), "F", "ba", dt.date(2015, 3, 1), dt.date(2016, 3, 1), None),
    (dt.date(1992, 2, 28), "M", "hs", dt.date(2023, 2, 28), None, None),  # joins turning 31
    (dt.date(1992, 3, 1), "F", "co", dt.date(2012, 7, 1), dt.date(2013, 7, 1), None),
    (dt.date(1988, 2, 29), "M", "pg", dt.date(2019, 3, 1), dt.date(2020, 3, 1), None),
    (dt.date(1980, 6, 15), "F", "ba", dt.date(2000, 6, 15), dt.date(2001, 6, 15),
     dt.date(2016, 6, 15)),  # leaves the day it turns 36
    (dt.date(1960, 12, 31), "M", "js", dt.date(1985, 1, 1), dt.date(1986, 1, 1), None),
]  # fmt: skip


def _members(cast: Any) -> None:
    for i, (birth, gender, education, join, full, leaves) in enumerate(AWKWARD):
        member = make_member(
            cast.county_admin,
            cast.branch if i % 2 else cast.other_branch,
            name=f"边界{i}",
            gender=gender,
            birth=birth,
            join=join,
            full=full,
            education=education,
        )
        if leaves:
            record_event(
                actor=cast.county_admin,
                member=member,
                kind="out",
                effective_date=leaves,
                counterpart="外省",
            )


def _organizations(cast: Any) -> None:
    """A branch founded in 2020 whose term ended in 2023, one with its term ending on a
    29 February, and one dissolved in 2024."""
    admin = cast.county_admin
    for code, founded, term_end in (
        ("100000000021", dt.date(2020, 5, 1), dt.date(2023, 4, 30)),
        ("100000000022", None, dt.date(2024, 2, 29)),
        ("100000000023", dt.date(2010, 1, 1), dt.date(2022, 12, 31)),
    ):
        branch = create_organization(
            actor=admin,
            parent=cast.township,
            kind=OrgKind.BRANCH,
            values={"name": f"测试{code}党支部", "code": code, "founded_on": founded,
                    "term_end": term_end},
        )  # fmt: skip
    dissolve_organization(
        actor=admin, org=branch, effective_date=dt.date(2024, 6, 1), reason="单位撤销"
    )


def _nonzero(rows: dict[tuple[int, dt.date], list[int]]) -> dict[tuple[int, dt.date], list[int]]:
    return {key: vector for key, vector in rows.items() if any(vector)}


@pytest.mark.django_db
def test_sql_rebuild_equals_the_python_rule_cell_by_cell(cast: Any) -> None:
    _members(cast)
    _organizations(cast)
    rebuild(min_members=1)
    stored = {
        (node, day): list(cells)
        for node, day, *cells in MarginDelta.objects.values_list("node_id", "day", *COLUMNS)
    }
    nodes = dict(RollupNode.objects.values_list("path", "pk"))
    members = MemberSpell.objects.values_list("member_id", flat=True).distinct()
    orgs = [org_snapshot(org_facts(o)) for o in Organization.objects.all()]
    snaps = [*snapshots(members).values(), *orgs]
    expected = _accumulate(((None, snap) for snap in snaps), nodes)
    assert _nonzero(stored) == _nonzero(dict(expected))
    # The rule is exercised, not vacuous: flows and band crossings are in there.
    assert any(v[INDEX[("flow", "developed_under_35")]] for v in stored.values())
    assert any(v[INDEX[("age_band", "31—35岁")]] < 0 for v in stored.values())
    assert any(v[INDEX[("org", "due")]] < 0 for v in stored.values())


@pytest.mark.django_db
@pytest.mark.parametrize("when", ["before", "pending", "folded"])
def test_reports_from_rollups_equal_reports_counted_live(cast: Any, when: str) -> None:
    """Organizations and members made before the rebuild, or after it (through the change
    log, then folded)."""
    _members(cast)
    if when != "before":
        rebuild(min_members=1)
    _organizations(cast)
    if when == "before":
        rebuild(min_members=1)
    if when == "folded":
        fold()
    days = [
        dt.date(2016, 6, 14),
        dt.date(2016, 6, 15),
        dt.date(2023, 3, 1),
        dt.date(2024, 2, 29),
        dt.date(2024, 3, 1),
        dt.date(2024, 6, 1),
        dt.date(2026, 1, 1),
    ]
    periods = [(dt.date(2015, 1, 1), dt.date(2020, 12, 31)), (dt.date(2023, 2, 28),) * 2]
    for org in (cast.county, cast.township, cast.branch):
        for on in days:
            for period in [None, *periods]:
                kept = standard_report(org, on, period)
                RollupState.objects.update(dirty=True)
                live = standard_report(org, on, period)
                RollupState.objects.update(dirty=False)
                assert kept.breakdowns == live.breakdowns, (org, on)
                assert (kept.developed, kept.converted) == (live.developed, live.converted)
                assert kept.children == live.children
                assert (kept.org_kinds, kept.due_reelection) == (
                    live.org_kinds,
                    live.due_reelection,
                )
    county = standard_report(cast.county, dt.date(2026, 1, 1), (dt.date(2012, 7, 1),) * 2)
    assert county.developed["total"] == 1 and county.developed["women"] == 1


def test_child_totals_come_from_the_childrens_rollups(
    cast: Any, django_assert_max_num_queries: Any
) -> None:
    rebuild(min_members=1)
    township = Organization.objects.get(pk=cast.township.pk)
    with django_assert_max_num_queries(16):  # no spell scan: every child keeps a rollup
        report = standard_report(township, dt.date(2026, 1, 1))
    assert sum(n for _, n in report.children) == report.total
