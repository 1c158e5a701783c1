"""党内统计: the standard report for any organization subtree on any date.

Membership on a date comes from the spells (党籍区间, derived from the events) under the
subtree's path. Paths are the tree as it is now: a branch moved to another township counts,
for every date, under the township it belongs to today (按现行组织隶属关系统计).

All member breakdowns come from one grouped query (a small cube: one row per combination of
category, gender, 汉族/少数民族, education, 人员类别, age band and join period, with a count);
the tables are its margins, so the same numbers can be cross-tabulated without a second scan.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from dateutil.relativedelta import relativedelta
from django.db.models import Case, CharField, Count, F, Q, QuerySet, Value, When
from django.db.models.functions import Substr

from dangjian.core.paths import any_subtree_q, subtree_q
from dangjian.members.choices import (
    HAN,
    Education,
    Gender,
    MemberCategory,
    PersonCategory,
)
from dangjian.members.models import MemberEvent, MemberSpell
from dangjian.orgs.models import Organization, OrgKind

# 年龄段 as the statistics bulletin counts them (age on the report date).
AGE_BANDS = [
    (30, "30岁及以下"),
    (35, "31—35岁"),
    (40, "36—40岁"),
    (45, "41—45岁"),
    (50, "46—50岁"),
    (55, "51—55岁"),
    (60, "56—60岁"),
    (None, "61岁及以上"),
]
# 发展党员 "35岁及以下" (the bulletin's share of young new members).
YOUNG_LIMIT = 35

# The one age rule every engine follows (the ORM CASE here, the rollups, the column store, the
# recount; backfill.py writes the same boundaries in SQL): on day D a member born on B is older
# than N years once B <= D − (N + 1) years, so one born on 29 February turns N + 1 on 1 March
# in a common year.


def age_cutoffs(on: dt.date) -> list[dt.date]:
    """Per band but the last: born after the cut-off means that band or a younger one."""
    return [older_than(limit, on) for limit, _ in AGE_BANDS if limit is not None]


def aged_at_least(years: int, on: dt.date) -> dt.date:
    """The latest birth date of someone `years` old or older on `on`."""
    return on - relativedelta(years=years)


def older_than(years: int, on: dt.date) -> dt.date:
    """The latest birth date of someone older than `years` on `on`."""
    return aged_at_least(years + 1, on)


def age_band(birth: dt.date, on: dt.date) -> str:
    """The 年龄段 of someone born on `birth`, on `on`."""
    return AGE_BANDS[sum(birth <= cut for cut in age_cutoffs(on))][1]


def is_young(birth: dt.date, on: dt.date) -> bool:
    """35 or younger on `on` (发展党员 35岁及以下)."""
    return birth > older_than(YOUNG_LIMIT, on)


def band_changes(birth: dt.date) -> list[dt.date]:
    """The days someone born on `birth` enters each band after the first: the first day D
    with birth <= D − (N + 1) years (the day after the birthday date for 29 February)."""
    days = []
    for limit in (limit for limit, _ in AGE_BANDS if limit is not None):
        day = birth + relativedelta(years=limit + 1)
        days.append(day if birth <= older_than(limit, day) else day + dt.timedelta(days=1))
    return days


# 入党时间段 of the bulletin. The boundaries are historical dates, not rules that change:
# 中华人民共和国成立 1949-10-01; 十一届三中全会 opened 1978-12-18; 十八大 opened 2012-11-08.
JOIN_PERIODS = [
    (dt.date(1949, 10, 1), "新中国成立前"),
    (dt.date(1978, 12, 18), "新中国成立至十一届三中全会前"),
    (dt.date(2012, 11, 8), "十一届三中全会至十八大前"),
    (None, "党的十八大以来"),
]
ETHNIC_GROUPS = {"han": "汉族", "minority": "少数民族"}
DIMENSIONS = (
    "category",
    "gender",
    "ethnic_group",
    "education",
    "person_category",
    "age_band",
    "join_period",
)
TITLES = {
    "category": "党员类别",
    "gender": "性别",
    "ethnic_group": "民族",
    "education": "学历",
    "person_category": "人员类别",
    "age_band": "年龄",
    "join_period": "入党时间",
}
LABELS: dict[str, dict[str, str]] = {
    "category": dict(MemberCategory.choices),
    "gender": dict(Gender.choices),
    "ethnic_group": ETHNIC_GROUPS,
    "education": dict(Education.choices),
    "person_category": dict(PersonCategory.choices),
    "age_band": {label: label for _, label in AGE_BANDS},
    "join_period": {label: label for _, label in JOIN_PERIODS},
}
HIGHER = {Education.POSTGRADUATE, Education.BACHELOR, Education.COLLEGE}
# Before any report date: where an organization's founding date is unknown, the rollups count
# it from here (orgs_on counts it on every date).
EPOCH = dt.date(1900, 1, 1)
FEW_RANGES = 3  # child_counts: up to this many children are read as separate path ranges
DUE_KINDS = (
    OrgKind.COMMITTEE,
    OrgKind.WORKING_COMMITTEE,
    OrgKind.GENERAL_BRANCH,
    OrgKind.BRANCH,
    OrgKind.JOINT_BRANCH,
)


@dataclass
class Breakdown:
    key: str
    title: str
    rows: list[tuple[str, int]]

    @property
    def total(self) -> int:
        return sum(n for _, n in self.rows)

    @property
    def with_shares(self) -> list[tuple[str, int, float]]:
        """Rows with their percentage of the total (for tables)."""
        total = self.total
        return [(label, n, 100 * n / total if total else 0.0) for label, n in self.rows]


@dataclass
class Report:
    """党内统计表: what an organization reports for a date (and a period for the flows)."""

    org: Organization
    on: dt.date
    period: tuple[dt.date, dt.date]
    total: int
    breakdowns: list[Breakdown]
    developed: dict[str, int]
    converted: int
    org_kinds: list[tuple[str, int]]
    due_reelection: int
    children: list[tuple[Organization, int]] = field(default_factory=list)

    def breakdown(self, key: str) -> Breakdown:
        return next(b for b in self.breakdowns if b.key == key)

    def share(self, key: str, *values: str) -> float:
        rows = dict(self.breakdown(key).rows)
        part = sum(rows.get(LABELS[key].get(v, v), 0) for v in values)
        return part / self.total if self.total else 0.0


def spells_on(org: Organization, on: dt.date) -> QuerySet[MemberSpell]:
    """The 党籍区间 open on `on` under `org`: one per member in the Party that day."""
    return MemberSpell.objects.open_on(on).filter(subtree_q("org_path", org.path))


def _age_band(on: dt.date) -> Case:
    """Age on `on` as a band (age_band's rule as SQL): born after the first cut-off means 30
    or younger, and so on."""
    whens = [
        When(member__birth_date__gt=cut, then=Value(label))
        for cut, (_, label) in zip(age_cutoffs(on), AGE_BANDS, strict=False)
    ]
    return Case(*whens, default=Value(AGE_BANDS[-1][1]), output_field=CharField())


def _join_period() -> Case:
    whens = [
        When(member__join_date__lt=start, then=Value(label))
        for start, label in JOIN_PERIODS
        if start is not None
    ]
    return Case(*whens, default=Value(JOIN_PERIODS[-1][1]), output_field=CharField())


def member_cube(
    org: Organization, on: dt.date, where: Q | None = None, *, by_child: bool = False
) -> list[dict[str, Any]]:
    """One row per combination of the dimensions with its member count (one grouped query).

    `where` narrows the members (the ad-hoc query's filters); `by_child` adds the direct
    sub-organization (its path) as one more dimension, `sub_org`.
    """
    dims: tuple[str, ...] = (*DIMENSIONS, "sub_org") if by_child else DIMENSIONS
    spells = classified_spells(org, on, where, by_child=by_child)
    return list(spells.values(*dims).annotate(n=Count("id")).order_by())


def classified_spells(
    org: Organization, on: dt.date, where: Q | None = None, *, by_child: bool = False
) -> QuerySet[MemberSpell]:
    """The spells open on `on` under `org`, each annotated with its value of every dimension
    (and, with `by_child`, `sub_org`): what the cube counts, and what a cell's list shows."""
    ethnic = Case(
        When(member__ethnicity=HAN, then=Value("han")),
        default=Value("minority"),
        output_field=CharField(),
    )
    spells = spells_on(org, on)
    if where is not None:
        spells = spells.filter(where)
    if by_child:
        width = len(org.path) + Organization.steplen
        spells = spells.annotate(sub_org=Substr("org_path", 1, width))
    return spells.annotate(
        gender=F("member__gender"),
        ethnic_group=ethnic,
        education=F("member__education"),
        person_category=F("member__person_category"),
        age_band=_age_band(on),
        join_period=_join_period(),
    )


def margins(cube: Iterable[dict[str, Any]]) -> list[Breakdown]:
    """Each dimension's table from the cube, rows in the bulletin's order, zeros included."""
    counters = {d: Counter[str]() for d in DIMENSIONS}
    for row in cube:
        for d in DIMENSIONS:
            counters[d][row[d]] += row["n"]
    return [
        Breakdown(d, TITLES[d], [(label, counters[d][code]) for code, label in LABELS[d].items()])
        for d in DIMENSIONS
    ]


def _started_by(
    org: Organization, kind: str, start: dt.date, end: dt.date
) -> QuerySet[MemberSpell]:
    """Spells of the subtree opened in the period by an event of `kind` on that very day
    (MemberSpell.opened_by): the spell index (org_path, valid_from) narrows to the subtree."""
    return MemberSpell.objects.filter(
        subtree_q("org_path", org.path),
        opened_by=kind,
        valid_from__gte=start,
        valid_from__lte=end,
    )


def developed_in(org: Organization, start: dt.date, end: dt.date) -> dict[str, int]:
    """发展党员 in the period (接收预备党员 into the subtree), with the bulletin's shares."""
    rows = _started_by(org, MemberEvent.Kind.ADMIT, start, end).values_list(
        "valid_from", "member__gender", "member__birth_date", "member__education"
    )
    result = Counter[str]()
    for on, gender, birth, education in rows:
        result["total"] += 1
        result["women"] += gender == Gender.FEMALE
        result["under_35"] += is_young(birth, on)
        result["higher_education"] += education in HIGHER
    return {k: result[k] for k in ("total", "women", "under_35", "higher_education")}


def converted_in(org: Organization, start: dt.date, end: dt.date) -> int:
    """转正 in the period of members who were in the subtree on their 转正 date."""
    return _started_by(org, MemberEvent.Kind.CONVERT, start, end).count()


def orgs_on(org: Organization, on: dt.date) -> QuerySet[Organization]:
    """Organizations of the subtree that existed on `on` (founded by then, not yet dissolved)."""
    return (
        Organization.objects.under(org)
        .filter(Q(founded_on__isnull=True) | Q(founded_on__lte=on))
        .filter(Q(dissolved_on__isnull=True) | Q(dissolved_on__gt=on))
    )


def org_kinds(org: Organization, on: dt.date) -> list[tuple[str, int]]:
    counts = dict(orgs_on(org, on).values_list("kind").annotate(n=Count("id")).order_by())
    return [(label, counts.get(kind, 0)) for kind, label in OrgKind.choices]


def due_for_reelection(org: Organization, on: dt.date) -> int:
    """应换届: committees and branches whose term had ended by `on`."""
    return orgs_on(org, on).filter(kind__in=DUE_KINDS, term_end__lt=on).count()


def direct_children(org: Organization) -> list[Organization]:
    """The sub-organizations a report drills down to (党小组 are not organizations there)."""
    return list(Organization.objects.get_children(org).exclude(kind=OrgKind.GROUP))


def child_counts(
    org: Organization, on: dt.date, children: list[Organization], known: dict[int, int]
) -> list[tuple[Organization, int]]:
    """Members on `on` under each of `children` (the drill-down). `known` holds the totals of
    children already read from their rollups; the others come from this process's column
    store when it has one loaded, else from one GROUP BY.

    A separate query rather than one more cube dimension: the cube by child is ten times
    larger, and folding it costs more than this scan (measured at county size)."""
    from dangjian.stats import columnar  # the store builds on this module's bands and periods

    unknown = tuple(c.path for c in children if c.pk not in known)
    per_prefix: dict[str, int] = {}
    if unknown:
        from_store = columnar.child_totals(org, on)
        per_prefix = (
            from_store
            if from_store is not None
            else _child_totals_sql(org, on, unknown, few=bool(known))
        )
    return [(c, known[c.pk] if c.pk in known else per_prefix.get(c.path, 0)) for c in children]


def _child_totals_sql(
    org: Organization, on: dt.date, unknown: tuple[str, ...], few: bool
) -> dict[str, int]:
    """Members on `on` by child path prefix, counted from the spells."""
    spells = spells_on(org, on)
    # A few children without a rollup: read only theirs. Many: one range scan of the
    # subtree is cheaper than a long OR of ranges (SQLite: 120 ms against 45 at 50,000).
    if few and len(unknown) <= FEW_RANGES:
        spells = spells.filter(any_subtree_q("org_path", unknown))
    width = len(org.path) + Organization.steplen
    return dict(
        spells.annotate(prefix=Substr("org_path", 1, width))
        .values_list("prefix")
        .annotate(n=Count("id"))
        .order_by()
    )


def _from_vector(vector: list[int]) -> tuple[int, list[Breakdown]]:
    from dangjian.stats.cells import INDEX  # cells builds on this module's bands and periods

    breakdowns = [
        Breakdown(
            d, TITLES[d], [(label, vector[INDEX[(d, code)]]) for code, label in LABELS[d].items()]
        )
        for d in DIMENSIONS
    ]
    return sum(n for _, n in breakdowns[0].rows), breakdowns


def _org_counts(vector: list[int]) -> tuple[list[tuple[str, int]], int]:
    """Organizations by kind and 应换届 from a vector's organization cells."""
    from dangjian.stats.cells import INDEX

    kinds = [(label, vector[INDEX[("org_kind", kind)]]) for kind, label in OrgKind.choices]
    return kinds, vector[INDEX[("org", "due")]]


def _flows(before: list[int], after: list[int]) -> tuple[dict[str, int], int]:
    """发展党员 and 转正 between two days' vectors (flow cells count events up to a day)."""
    from dangjian.stats.cells import INDEX

    def n(flow: str) -> int:
        cell = INDEX[("flow", flow)]
        return after[cell] - before[cell]

    developed = {
        "total": n("developed"),
        "women": n("developed_women"),
        "under_35": n("developed_under_35"),
        "higher_education": n("developed_higher"),
    }
    return developed, n("converted")


def standard_report(
    org: Organization, on: dt.date, period: tuple[dt.date, dt.date] | None = None
) -> Report:
    """The standard report of `org` for `on`; flows over `period` (default: the year to `on`).

    Subtrees that keep rollups (and their children that do) are read from them: a few
    indexed reads whatever their size. The rest is counted from the spells."""
    from dangjian.stats.rollups import vectors  # rollups build on this module

    start, end = period or (dt.date(on.year, 1, 1), on)
    children = direct_children(org)
    before = start - dt.timedelta(days=1)
    kept = vectors([org, *children], [on, before, end])
    if (org.pk, on) in kept:
        total, breakdowns = _from_vector(kept[(org.pk, on)])
        developed, converted = _flows(kept[(org.pk, before)], kept[(org.pk, end)])
        kinds, due = _org_counts(kept[(org.pk, on)])
    else:
        cube = member_cube(org, on)
        total, breakdowns = sum(row["n"] for row in cube), margins(cube)
        developed, converted = developed_in(org, start, end), converted_in(org, start, end)
        kinds, due = org_kinds(org, on), due_for_reelection(org, on)
    known = {c.pk: _from_vector(kept[(c.pk, on)])[0] for c in children if (c.pk, on) in kept}
    return Report(
        org=org,
        on=on,
        period=(start, end),
        total=total,
        breakdowns=breakdowns,
        developed=developed,
        converted=converted,
        org_kinds=kinds,
        due_reelection=due,
        children=child_counts(org, on, children, known),
    )
