"""综合查询: any combination of filters over a subtree on a date, cross-tabulated.

Answered from the same one-query cube as the standard report, narrowed by the filters, so no
pre-aggregation is involved.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass
from typing import Any

from dateutil.relativedelta import relativedelta
from django.db.models import Q

from dangjian.members.choices import HAN
from dangjian.orgs.models import Organization, OrgKind
from dangjian.stats.reports import LABELS, member_cube

OWN_LEVEL = "（本级）"


@dataclass
class CrossTab:
    rows: list[str]
    cols: list[str]
    cells: dict[tuple[str, str], int]

    def cell(self, row: str, col: str) -> int:
        return self.cells.get((row, col), 0)

    def row_total(self, row: str) -> int:
        return sum(self.cell(row, c) for c in self.cols)

    def col_total(self, col: str) -> int:
        return sum(self.cell(r, col) for r in self.rows)

    @property
    def total(self) -> int:
        return sum(self.cells.values())

    @property
    def grid(self) -> list[tuple[str, list[int], int]]:
        """Row label, the row's cells in column order, the row total (for the table)."""
        return [(r, [self.cell(r, c) for c in self.cols], self.row_total(r)) for r in self.rows]

    @property
    def col_totals(self) -> list[int]:
        return [self.col_total(c) for c in self.cols]


def member_filter(on: dt.date, f: dict[str, Any]) -> Q:
    """The query form's filters as one Q over spells (age is the age on `on`)."""
    q = Q()
    if f.get("gender"):
        q &= Q(member__gender=f["gender"])
    if f.get("ethnic_group"):
        han = Q(member__ethnicity=HAN)
        q &= han if f["ethnic_group"] == "han" else ~han
    if f.get("category"):
        q &= Q(category=f["category"])
    if f.get("education"):
        q &= Q(member__education__in=f["education"])
    if f.get("person_category"):
        q &= Q(member__person_category__in=f["person_category"])
    if f.get("age_min") is not None:
        q &= Q(member__birth_date__lte=on - relativedelta(years=f["age_min"]))
    if f.get("age_max") is not None:
        q &= Q(member__birth_date__gt=on - relativedelta(years=f["age_max"] + 1))
    if f.get("joined_from"):
        q &= Q(member__join_date__gte=f["joined_from"])
    if f.get("joined_to"):
        q &= Q(member__join_date__lte=f["joined_to"])
    return q


def crosstab(org: Organization, on: dt.date, where: Q, rows: str, cols: str) -> CrossTab:
    by_child = "sub_org" in (rows, cols)
    cube = member_cube(org, on, where, by_child=by_child)
    labels = {**LABELS, "sub_org": _child_labels(org) if by_child else {}}
    cells: Counter[tuple[str, str]] = Counter()
    for row in cube:
        key = (_label(labels, rows, row[rows]), _label(labels, cols, row[cols]))
        cells[key] += row["n"]
    return CrossTab(_axis(labels, rows, cells, 0), _axis(labels, cols, cells, 1), dict(cells))


def _child_labels(org: Organization) -> dict[str, str]:
    children = Organization.objects.get_children(org).exclude(kind=OrgKind.GROUP)
    return {org.path: OWN_LEVEL} | {c.path: c.name for c in children}


def _label(labels: dict[str, dict[str, str]], dim: str, value: str) -> str:
    return labels[dim].get(value, value)


def _axis(labels: dict[str, dict[str, str]], dim: str, cells: Counter[Any], i: int) -> list[str]:
    """The dimension's labels in their usual order; 本级 only when someone sits there."""
    ordered = list(labels[dim].values())
    seen = {key[i] for key in cells}
    return [label for label in ordered if label != OWN_LEVEL or label in seen]
