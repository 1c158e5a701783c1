"""综合查询 in memory: every membership spell as numpy columns, for province-size cross-tabs.

The ad-hoc cross-tab (stats.queries.crosstab) may combine any filters with any two axes, so no
rollup can answer it; in SQL it is a grouped join over every spell of the subtree, seconds for
a province. Here each process keeps one store of all spells with their member's attributes:

* Rows are sorted by org path, so a subtree is one contiguous row range (bisect the sorted
  distinct paths for the prefix), and each direct child is a contiguous piece of it.
* Columns are compact: int8 codes for category, gender, 汉族, education and 人员类别; int32 day
  numbers (days since 1970-01-01) for valid_from, valid_to (open: NEVER), birth and join date
  (none: NEVER); int32 member id. 25 bytes per spell, plus a sorted list of the distinct paths
  and their row offsets (about 80 bytes per organization).
* A cross-tab scans the range in blocks that stay in the CPU cache: the spells open on the day,
  the filters as comparisons, each row's cell as rows × cols codes, one bincount.

Freshness across processes: every member write inserts a `StatsTick` row (the members it
changed, or none for a tree change) in the writer's transaction: insert-only, so writers never
wait on each other, and a tick commits exactly when its write does. Before each cross-tab the
store reads the ticks it has not seen (one indexed query), re-reads those members' spells (one
query) and patches them in: their old rows are switched off (valid_from = NEVER) and the new
ones kept in a small overflow part, scanned too. A tree change (paths rewritten), ticks it can
no longer see (pruned) or a large overflow mean a full reload.

Transactions commit out of order, so a tick id may become visible after a higher one: ids
missing below the highest seen are "gaps", asked for again by every refresh until they appear
or have been missing for GAP_WAIT (a rolled-back write). Ticks older than TICK_KEEP are pruned
(the newest is always kept); a store that finds the oldest remaining tick above what it has
seen, or above one of its gaps, may have missed a pruned one and reloads.

Loading never blocks a page: the first large query starts it in the background (inline when
DANGJIAN_JOBS_INLINE, as in tests) and is answered in SQL meanwhile. Only subtrees with at least
DANGJIAN_STATS_COLUMNAR_MIN spells use the store; `ensure_loaded()` loads it and waits.
"""

from __future__ import annotations

import datetime as dt
import logging
import threading
import time
from bisect import bisect_left
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from operator import itemgetter
from typing import Any, TypeVar

import numpy as np
import numpy.typing as npt
from django.conf import settings
from django.db import close_old_connections, connection, connections, transaction
from django.db.models import Max, Q, Subquery
from django.utils import timezone

from dangjian.core.paths import AFTER_LAST, subtree_q
from dangjian.core.replica import read_alias, replica_ok
from dangjian.members.choices import HAN, MemberCategory
from dangjian.members.models import Member, MemberSpell
from dangjian.orgs.models import Organization, OrgKind
from dangjian.stats.models import StatsTick
from dangjian.stats.reports import (
    AGE_BANDS,
    JOIN_PERIODS,
    age_cutoffs,
    aged_at_least,
    older_than,
)

log = logging.getLogger(__name__)

Column = npt.NDArray[Any]
Columns = dict[str, Column]
Row = tuple[Any, ...]  # as _select gives it
T = TypeVar("T")
# orgs.services.org_facts: (path, kind, founded_on, dissolved_on, term_end)
ORG_KIND, ORG_DATES = 1, slice(1, 4)
Cells = Counter[tuple[Any, Any]]  # (row value, column value) → members, values as in the cube

