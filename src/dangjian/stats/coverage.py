"""单位建立党组织情况: units that must have a Party organization against units that have one.

党章第三十条: 企业、农村、机关、学校……凡是有正式党员三人以上的，都应当成立党的基层组织. For an
organization's subtree on a date, per 单位类别 (Unit.Category):

- 单位数: units seen in the subtree that day: units with an organization of their own in the
  subtree, and units that members of the subtree work in (Member.work_unit);
- 具备建立党组织条件: units with at least the rule's number of 正式党员 (rule
  `organization.min_full_members`, 3) among the subtree's members that day, by 工作单位;
- 其中单独建立党组织: eligible units with an organization of their own existing that day
  (anywhere: a unit is covered even if its organization sits outside this subtree);
- 联合建立: the other eligible units, where one of their members sits in a 联合党支部 that day;
- 未建立: the rest; 覆盖率 = 单独建立 / 具备条件.

"An organization of its own" is one whose 所在单位 is the unit and whose kind is not a
联合党支部 (it gathers several units), a 临时党支部 (a project's, not a unit's) or a 党小组.

A fixed number of queries whatever the subtree's size (units looked up by id go in batches the
backend allows): members per unit (from the column store when this process has one), the
units' categories, which eligible units have an organization of their own (a probe per unit),
and the subtree's own organizations' units.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from django.db import connection
from django.db.models import Count, Exists, OuterRef, Q, QuerySet

from dangjian.core.models import rule_value
from dangjian.core.paths import subtree_q
from dangjian.members.choices import MemberCategory
from dangjian.orgs.models import Organization, OrgKind, Unit
from dangjian.stats import columnar
from dangjian.stats.reports import spells_on

RULE = "organization.min_full_members"  # 《中国共产党章程》第三十条
NOT_OWN_KINDS = (OrgKind.JOINT_BRANCH, OrgKind.TEMPORARY_BRANCH, OrgKind.GROUP)
TOTAL_LABEL = "合计"
MANY_UNITS = 5000  # ids beyond which a lookup reads all units instead of an IN list


@dataclass(frozen=True)
class CoverageRow:
    """One line of 单位建立党组织情况: a 单位类别, or 合计 (category "")."""

    category: str
    label: str
    units: int  # 单位数
    eligible: int  # 具备建立党组织条件
    own: int  # 其中单独建立党组织
    joint: int  # 联合建立

    @property
    def missing(self) -> int:
        """未建立: eligible units neither with their own organization nor in a joint one."""
        return self.eligible - self.own - self.joint

    @property
    def rate(self) -> float | None:
        """覆盖率 (%): 单独建立 / 具备建立党组织条件, one decimal; None without eligible units."""
        return round(100 * self.own / self.eligible, 1) if self.eligible else None


def min_full_members(on: dt.date) -> int:
    """正式党员 a unit needs to be bound to set up an organization (党章第三十条), on `on`."""
    return int(rule_value(RULE, on))


def _existing(on: dt.date, prefix: str = "") -> Q:
    """Organizations existing on `on`: founded by then (or undated), not dissolved by then."""
    founded = Q(**{f"{prefix}founded_on__isnull": True}) | Q(**{f"{prefix}founded_on__lte": on})
    standing = Q(**{f"{prefix}dissolved_on__isnull": True}) | Q(**{f"{prefix}dissolved_on__gt": on})
    return founded & standing


def own_organizations(on: dt.date) -> QuerySet[Organization]:
    """Organizations set up in a unit of their own (单独建立), existing on `on`."""
    return (
        Organization.objects.filter(_existing(on), unit__isnull=False)
        .exclude(kind__in=NOT_OWN_KINDS)
        .order_by()
    )


CATEGORIES = frozenset(Unit.Category.values)  # the enum rebuilds its list on every access


def _known(category: str) -> str:
    """A unit's category, with anything outside the code list counted as 其他."""
    return category if category in CATEGORIES else Unit.Category.OTHER


