"""The ad-hoc cross-tab from the in-memory column store (stats.columnar) equals the SQL count
for any members, filters, axes and dates, and stays current after every kind of member write,
in this process and in a store loaded elsewhere."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from dateutil.relativedelta import relativedelta
from django.db import connection, transaction
from django.utils import timezone
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from dangjian.core.exceptions import DomainError
from dangjian.core.rules_seed import seeded_value
from dangjian.members.choices import Education, PersonCategory
from dangjian.members.history import PROBATION_MONTHS
from dangjian.members.models import Member
from dangjian.members.services import (
    Admission,
    MemberData,
    bulk_register_members,
    record_event,
    update_member,
)
from dangjian.orgs.models import Organization, OrgKind
from dangjian.orgs.services import create_organization, move_organization
from dangjian.stats import columnar
from dangjian.stats.forms import AXES
from dangjian.stats.models import StatsTick
from dangjian.stats.queries import CrossTab, crosstab, member_filter, sql_counts
from dangjian.stats.reports import AGE_BANDS, JOIN_PERIODS, _child_totals_sql, standard_report
from dangjian.testing import make_id_number, make_member

DIMS = [dim for dim, _ in AXES]
LEAP_DAYS = [dt.date(y, m, d) for y in (2016, 2017, 2020) for m, d in ((2, 28), (2, 29), (3, 1))
             if not (m == 2 and d == 29 and y % 4)]  # fmt: skip
days = st.one_of(st.dates(dt.date(1946, 1, 1), dt.date(2026, 6, 30)), st.sampled_from(LEAP_DAYS))
births = st.one_of(
    st.dates(dt.date(1925, 1, 1), dt.date(2004, 12, 31)),
    st.sampled_from([dt.date(1930, 5, 1), dt.date(1980, 2, 29), dt.date(1984, 2, 29)]),
)
# Join dates on the bulletin's period boundaries (when old enough), or some years after 18.
PERIOD_STARTS = [start for start, _ in JOIN_PERIODS if start is not None]
joins = st.one_of(
    st.integers(0, 15 * 365),
    st.tuples(st.sampled_from(PERIOD_STARTS), st.integers(-1, 1)),
)
people = st.lists(
    st.fixed_dictionaries(
        {
            "org": st.integers(0, 3),  # three branches and the township committee itself
            "birth": births,
            "join": joins,
            "converted": st.booleans(),
            "gender": st.sampled_from("MF"),
            "ethnicity": st.sampled_from(["01", "01", "03", "05"]),
            "education": st.sampled_from(Education.values),
            "person_category": st.sampled_from(PersonCategory.values),
            "no_join_date": st.integers(0, 3).map(lambda n: n == 0),
            "later": st.one_of(
                st.none(),
                st.tuples(st.sampled_from(["out", "move", "death"]), st.integers(0, 3), days),
            ),
        }
    ),
    min_size=2,
    max_size=8,
)
# Check dates near someone's birthday (at the age bands' limits, mostly), join date or later
# event put every boundary to the test: ("birthday", member, years, ±1 day), ("joined" or
# "later", member, ±1 day), or any day.
BAND_AGES = [limit + 1 for limit, _ in AGE_BANDS if limit is not None]
years = st.one_of(st.sampled_from(BAND_AGES), st.integers(18, 80))
near = st.integers(-1, 1)
member_days = st.tuples(st.sampled_from(["joined", "later"]), st.integers(0, 5), near)
on_days = st.one_of(
    days, st.tuples(st.just("birthday"), st.integers(0, 5), years, near), member_days
)
ages = st.one_of(st.integers(18, 70), st.sampled_from(["Y-1", "Y", "Y+1"]))  # Y: the age then
FILTERS = {
    "gender": st.sampled_from("MF"),
    "ethnic_group": st.sampled_from(["han", "minority"]),
    "category": st.sampled_from(["full", "prob"]),
    "education": st.lists(st.sampled_from(Education.values), min_size=1, unique=True),
    "person_category": st.lists(st.sampled_from(PersonCategory.values), min_size=1, unique=True),
    "age_min": ages,
    "age_max": ages,
    "joined_from": st.one_of(days, member_days),
    "joined_to": st.one_of(days, member_days),
}
# At most two filters at once: more would leave a handful of members with nobody to count.
filters = st.lists(
    st.one_of(*(st.tuples(st.just(key), values) for key, values in FILTERS.items())),
    max_size=2,
    unique_by=lambda kv: kv[0],
).map(dict)
checks = st.lists(
    st.tuples(on_days, filters, st.sampled_from(DIMS), st.sampled_from(DIMS), st.integers(0, 6)),
    min_size=5,
    max_size=15,
)


def _resolve(
    on: Any, f: dict[str, Any], members: list[Member], specs: list[dict[str, Any]]
) -> tuple[dt.date, dict[str, Any]]:
    """A drawn check as a date and filter values, from the members' own dates."""

    def day(drawn: Any) -> dt.date:
        kind, who, *rest = drawn
        member, spec = members[who % len(members)], specs[who % len(members)]
        if kind == "birthday":
            return member.birth_date + relativedelta(years=rest[0]) + dt.timedelta(rest[1])
        if kind == "later" and spec["later"] is not None:
            return spec["later"][2] + dt.timedelta(rest[0])
        return (member.join_date or dt.date(2000, 1, 1)) + dt.timedelta(rest[0])

    age = on[2] if isinstance(on, tuple) and on[0] == "birthday" else 40
    values = {k: day(v) if isinstance(v, tuple) else v for k, v in f.items()}
    for key in ("age_min", "age_max"):
        if isinstance(values.get(key), str):
            values[key] = age + {"Y-1": -1, "Y": 0, "Y+1": 1}[values[key]]
    return day(on) if isinstance(on, tuple) else on, values