EPOCH = dt.date(1970, 1, 1).toordinal()
NEVER = int(np.iinfo(np.int32).max)  # open spell, no join date, or a row switched off
CODED = ("category", "gender", "education", "person_category")  # int8 codes via the Codebook
# The columns in the order _select reads them, at these positions of its rows (org_path, at
# position 1, becomes the row offsets).
POSITIONS = (0, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11)
DTYPES: dict[str, Any] = {
    "member": np.int32,
    "category": np.int8,
    "valid_from": np.int32,
    "valid_to": np.int32,
    "gender": np.int8,
    "han": np.int8,
    "education": np.int8,
    "person_category": np.int8,
    "birth": np.int32,
    "joined": np.int32,
    "unit": np.int32,  # the member's 工作单位 id, -1 for none (unit coverage)
}
BLOCK = 1 << 18  # rows per scanned block: the block's temporaries stay in the CPU cache
FETCH = 50_000  # rows per round trip while loading
OVERFLOW_MAX = 50_000  # patched rows (overflow + switched off) before a background reload
GAP_WAIT = 30 * 60  # seconds a missing tick id is waited for before it counts as rolled back
MAX_GAPS = 10_000
TICK_KEEP = dt.timedelta(hours=1)  # must exceed GAP_WAIT
PRUNE_EVERY = 1000  # the writer of every 1000th tick prunes old ones, after its commit
RELOAD_IDS = 20_000  # a write of more members than this asks for a full reload instead
LOAD_TIMEOUT = 30 * 60  # a load still running after this is presumed dead
RETRY_AFTER = 5 * 60  # after a failed load, count in SQL for this long before trying again


def _day(on: dt.date) -> int:
    return on.toordinal() - EPOCH


# ---- the store --------------------------------------------------------------------------------


def _extend(table: dict[Any, int], values: list[Any]) -> None:
    """Give each value not yet in `table` the next number."""
    for value in sorted(set(values) - table.keys()):
        table[value] = len(table)


class Codebook:
    """Small integer codes of the categorical columns, shared by all parts of a store (a code's
    value never changes; a value first seen in a patch gets the next code)."""

    def __init__(self) -> None:
        self.codes: dict[str, dict[Any, int]] = {name: {} for name in CODED}

    def encode(self, name: str, values: list[Any]) -> Column:
        table = self.codes[name]
        _extend(table, values)
        if len(table) > np.iinfo(np.int8).max:
            raise ValueError(f"too many distinct values of {name} for int8 codes")
        return np.fromiter(map(table.__getitem__, values), dtype=np.int8, count=len(values))

    def values(self, name: str) -> list[Any]:
        return list(self.codes[name])

    def codes_of(self, name: str, values: Iterable[Any]) -> list[int]:
        return [self.codes[name][v] for v in values if v in self.codes[name]]


@dataclass
class Part:
    """Spells sorted by org path: the rows of paths[i] are starts[i]:starts[i + 1]."""

    paths: list[str]
    starts: Column
    cols: Columns
    # Per path: the days from and until which it is a 联合党支部 (NEVER, NEVER: it is not).
    joint_from: Column = field(default_factory=lambda: np.empty(0, dtype=np.int32))
    joint_to: Column = field(default_factory=lambda: np.empty(0, dtype=np.int32))

    @property
    def size(self) -> int:
        return int(self.starts[-1])

    def path_range(self, path: str) -> tuple[int, int]:
        """Indexes into `paths` of the subtree under `path` (every path with that prefix)."""
        return bisect_left(self.paths, path), bisect_left(self.paths, path + AFTER_LAST)

    def rows_under(self, path: str) -> int:
        first, last = self.path_range(path)
        return int(self.starts[last] - self.starts[first])