def _with_own_organization(units: list[int], on: dt.date) -> set[int]:
    """Those of `units` with an organization of their own on `on`: indexed probes, in batches
    the backend's parameter limit allows (a second pass over the spells cost twice as much)."""
    with_own = Unit.objects.filter(Exists(own_organizations(on).filter(unit=OuterRef("pk"))))
    return set(_among(with_own, units, "pk"))  # a probe per unit: some have many organizations


@dataclass(frozen=True)
class UnitMembers:
    """One 工作单位's members in the subtree on the day: 正式党员, and in a 联合党支部."""

    unit: int
    category: str
    full: int
    joint: int


def _per_unit(org: Organization, on: dt.date) -> list[UnitMembers]:
    """From this process's column store when it has one (a province's spells in tens of
    milliseconds), else one grouped query over the subtree's spells."""
    counts = columnar.unit_counts(org, on)
    if counts is not None:
        categories = _categories(list(counts.members))
        return [
            UnitMembers(unit, categories[unit], counts.full[unit], counts.joint[unit])
            for unit in counts.members
        ]
    # The 联合党支部 of the subtree that day, by id: joining every spell's organization to test
    # its kind cost more than the rest of the count (SQLite, a county of 50,000).
    joint = (
        Organization.objects.filter(subtree_q("path", org.path), _existing(on))
        .filter(kind=OrgKind.JOINT_BRANCH)
        .values_list("pk", flat=True)
    )
    grouped = (
        spells_on(org, on)
        .filter(member__work_unit__isnull=False)
        .values("member__work_unit")
        .annotate(
            full=Count("id", filter=Q(category=MemberCategory.FULL)),
            joint=Count("id", filter=Q(org_id__in=list(joint))),
        )
        .order_by()
    )
    rows = list(grouped)
    categories = _categories([r["member__work_unit"] for r in rows])
    return [
        UnitMembers(
            r["member__work_unit"], categories[r["member__work_unit"]], r["full"], r["joint"]
        )
        for r in rows
    ]


def _among(units: QuerySet[Unit], ids: list[int], *fields: str) -> Iterator[Any]:
    """`fields` of those `units` whose id is in `ids`: by id in batches the backend's parameter
    limit allows, or, for many ids (a province's), by one pass over the units (a long IN list
    cost PostgreSQL more to plan than the pass)."""
    rows = units.values_list(*fields) if len(fields) > 1 else units.values_list(*fields, flat=True)
    if len(ids) > MANY_UNITS:
        wanted = set(ids)
        yield from (r for r in rows.iterator() if (r[0] if len(fields) > 1 else r) in wanted)
        return
    size = connection.features.max_query_params or len(ids) or 1
    for start in range(0, len(ids), size):
        yield from rows.filter(pk__in=ids[start : start + size])


def _categories(units: list[int]) -> dict[int, str]:
    return dict(_among(Unit.objects.all(), units, "pk", "category"))


def unit_coverage(org: Organization, on: dt.date) -> list[CoverageRow]:
    """单位建立党组织情况 of `org`'s subtree on `on`: a row per 单位类别 (in the choices' order),
    then 合计."""
    threshold = min_full_members(on)
    per_unit = _per_unit(org, on)
    with_own = _with_own_organization([r.unit for r in per_unit if r.full >= threshold], on)
    in_subtree = (
        own_organizations(on)
        .filter(subtree_q("path", org.path))
        .values_list("unit", "unit__category")
        .distinct()
    )

    seen: dict[int, str] = {unit: _known(category) for unit, category in in_subtree}
    eligible, own, joint = Counter[str](), Counter[str](), Counter[str]()
    for row in per_unit:
        category = _known(row.category)
        seen[row.unit] = category
        if row.full >= threshold:
            eligible[category] += 1
            if row.unit in with_own:
                own[category] += 1
            elif row.joint:
                joint[category] += 1
    units = Counter(seen.values())

    rows = [
        CoverageRow(code, str(label), units[code], eligible[code], own[code], joint[code])
        for code, label in Unit.Category.choices
    ]
    total = CoverageRow(
        "",
        TOTAL_LABEL,
        sum(r.units for r in rows),
        sum(r.eligible for r in rows),
        sum(r.own for r in rows),
        sum(r.joint for r in rows),
    )
    return [*rows, total]