@pytest.fixture(autouse=True)
def every_subtree_uses_the_store(settings: Any) -> Any:
    settings.DANGJIAN_STATS_COLUMNAR_MIN = 0
    columnar.reset()
    yield
    columnar.reset()


def both(org: Organization, on: dt.date, f: dict[str, Any], rows: str, cols: str) -> Any:
    """The cross-tab from the store (checked to be the one answering) and from SQL."""
    assert columnar.counts(org, on, f, rows, cols) is not None
    return crosstab(org, on, f, rows, cols), crosstab(org, on, member_filter(on, f), rows, cols)


def _branches(cast: Any) -> list[Organization]:
    west = create_organization(
        actor=cast.county_admin,
        parent=cast.township,
        kind=OrgKind.BRANCH,
        values={"name": "西街社区党支部", "code": "100000000011"},
    )
    return [cast.branch, west, cast.other_branch, cast.township]


def _add(cast: Any, branches: list[Organization], i: int, p: dict[str, Any]) -> Member:
    adult, cap = p["birth"] + relativedelta(years=18), dt.date(2025, 12, 31)
    if isinstance(p["join"], tuple):
        joined = max(p["join"][0] + dt.timedelta(p["join"][1]), adult)
    else:
        joined = adult + dt.timedelta(p["join"])
    joined = min(joined, cap)
    probation = relativedelta(months=int(seeded_value(PROBATION_MONTHS, joined)))
    full = joined + probation if p["converted"] and joined.year < 2025 else None
    member = make_member(
        cast.county_admin,
        branches[p["org"]],
        name=f"党员{i}",
        gender=p["gender"],
        birth=p["birth"],
        join=joined,
        full=full,
        ethnicity=p["ethnicity"],
        education=p["education"],
        person_category=p["person_category"],
    )
    if p["no_join_date"]:  # a record without 入党日期 (transferred in long ago)
        Member.objects.filter(pk=member.pk).update(join_date=None)
    return member


def _later(cast: Any, member: Member, branches: list[Organization], later: Any) -> None:
    kind, where, on = later
    try:
        with transaction.atomic():
            record_event(
                actor=cast.county_admin,
                member=member,
                kind=kind,
                effective_date=on,
                org=branches[where] if kind == "move" else None,
                counterpart="外县",
            )
    except DomainError:
        pass  # an impossible event (before joining, say) is refused and changes nothing