def _part(batches: Iterable[list[Row]], book: Codebook) -> Part:
    """A part from rows as _select gives them, in any order (columns are taken out of the rows
    one at a time: much faster than zip(*rows) on wide batches)."""
    index: dict[str, int] = {}
    where: list[Column] = []
    pieces: dict[str, list[Column]] = {name: [] for name in DTYPES}
    for rows in batches:
        if not rows:
            continue
        row_paths = list(map(itemgetter(1), rows))
        _extend(index, row_paths)
        codes = map(index.__getitem__, row_paths)
        where.append(np.fromiter(codes, dtype=np.int32, count=len(rows)))
        for position, (name, dtype) in zip(POSITIONS, DTYPES.items(), strict=True):
            values = map(itemgetter(position), rows)
            if name in CODED:
                pieces[name].append(book.encode(name, list(values)))
            else:
                pieces[name].append(np.fromiter(values, dtype=dtype, count=len(rows)))
    paths = sorted(index)
    if not paths:
        empty = {name: np.empty(0, dtype=dtype) for name, dtype in DTYPES.items()}
        return Part([], np.zeros(1, dtype=np.int64), empty)
    rank = np.empty(len(paths), dtype=np.int32)
    rank[[index[p] for p in paths]] = np.arange(len(paths), dtype=np.int32)
    ranked = rank[np.concatenate(where)]
    order = np.argsort(ranked, kind="stable")
    counts = np.bincount(ranked, minlength=len(paths))
    starts = np.concatenate([[0], np.cumsum(counts)]).astype(np.int64)
    cols = {name: np.concatenate(pieces.pop(name))[order] for name in DTYPES}
    return Part(paths, starts, cols, *_joint_periods(paths))


def _joint_periods(paths: list[str]) -> tuple[Column, Column]:
    """For each path, the days its 联合党支部 existed (founded, dissolved; an undated start is
    -NEVER): the unit coverage counts a unit's members in one. A kind or date change of a
    联合党支部 reloads the store (TickWatcher.orgs_changed)."""
    start = np.full(len(paths), NEVER, dtype=np.int32)
    end = np.full(len(paths), NEVER, dtype=np.int32)
    joint = Organization.objects.filter(kind=OrgKind.JOINT_BRANCH)
    if len(paths) < 1000:  # a patch's few paths: ask for those only
        joint = joint.filter(path__in=paths)
    for path, founded, dissolved in joint.values_list("path", "founded_on", "dissolved_on"):
        i = bisect_left(paths, path)
        if i < len(paths) and paths[i] == path:
            start[i] = _day(founded) if founded else -NEVER
            end[i] = _day(dissolved) if dissolved else NEVER
    return start, end


def _select(where: str = "") -> str:
    """Spells with their member's attributes, dates as day numbers (parameter: HAN)."""
    quote = connection.ops.quote_name
    spell, member = quote(MemberSpell._meta.db_table), quote(Member._meta.db_table)
    return (
        f"SELECT s.member_id, s.org_path, s.category, {_days('s.valid_from')}, "
        f"COALESCE({_days('s.valid_to')}, {NEVER}), m.gender, "
        "CASE WHEN m.ethnicity = %s THEN 1 ELSE 0 END, m.education, m.person_category, "
        f"{_days('m.birth_date')}, COALESCE({_days('m.join_date')}, {NEVER}), "
        f"COALESCE(m.work_unit_id, -1) FROM {spell} s JOIN {member} m ON m.id = s.member_id "
        f"{where}"
    )


def _days(column: str) -> str:
    """A date column as days since 1970-01-01, computed by the database (no date objects)."""
    if connection.vendor == "sqlite":
        return f"CAST(julianday({column}) - 2440587.5 AS INTEGER)"
    return f"({column} - DATE '1970-01-01')"


def _read(members: Iterable[int]) -> list[Row]:
    """The current spells of some members (a few hundred ids per statement)."""
    ids, rows = sorted(members), []
    with connections[read_alias()].cursor() as cursor:
        for start in range(0, len(ids), 500):
            chunk = ids[start : start + 500]
            marks = ", ".join(["%s"] * len(chunk))
            cursor.execute(_select(f"WHERE s.member_id IN ({marks})"), [HAN, *chunk])
            rows += cursor.fetchall()
    return rows


