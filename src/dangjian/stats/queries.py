"""综合查询: any combination of filters over a subtree on a date, cross-tabulated.

No pre-aggregation is involved: large subtrees are counted from the in-memory column store
(stats.columnar), the others (and any subtree while the store loads) from the same one-query
cube as the standard report, narrowed by the filters. Both give the same cells.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Q

from dangjian.members.choices import HAN
from dangjian.members.models import Member, MemberQuerySet
from dangjian.orgs.models import Organization, OrgKind
from dangjian.stats import columnar
from dangjian.stats.columnar import Cells
from dangjian.stats.reports import LABELS, aged_at_least, classified_spells, member_cube, older_than

OWN_LEVEL = "（本级）"


@dataclass
class CrossTab:
    rows: list[str]
    cols: list[str]
    cells: dict[tuple[str, str], int]
    # label → the value it stands for (a code, a band, a sub-organization's path): what a
    # cell's link asks `cell_members` for.
    row_values: dict[str, str] = field(default_factory=dict)
    col_values: dict[str, str] = field(default_factory=dict)

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

    @property
    def linked_grid(self) -> list[tuple[str, str, list[tuple[int, str]], int]]:
        """Row label, row value, the row's (count, column value) pairs, the row total."""
        return [
            (
                r,
                self.row_values.get(r, r),
                [(self.cell(r, c), self.col_values.get(c, c)) for c in self.cols],
                self.row_total(r),
            )
            for r in self.rows
        ]

    @property
    def linked_col_totals(self) -> list[tuple[int, str]]:
        return [(self.col_total(c), self.col_values.get(c, c)) for c in self.cols]


def member_filter(on: dt.date, f: Mapping[str, Any]) -> Q:
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
        q &= Q(member__birth_date__lte=aged_at_least(f["age_min"], on))
    if f.get("age_max") is not None:
        q &= Q(member__birth_date__gt=older_than(f["age_max"], on))
    if f.get("joined_from"):
        q &= Q(member__join_date__gte=f["joined_from"])
    if f.get("joined_to"):
        q &= Q(member__join_date__lte=f["joined_to"])
    return q


def crosstab(
    org: Organization, on: dt.date, filters: Mapping[str, Any] | Q, rows: str, cols: str
) -> CrossTab:
    """The members of `org`'s subtree on `on` that pass `filters` (the query form's values, as
    `member_filter` reads them), by `rows` × `cols` (report dimensions or "sub_org").

    A Q from `member_filter` is still accepted (the earlier calling convention) but is always
    counted in SQL: pass the filter values so large subtrees use the column store."""
    cells = None if isinstance(filters, Q) else columnar.counts(org, on, filters, rows, cols)
    if cells is None:
        where = filters if isinstance(filters, Q) else member_filter(on, filters)
        cells = sql_counts(org, on, where, rows, cols)
    return _labelled(org, rows, cols, cells)


def sql_counts(org: Organization, on: dt.date, where: Q, rows: str, cols: str) -> Cells:
    """The cross-tab's cells by value (not yet labelled), from the grouped SQL cube."""
    cube = member_cube(org, on, where, by_child="sub_org" in (rows, cols))
    cells: Cells = Counter()
    for row in cube:
        cells[(row[rows], row[cols])] += row["n"]
    return cells


def _labelled(org: Organization, rows: str, cols: str, by_value: Cells) -> CrossTab:
    by_child = "sub_org" in (rows, cols)
    labels = {**LABELS, "sub_org": child_labels(org) if by_child else {}}
    cells: Counter[tuple[str, str]] = Counter()
    for (row, col), n in by_value.items():
        cells[(_label(labels, rows, row), _label(labels, cols, col))] += n
    row_labels, col_labels = _axis(labels, rows, cells, 0), _axis(labels, cols, cells, 1)
    return CrossTab(
        row_labels,
        col_labels,
        dict(cells),
        row_values=_values(labels[rows], row_labels),
        col_values=_values(labels[cols], col_labels),
    )


def _values(labels: dict[str, str], shown: list[str]) -> dict[str, str]:
    by_label = {label: value for value, label in labels.items()}
    return {label: by_label.get(label, label) for label in shown}


def cell_members(
    org: Organization,
    on: dt.date,
    filters: Mapping[str, Any],
    axes: Mapping[str, str],
) -> MemberQuerySet:
    """The members behind one number of the cross-tab: those of `org`'s subtree on `on` that
    pass `filters` and whose value of each dimension in `axes` (e.g. {"sub_org": path,
    "education": "bachelor"}) is the given one. Counted by the same annotations as the cube,
    so the list has as many names as the cell's number."""
    spells = classified_spells(org, on, member_filter(on, filters), by_child="sub_org" in axes)
    spells = spells.filter(**dict(axes))
    return Member.objects.filter(pk__in=spells.values("member_id"))


def child_labels(org: Organization) -> dict[str, str]:
    children = Organization.objects.get_children(org).exclude(kind=OrgKind.GROUP)
    return {org.path: OWN_LEVEL} | {c.path: c.name for c in children}


def _label(labels: dict[str, dict[str, str]], dim: str, value: str) -> str:
    return labels[dim].get(value, value)


def _axis(labels: dict[str, dict[str, str]], dim: str, cells: Counter[Any], i: int) -> list[str]:
    """The dimension's labels in their usual order; 本级 only when someone sits there."""
    ordered = list(labels[dim].values())
    seen = {key[i] for key in cells}
    return [label for label in ordered if label != OWN_LEVEL or label in seen]