@hypothesis_settings(
    max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(specs=people, asks=checks)
def test_the_store_counts_what_sql_counts(cast: Any, specs: Any, asks: Any) -> None:
    columnar.reset()
    for org in (cast.county, cast.township, cast.branch, cast.other_branch):
        org.refresh_from_db()
    with transaction.atomic():
        branches = _branches(cast)
        members = [_add(cast, branches, i, p) for i, p in enumerate(specs)]
        columnar.ensure_loaded()  # then the later events are patched in
        for member, p in zip(members, specs, strict=True):
            if p["later"] is not None:
                _later(cast, member, branches, p["later"])
            member.refresh_from_db()
        town2 = Organization.objects.get_parent(cast.other_branch)
        scopes = [cast.county, cast.township, town2, *branches]
        for drawn_on, drawn, rows, cols, where in asks:
            on, f = _resolve(drawn_on, drawn, members, specs)
            from_store, from_sql = both(scopes[where], on, f, rows, cols)
            assert from_store == from_sql, (on, f)
        transaction.set_rollback(True)


def same(org: Organization, on: dt.date, f: dict[str, Any], rows: str, cols: str) -> bool:
    cells = columnar.counts(org, on, f, rows, cols)
    return cells == sql_counts(org, on, member_filter(on, f), rows, cols)


def same_children(org: Organization, on: dt.date) -> bool:
    """The drill-down's totals by child from the store equal the grouped count in SQL."""
    return columnar.child_totals(org, on) == _child_totals_sql(org, on, (), few=False)


def test_the_store_counts_what_sql_counts_at_every_boundary(cast: Any) -> None:
    """Birthdays at each band's limit (29 February too), joins on the period starts, a record
    without join date, a spell's first and last day: the day before, of and after each."""
    people = [  # birth, joined, left
        (dt.date(1980, 2, 29), dt.date(2012, 11, 8), dt.date(2024, 2, 29)),
        (dt.date(1984, 2, 29), dt.date(2012, 11, 7), None),
        (dt.date(1986, 2, 28), dt.date(2008, 3, 1), None),
        (dt.date(1930, 5, 1), dt.date(1949, 10, 1), dt.date(1991, 5, 1)),
        (dt.date(1950, 3, 1), dt.date(1978, 12, 18), None),
    ]
    for i, (birth, joined, left) in enumerate(people):
        full = joined + relativedelta(years=1)
        member = make_member(
            cast.county_admin, cast.branch, name=f"边界{i}", birth=birth, join=joined, full=full
        )
        if left:
            record_event(
                actor=cast.county_admin,
                member=member,
                kind="out",
                effective_date=left,
                counterpart="外县",
            )
    Member.objects.filter(pk=cast.member.pk).update(join_date=None)
    columnar.ensure_loaded()
    near = [dt.timedelta(d) for d in (-1, 0, 1)]
    for birth, joined, left in people:
        for age in BAND_AGES:
            for on in (birth + relativedelta(years=age) + d for d in near):
                for f in ({}, {"age_min": age}, {"age_min": age + 1}, {"age_max": age - 1}):
                    assert same(cast.county, on, f, "age_band", "category"), (on, f)
        for on in (day + d for day in (joined, left) if day for d in near):
            assert same(cast.township, on, {}, "join_period", "sub_org"), on
            assert same_children(cast.township, on), on
        for f in ({"joined_from": joined + d} for d in near):
            assert same(cast.county, dt.date(2025, 1, 1), f, "join_period", "gender"), f
        for f in ({"joined_to": joined + d} for d in near):
            assert same(cast.county, dt.date(2025, 1, 1), f, "join_period", "gender"), f


def test_a_recorded_transfer_out_is_patched_in(cast: Any) -> None:
    store, today = columnar.ensure_loaded(), timezone.localdate()
    record_event(
        actor=cast.county_admin,
        member=cast.member,
        kind="out",
        effective_date=today,
        counterpart="外县",
    )
    from_store, from_sql = both(cast.county, today, {}, "sub_org", "category")
    assert from_store == from_sql and from_store.total == 1
    assert same_children(cast.county, today) and same_children(cast.township, today)
    assert columnar.ensure_loaded() is store  # patched, not reloaded


def test_an_edited_member_is_re_read(cast: Any) -> None:
    columnar.ensure_loaded()
    member = cast.member
    update_member(
        actor=cast.county_admin,
        member=member,
        expected_version=member.version,
        changes={"gender": "F", "birth_date": dt.date(1996, 2, 29)},
        id_number=make_id_number(dt.date(1996, 2, 29), "F"),
    )
    today = timezone.localdate()
    from_store, from_sql = both(cast.county, today, {"gender": "F"}, "age_band", "sub_org")
    assert from_store == from_sql and from_store.total == 2


def test_a_bulk_registration_is_patched_in(cast: Any) -> None:
    columnar.ensure_loaded()
    rows = [
        (
            MemberData(
                name=f"新党员{i}",
                gender="F",
                ethnicity="03",
                birth_date=dt.date(1990, 1, 1 + i),
                id_number=make_id_number(dt.date(1990, 1, 1 + i), "F"),
                education="pg",
                person_category="student",
            ),
            Admission(org=cast.branch, join_date=dt.date(2020, 7, 1)),
        )
        for i in range(3)
    ]
    bulk_register_members(rows, actor=cast.county_admin)
    today = timezone.localdate()
    from_store, from_sql = both(
        cast.township, today, {"ethnic_group": "minority"}, "gender", "category"
    )
    assert from_store == from_sql and from_store.cell("女", "预备党员") == 3


def test_a_subtree_move_is_patched_in(cast: Any) -> None:
    store = columnar.ensure_loaded()
    town2 = Organization.objects.get_parent(cast.other_branch)
    move_organization(actor=cast.county_admin, org=cast.branch, new_parent=town2)
    town2.refresh_from_db()
    today = timezone.localdate()
    from_store, from_sql = both(town2, today, {}, "sub_org", "gender")
    assert from_store == from_sql and from_store.total == 2
    assert columnar.ensure_loaded() is store  # its members' rows re-read with the new paths


def test_a_write_too_large_to_list_reloads_the_store(cast: Any) -> None:
    store = columnar.ensure_loaded()
    columnar.tick(list(range(1, columnar.RELOAD_IDS + 2)))
    from_store, from_sql = both(cast.county, timezone.localdate(), {}, "sub_org", "gender")
    assert from_store == from_sql and columnar.ensure_loaded() is not store


def test_a_store_loaded_elsewhere_catches_up(cast: Any) -> None:
    elsewhere, today = columnar.load(), timezone.localdate()  # another process's store
    make_member(cast.county_admin, cast.other_branch, name="周敏", gender="F")
    assert elsewhere.refresh()
    ask = columnar.Ask(cast.county.path, today, {}, "gender", "sub_org")
    where = member_filter(today, {})
    assert elsewhere.count(ask) == sql_counts(cast.county, today, where, "gender", "sub_org")


def test_a_tick_that_commits_after_a_later_one_is_still_taken_in(cast: Any) -> None:
    store, today = columnar.ensure_loaded(), timezone.localdate()
    slow = StatsTick.objects.create(members=[cast.member.pk]).pk
    StatsTick.objects.create(members=[])
    StatsTick.objects.filter(pk=slow).delete()  # not visible yet: its writer has not committed
    assert store.refresh() and slow in store.horizon.gaps
    Member.objects.filter(pk=cast.member.pk).update(gender="F")  # that writer's change
    StatsTick.objects.create(pk=slow, members=[cast.member.pk])  # … and its commit
    from_store, from_sql = both(cast.county, today, {"gender": "F"}, "gender", "category")
    assert from_store == from_sql and from_store.total == 2


def test_a_store_that_may_have_missed_pruned_ticks_reloads(cast: Any) -> None:
    store = columnar.ensure_loaded()
    missed = StatsTick.objects.create(members=[cast.member.pk])
    StatsTick.objects.create(members=[cast.neighbour.pk])
    StatsTick.objects.filter(pk__lte=missed.pk).delete()  # pruned before this store looked
    assert not store.refresh()
    both(cast.county, timezone.localdate(), {}, "gender", "category")
    assert columnar.ensure_loaded() is not store


def test_small_subtrees_are_counted_in_sql(cast: Any, settings: Any) -> None:
    settings.DANGJIAN_STATS_COLUMNAR_MIN = 3  # spells: four in the county, two in a branch
    today = timezone.localdate()
    assert columnar.counts(cast.branch, today, {}, "gender", "category") is None
    assert columnar.counts(cast.county, today, {}, "gender", "category") is not None
    table = crosstab(cast.branch, today, {}, "gender", "category")
    assert isinstance(table, CrossTab) and table.total == 1


def test_a_small_installation_drills_down_in_sql(cast: Any, settings: Any) -> None:
    """Any subtree's children are counted from a loaded store, whatever its size; a database
    below the store's minimum counts them in SQL and starts no load."""
    settings.DANGJIAN_STATS_COLUMNAR_MIN = 10**9
    today = timezone.localdate()
    assert columnar.child_totals(cast.county, today) is None
    in_sql = standard_report(cast.county, today).children
    assert columnar._store is None
    columnar.ensure_loaded()
    assert columnar.child_totals(cast.county, today) is not None
    assert standard_report(cast.county, today).children == in_sql
    assert sum(n for _, n in in_sql) == 2


def test_a_large_installation_loads_the_store_for_the_drill_down(cast: Any, settings: Any) -> None:
    today = timezone.localdate()
    settings.DANGJIAN_STATS_COLUMNAR_MIN = 10**9
    in_sql = standard_report(cast.county, today).children
    columnar.reset()
    settings.DANGJIAN_STATS_COLUMNAR_MIN = 3  # spells: four in the database
    if connection.vendor == "postgresql":  # the size is the planner's estimate there
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE members_memberspell")
    assert standard_report(cast.county, today).children == in_sql
    assert columnar._store is not None  # loaded inline, as jobs run in tests


def test_the_first_query_is_answered_in_sql_while_the_store_loads(
    cast: Any, settings: Any, django_capture_on_commit_callbacks: Any
) -> None:
    settings.DANGJIAN_JOBS_INLINE = False
    today = timezone.localdate()
    with django_capture_on_commit_callbacks() as started:
        assert columnar.counts(cast.county, today, {}, "gender", "category") is None
        assert crosstab(cast.county, today, {}, "gender", "category").total == 2
    assert len(started) == 1  # one background load, started once the request commits