@dataclass
class Horizon:
    """The ticks a store has taken in: every id up to `last` except the `gaps`, ids that were not
    visible when a higher one was (a writer still committing, or rolled back), each with the
    time (time.monotonic) it was first missed."""

    last: int = 0  # 0: the table was empty at load
    gaps: dict[int, float] = field(default_factory=dict)

    @classmethod
    def now(cls) -> Horizon:
        """Read before a load reads the spells: what is visible now is in the load; ids missing
        among the last GAP_WAIT's ticks may still commit."""
        since = timezone.now() - dt.timedelta(seconds=GAP_WAIT)
        recent = set(StatsTick.objects.filter(created_at__gte=since).values_list("pk", flat=True))
        last = max(recent, default=0) or StatsTick.objects.aggregate(n=Max("pk"))["n"] or 0
        noticed = time.monotonic()
        low = min(recent, default=last + 1)
        return cls(last, {pk: noticed for pk in range(low, last) if pk not in recent})

    def news(self) -> dict[int, list[int] | None] | None:
        """The ticks not yet taken in (one query), or None if some may have been pruned unseen."""
        oldest = StatsTick.objects.order_by("pk").values("pk")[:1]
        wanted = Q(pk__gt=self.last) | Q(pk__in=list(self.gaps)) | Q(pk=Subquery(oldest))
        ticks = dict(StatsTick.objects.filter(wanted).values_list("pk", "members"))
        if not ticks:
            return {}
        first = min(ticks)
        if self.last and (first > self.last + 1 or any(g < first for g in self.gaps)):
            return None
        return {pk: m for pk, m in ticks.items() if pk > self.last or pk in self.gaps}

    def advance(self, taken: Iterable[int]) -> None:
        """After news() was applied: ids skipped over become gaps; gaps missing for GAP_WAIT
        (asked for once more by that news()) are given up as rolled back."""
        now, taken = time.monotonic(), set(taken)
        top = max(taken, default=self.last)
        if top > self.last:
            low = self.last + 1 if self.last else min(taken)
            self.gaps.update((pk, now) for pk in range(low, top) if pk not in taken)
            self.last = top
        self.gaps = {pk: t for pk, t in self.gaps.items() if pk not in taken and now - t < GAP_WAIT}


class Store:
    """All spells of the database as columns: the loaded part and the overflow of patches."""

    def __init__(self, main: Part, book: Codebook, horizon: Horizon) -> None:
        self.main, self.book, self.horizon = main, book, horizon
        self.extra_rows: list[Row] = []
        self.extra = _part([], book)
        self.switched_off = 0
        self.lock = threading.Lock()  # held by a refresh and the count that follows

    def rows_under(self, path: str) -> int:
        return self.main.rows_under(path) + self.extra.rows_under(path)

    @property
    def crowded(self) -> bool:
        return len(self.extra_rows) + self.switched_off > OVERFLOW_MAX

    def refresh(self) -> bool:
        """Take in the ticks written since the last look (patching the members they name).
        False when only a full reload will do."""
        news = self.horizon.news()
        if news is None or len(self.horizon.gaps) > MAX_GAPS:
            return False
        changed: set[int] = set()
        for members in news.values():
            if members is None:  # the tree changed: paths were rewritten
                return False
            changed.update(members)
        if changed:
            self.patch(changed)
        self.horizon.advance(news)
        return True

    def patch(self, members: set[int]) -> None:
        """Replace these members' rows by their current spells (none if they are gone)."""
        rows = _read(members)
        wanted = np.fromiter(members, dtype=np.int64, count=len(members))
        starts = self.main.cols["valid_from"]
        hit = np.isin(self.main.cols["member"], wanted) & (starts != NEVER)
        starts[hit] = NEVER  # never open on any day: the row no longer counts
        self.switched_off += int(np.count_nonzero(hit))
        self.extra_rows = [r for r in self.extra_rows if r[0] not in members] + rows
        self.extra = _part([self.extra_rows], self.book)

    def units(self, path: str, on: dt.date) -> UnitCounts:
        counts = UnitCounts()
        full = self.book.codes["category"].get(MemberCategory.FULL, -1)
        for part in (self.main, self.extra):
            counts.add(_units(part, path, _day(on), full))
        return counts

    def count(self, ask: Ask) -> Cells:
        cells: Cells = Counter()
        for part in (self.main, self.extra):
            cells.update(_count(part, self.book, ask))
        return cells


def load() -> Store:
    """Read every spell with its member's attributes into a new store: one streaming query.
    From the read replica inside a `replica_ok` block: the horizon and the spells from the same
    database, and the ticks bring a store loaded from a replica that lags up to date."""
    book = Codebook()
    alias = read_alias()
    with transaction.atomic(using=alias):  # PostgreSQL streams through a server-side cursor
        horizon = Horizon.now()
        with connections[alias].chunked_cursor() as cursor:
            cursor.execute(_select(), [HAN])
            main = _part(_batches(cursor), book)
    return Store(main, book, horizon)


def _batches(cursor: Any) -> Iterator[list[Row]]:
    while rows := cursor.fetchmany(FETCH):
        yield rows


# ---- counting ---------------------------------------------------------------------------------

Test = Callable[[Columns], Column]


@dataclass
class Ask:
    """One cross-tab: the subtree, the day, the filters (query form values) and the axes."""

    path: str
    on: dt.date
    filters: Mapping[str, Any]
    rows: str
    cols: str

    @property
    def width(self) -> int:
        return len(self.path) + Organization.steplen


def _tests(ask: Ask, book: Codebook) -> list[Test]:
    """The spells open on the day that pass the filters, as in queries.member_filter."""
    on, f, day = ask.on, ask.filters, _day(ask.on)
    tests: list[Test] = [lambda c: (c["valid_from"] <= day) & (c["valid_to"] > day)]
    for name in ("gender", "category"):
        if f.get(name):
            tests.append(_one_of(name, book.codes_of(name, [f[name]])))
    for name in ("education", "person_category"):
        if f.get(name):
            tests.append(_one_of(name, book.codes_of(name, f[name])))
    if f.get("ethnic_group"):
        han = 1 if f["ethnic_group"] == "han" else 0
        tests.append(lambda c: c["han"] == han)
    if f.get("age_min") is not None:  # born on or before the day age_min years back
        oldest_birth = _day(aged_at_least(f["age_min"], on))
        tests.append(lambda c: c["birth"] <= oldest_birth)
    if f.get("age_max") is not None:
        too_old = _day(older_than(f["age_max"], on))
        tests.append(lambda c: c["birth"] > too_old)
    if f.get("joined_from"):
        start = _day(f["joined_from"])
        tests.append(lambda c: (c["joined"] >= start) & (c["joined"] != NEVER))
    if f.get("joined_to"):
        end = _day(f["joined_to"])
        tests.append(lambda c: c["joined"] <= end)
    return tests


def _one_of(name: str, codes: list[int]) -> Test:
    def test(c: Columns) -> Column:
        column = c[name]
        result = np.zeros(len(column), dtype=bool)
        for code in codes:
            result |= column == code
        return result

    return test


Axis = tuple[list[Any], Callable[[Columns, slice], Column]]


def _axis(dim: str, ask: Ask, book: Codebook, children: tuple[list[str], Column]) -> Axis:
    """An axis: its values as the cube has them, and each row's index into them."""
    if dim in CODED:
        return book.values(dim), lambda c, _: c[dim]
    if dim == "ethnic_group":
        return ["minority", "han"], lambda c, _: c["han"]
    if dim == "age_band":  # band i: born on or before the cut-offs of the i younger bands
        cuts = [_day(cut) for cut in age_cutoffs(ask.on)]
        return [label for _, label in AGE_BANDS], lambda c, _: _steps(c["birth"], cuts, True)
    if dim == "join_period":  # period i: joined on or after the first i period starts
        starts = [_day(start) for start, _ in JOIN_PERIODS if start is not None]
        return [label for _, label in JOIN_PERIODS], lambda c, _: _steps(c["joined"], starts)
    if dim == "sub_org":
        prefixes, codes = children
        return prefixes, lambda _, rows: codes[rows]
    raise ValueError(f"unknown dimension {dim}")


def _steps(column: Column, bounds: list[int], at_most: bool = False) -> Column:
    """How many bounds each value has reached (value <= bound, or value >= bound)."""
    result = np.zeros(len(column), dtype=np.int8)
    for bound in bounds:
        result += ((column <= bound) if at_most else (column >= bound)).view(np.int8)
    return result


def _children(part: Part, first: int, last: int, ask: Ask) -> tuple[list[str], Column]:
    """The subtree's direct children (as path prefixes, the org itself for 本级) and each row's
    index into them: each child's rows are one contiguous piece, found by bisecting."""
    prefixes, lengths = [], []
    i = first
    while i < last:
        path = part.paths[i]
        if len(path) <= len(ask.path):  # the organization itself
            prefix, j = path, i + 1
        else:
            prefix = path[: ask.width]
            j = bisect_left(part.paths, prefix + AFTER_LAST, i, last)
        prefixes.append(prefix)
        lengths.append(int(part.starts[j] - part.starts[i]))
        i = j
    return prefixes, np.repeat(np.arange(len(prefixes), dtype=np.int32), lengths)


def _count(part: Part, book: Codebook, ask: Ask) -> Cells:
    first, last = part.path_range(ask.path)
    lo, hi = int(part.starts[first]), int(part.starts[last])
    if lo == hi:
        return Counter()
    wants_children = "sub_org" in (ask.rows, ask.cols)
    children = _children(part, first, last, ask) if wants_children else ([], np.empty(0))
    tests = _tests(ask, book)
    row_values, row_codes = _axis(ask.rows, ask, book, children)
    col_values, col_codes = _axis(ask.cols, ask, book, children)
    width = len(col_values)
    trash = len(row_values) * width  # the bin of the rows that do not count
    totals = np.zeros(trash + 1, dtype=np.int64)
    for start in range(lo, hi, BLOCK):
        block = slice(start, min(hi, start + BLOCK))
        c = {name: column[block] for name, column in part.cols.items()}
        selected = tests[0](c)
        for test in tests[1:]:
            selected &= test(c)
        if not selected.any():
            continue
        local = slice(block.start - lo, block.stop - lo)
        key = row_codes(c, local).astype(np.int32) * width + col_codes(c, local)
        key[~selected] = trash
        totals += np.bincount(key, minlength=trash + 1)
    return Counter(
        {
            (row_values[i // width], col_values[i % width]): int(totals[i])
            for i in np.flatnonzero(totals[:trash])
        }
    )


# ---- the process's store ----------------------------------------------------------------------

_lock = threading.Lock()  # guards the three below; taken after a store's lock, never before
_store: Store | None = None
_load_started: float | None = None
_retry_at = 0.0


def counts(
    org: Organization, on: dt.date, filters: Mapping[str, Any], rows: str, cols: str
) -> Cells | None:
    """The cross-tab's cells (values as in reports.member_cube) from the column store, or None
    when it cannot answer now (small subtree, store not loaded yet): count in SQL then."""
    return _answer(Ask(org.path, on, filters, rows, cols), lambda: _store_for(org.path))


def child_totals(org: Organization, on: dt.date) -> dict[str, int] | None:
    """Members on `on` under each direct child of `org` (path prefix → n): the drill-down of
    the standard report, from the store if this process already holds one, else None.

    Any subtree size, unlike `counts`: the store is paid for once loaded, and answers a county's
    fifty children in about a millisecond against 25 ms for the grouped scan in SQL (the
    province in PostgreSQL). Without a store, an installation of DANGJIAN_STATS_COLUMNAR_MIN
    spells or more starts loading one in the background; a smaller one never needs it."""
    cells = _answer(Ask(org.path, on, {}, "sub_org", "category"), _store_if_worth_it)
    if cells is None:
        return None
    totals: Counter[str] = Counter()
    for (prefix, _), n in cells.items():
        totals[prefix] += n
    return dict(totals)


@dataclass
class UnitCounts:
    """Members on a day by 工作单位 id: in the Party, 正式党员, in a 联合党支部."""

    members: Counter[int] = field(default_factory=Counter)
    full: Counter[int] = field(default_factory=Counter)
    joint: Counter[int] = field(default_factory=Counter)

    def add(self, other: UnitCounts) -> None:
        self.members.update(other.members)
        self.full.update(other.full)
        self.joint.update(other.joint)


def _units(part: Part, path: str, day: int, full: int) -> UnitCounts:
    """One part's UnitCounts under `path` on `day`: three bincounts per block."""
    first, last = part.path_range(path)
    lo, hi = int(part.starts[first]), int(part.starts[last])
    counts = UnitCounts()
    if lo == hi:
        return counts
    joint_path = (part.joint_from[first:last] <= day) & (part.joint_to[first:last] > day)
    joint_rows = np.repeat(joint_path, np.diff(part.starts[first : last + 1]))
    size = int(part.cols["unit"][lo:hi].max()) + 1
    totals = [np.zeros(max(size, 1), dtype=np.int64) for _ in range(3)]
    for start in range(lo, hi, BLOCK):
        block = slice(start, min(hi, start + BLOCK))
        c = {
            name: part.cols[name][block] for name in ("valid_from", "valid_to", "unit", "category")
        }
        sel = (c["valid_from"] <= day) & (c["valid_to"] > day) & (c["unit"] >= 0)
        in_joint = joint_rows[block.start - lo : block.stop - lo]
        for total, mask in zip(
            totals, (sel, sel & (c["category"] == full), sel & in_joint), strict=True
        ):
            total += np.bincount(c["unit"][mask], minlength=len(total))
    for counter, total in zip((counts.members, counts.full, counts.joint), totals, strict=True):
        counter.update({int(u): int(total[u]) for u in np.flatnonzero(total)})
    return counts


def unit_counts(org: Organization, on: dt.date) -> UnitCounts | None:
    """单位建立党组织情况's member side (stats.coverage) from the store, as child_totals: any
    subtree once a store is loaded, None without one (SQL counts then)."""
    return _with_store(_store_if_worth_it, lambda store: store.units(org.path, on))


def _store_if_worth_it() -> Store | None:
    """This process's store for any subtree; without one, an installation large enough for it
    starts loading it (inline when jobs run inline)."""
    if _store is None and _installation_is_large():
        start_load()
    return _store


def _answer(ask: Ask, find: Callable[[], Store | None]) -> Cells | None:
    """Count `ask` in the store `find` gives, brought up to date first; None without one."""
    return _with_store(find, lambda store: store.count(ask))


def _with_store(find: Callable[[], Store | None], work: Callable[[Store], T]) -> T | None:
    """`work` on the store `find` gives, brought up to date first; None without one."""
    for _ in range(2):  # a stale store is dropped; with jobs inline the reload is there at once
        store = find()
        if store is None:
            return None
        with store.lock:
            if store.refresh():
                if store.crowded:
                    start_load()  # the patched store answers until the new one is in
                return work(store)
        _drop(store)
        start_load()
    return None


def _store_for(path: str) -> Store | None:
    minimum = settings.DANGJIAN_STATS_COLUMNAR_MIN
    store = _store
    if store is None:
        if _busy():
            return None
        if (
            minimum > 0
            and MemberSpell.objects.filter(subtree_q("org_path", path)).count() < minimum
        ):
            return None
        start_load()
        store = _store
    if store is None or store.rows_under(path) < minimum:
        return None
    return store


_small_until = 0.0  # monotonic time until which the installation is known to be small


def _installation_is_large() -> bool:
    """Whether the database holds DANGJIAN_STATS_COLUMNAR_MIN spells or more: PostgreSQL's
    planner estimate (no scan of millions of rows), an exact count elsewhere. A small answer is
    remembered for RETRY_AFTER, so small installations do not ask on every report."""
    global _small_until
    if time.monotonic() < _small_until or _busy():
        return False
    minimum = settings.DANGJIAN_STATS_COLUMNAR_MIN
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT reltuples FROM pg_class WHERE oid = %s::regclass",
                [MemberSpell._meta.db_table],
            )
            spells = int(cursor.fetchone()[0])  # -1 before the table's first ANALYZE
    else:
        spells = MemberSpell.objects.count()
    if spells < minimum:
        _small_until = time.monotonic() + RETRY_AFTER
        return False
    return True


def _busy() -> bool:
    now = time.monotonic()
    loading = _load_started is not None and now - _load_started < LOAD_TIMEOUT
    return loading or now < _retry_at


def start_load() -> None:
    """Load a new store in the background (inline when jobs run inline); one at a time."""
    global _load_started
    with _lock:
        if _busy():
            return
        _load_started = time.monotonic()
    _in_this_process(_load_job)


def _in_this_process(work: Callable[[], None]) -> None:
    """Run `work` in a thread of this process once the current transaction commits (inline
    under DANGJIAN_JOBS_INLINE). Not a worker task on purpose: the store is a cache in the
    memory of the process that answers the pages, so that process has to load it."""
    if settings.DANGJIAN_JOBS_INLINE:
        work()
        return

    def target() -> None:
        close_old_connections()
        try:
            work()
        finally:
            connections.close_all()

    transaction.on_commit(
        lambda: threading.Thread(target=target, name="stats-columnar-load", daemon=True).start()
    )


def _load_job() -> None:
    global _store, _load_started, _retry_at
    try:
        with replica_ok():  # a background load may read the replica (see load)
            store = load()
    except Exception:  # pages keep counting in SQL; try again later
        log.exception("loading the statistics column store failed")
        with _lock:
            _load_started, _retry_at = None, time.monotonic() + RETRY_AFTER
        return
    with _lock:
        _store, _load_started = store, None


def _drop(store: Store) -> None:
    global _store
    with _lock:
        if _store is store:
            _store = None


def ensure_loaded() -> Store:
    """This process's store, loaded now (blocking) if it has none: for benchmarks and tests."""
    global _store
    with _lock:
        store = _store
    if store is None:
        store = load()
        with _lock:
            _store = store
    return store


def reset() -> None:
    """Forget this process's store (tests: each test's database is a different one)."""
    global _store, _load_started, _retry_at, _small_until
    with _lock:
        _store, _load_started, _retry_at = None, None, 0.0
        _small_until = 0.0


# ---- ticks: what the writers leave for the stores ---------------------------------------------


def tick(members: list[int] | None) -> None:
    """Record, in the writer's transaction, that these members changed (None: too many to
    list, every store reloads)."""
    if members is not None and not members:
        return
    if members is not None and len(members) > RELOAD_IDS:
        members = None
    row = StatsTick.objects.create(members=members)
    if row.pk % PRUNE_EVERY == 0:
        transaction.on_commit(prune_ticks)


def prune_ticks() -> int:
    """Delete the ticks older than TICK_KEEP, keeping the newest: a store compares what it has
    seen with the oldest tick left."""
    newest = StatsTick.objects.aggregate(n=Max("pk"))["n"]
    if newest is None:
        return 0
    old = StatsTick.objects.filter(created_at__lt=timezone.now() - TICK_KEEP, pk__lt=newest)
    return old.delete()[0]


class TickWatcher:
    """members.watch → the column stores: one StatsTick per member write."""

    def before(self, ids: list[int]) -> None:
        return None

    def after(self, ids: list[int], token: None) -> None:
        tick(ids)

    def created(self, ids: list[int], facts: Callable[[], Any]) -> None:
        tick(ids)

    def tree_changed(self, old_prefix: str, new_prefix: str) -> None:
        """Nothing more to do: a move runs inside `watching` the members ever under the moved
        subtree, so `after` ticks them and their rows are re-read with the new paths (a large
        subtree's tick is over RELOAD_IDS: a full reload)."""

    def changed(self, member_id: int, before: Any, after: Any) -> None:
        tick([member_id])

    def orgs_changed(self, pairs: list[tuple[Any, Any]]) -> None:
        """A 联合党支部 founded, dissolved or turned into another kind (or the reverse): the
        stores' joint periods are stale. Rare, so every store reloads (a tick of None)."""
        for before, after in pairs:
            if before is None or after is None:
                continue  # a new organization has no spells yet
            kinds = (before[ORG_KIND], after[ORG_KIND])
            if OrgKind.JOINT_BRANCH in kinds and before[ORG_DATES] != after[ORG_DATES]:
                tick(None)
                return
