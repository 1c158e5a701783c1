"""Keeping and reading the statistics rollups (see models.py for what they hold).

A member's statistics are a snapshot: the attributes the report groups by and the spells.
Each write records the snapshot before and after (`record_change`, in the writer's
transaction); `fold` turns snapshots into per-day deltas for every rollup node above each
spell and adds them up (INSERT … ON CONFLICT DO UPDATE SET c = c + excluded.c), so concurrent
writers never wait on an ancestor's row. `margins` reads a node's vector for any date.
"""

from __future__ import annotations

import datetime as dt
import json
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import Any

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Count, Max, Sum
from django.db.models.functions import ExtractYear, Length, Substr
from django.utils import timezone

from dangjian.core.bulk import insert_rows
from dangjian.members.choices import HAN, Gender
from dangjian.members.models import Member, MemberEvent, MemberSpell
from dangjian.members.services import SPELL_FACTS
from dangjian.members.watch import Facts, OrgFacts
from dangjian.orgs.models import Organization
from dangjian.stats.backfill import insert_deltas
from dangjian.stats.cells import COLUMNS, INDEX, WIDTH
from dangjian.stats.models import MarginChange, MarginDelta, MarginYear, RollupNode, RollupState
from dangjian.stats.reports import (
    AGE_BANDS,
    DUE_KINDS,
    EPOCH,
    HIGHER,
    JOIN_PERIODS,
    band_changes,
    is_young,
)

Snapshot = dict[str, Any]
DIRECT_ADD_MIN = 100  # members created at once; fewer go through the change log
CONVERT = MemberEvent.Kind.CONVERT
SUMS = {f"sum_{c}": Sum(c) for c in COLUMNS}  # named apart from the model's own columns
ATTRS = ("gender", "ethnicity", "education", "person_category", "birth_date", "join_date")


# ---- snapshots and their contributions ------------------------------------------------------


def snapshot_of(values: dict[str, Any], spells: Iterable[Sequence[Any]]) -> Snapshot:
    """A member's statistics: attributes (from a Member or its column values) and spells
    as (org_path, valid_from, valid_to, category, opened_by)."""
    return {
        "a": [_iso(values[k]) for k in ATTRS],
        "s": [
            [path, _iso(start), _iso(end), category, opened_by]
            for path, start, end, category, opened_by in spells
        ],
    }


def snapshots(member_ids: Iterable[int]) -> dict[int, Snapshot]:
    """The current snapshots of some members: one query (spells with their member's
    attributes; a member with no spell counts nowhere and needs none)."""
    ids = list(member_ids)
    attrs: dict[int, dict[str, Any]] = {}
    spells: dict[int, list[tuple[Any, ...]]] = defaultdict(list)
    fields = [f"member__{a}" for a in ATTRS]
    rows = MemberSpell.objects.filter(member_id__in=ids).values_list(
        "member_id", *SPELL_FACTS, *fields
    )
    for member_id, *facts in rows:
        spells[member_id].append(tuple(facts[: len(SPELL_FACTS)]))
        attrs[member_id] = dict(zip(ATTRS, facts[len(SPELL_FACTS) :], strict=True))
    return {pk: snapshot_of(attrs[pk], spells[pk]) for pk in attrs}


def _iso(value: Any) -> Any:
    return value.isoformat() if isinstance(value, dt.date) else value


def org_snapshot(facts: OrgFacts) -> Snapshot:
    """An organization's statistics: (path, kind, founded_on, dissolved_on, term_end)."""
    return {"o": [_iso(v) for v in facts]}


def contributions(snap: Snapshot) -> Iterator[tuple[str, dt.date, int, list[int]]]:
    """(path, day, +1/−1, cells): the member enters its cells when a spell starts or an age
    band begins, and leaves them when the spell ends or the band does."""
    if "o" in snap:
        yield from _org_contributions(*snap["o"])
        return
    gender, ethnicity, education, person, birth_s, join_s = snap["a"]
    birth = dt.date.fromisoformat(birth_s)
    fixed = [
        INDEX[("gender", gender)],
        INDEX[("ethnic_group", "han" if ethnicity == HAN else "minority")],
        INDEX[("education", education)],
        INDEX[("person_category", person)],
        INDEX[("join_period", _join_period(dt.date.fromisoformat(join_s)))],
    ]
    for path, start_s, end_s, category, opened_by in snap["s"]:
        start = dt.date.fromisoformat(start_s)
        end = dt.date.fromisoformat(end_s) if end_s else None
        base = [*fixed, INDEX[("category", category)]]
        for a, b, band in _band_pieces(birth, start, end):
            cells = [*base, INDEX[("age_band", band)]]
            yield path, a, 1, cells
            if b is not None:
                yield path, b, -1, cells
        if opened_by:
            yield path, start, 1, _flow_cells(opened_by, gender, education, birth, start)


def _org_contributions(
    path: str, kind: str, founded_s: str | None, dissolved_s: str | None, term_end_s: str | None
) -> Iterator[tuple[str, dt.date, int, list[int]]]:
    """An organization counts by kind from its founding (or always, if unknown) to its
    dissolution, and as 应换届 from the day after its term ended (as reports.orgs_on and
    reports.due_for_reelection count)."""
    founded = dt.date.fromisoformat(founded_s) if founded_s else EPOCH
    dissolved = dt.date.fromisoformat(dissolved_s) if dissolved_s else None
    if dissolved is not None and dissolved <= founded:
        return  # never existed on any day
    cells = [INDEX[("org_kind", kind)]]
    yield path, founded, 1, cells
    if dissolved is not None:
        yield path, dissolved, -1, cells
    if kind in DUE_KINDS and term_end_s:
        due = max(founded, dt.date.fromisoformat(term_end_s) + dt.timedelta(days=1))
        if dissolved is None or due < dissolved:
            yield path, due, 1, [INDEX[("org", "due")]]
            if dissolved is not None:
                yield path, dissolved, -1, [INDEX[("org", "due")]]


def _flow_cells(kind: str, gender: str, education: str, birth: dt.date, on: dt.date) -> list[int]:
    """The flow cells an admission or a conversion on `on` counts in (as reports.developed_in)."""
    if kind == CONVERT:
        return [INDEX[("flow", "converted")]]
    flows = ["developed"]
    flows += ["developed_women"] if gender == Gender.FEMALE else []
    flows += ["developed_under_35"] if is_young(birth, on) else []
    flows += ["developed_higher"] if education in HIGHER else []
    return [INDEX[("flow", f)] for f in flows]


def _join_period(joined: dt.date) -> str:
    return next(label for start, label in JOIN_PERIODS if start is None or joined < start)


def _band_pieces(
    birth: dt.date, start: dt.date, end: dt.date | None
) -> Iterator[tuple[dt.date, dt.date | None, str]]:
    """Split [start, end) where the age band changes, by the report's own rule."""
    pieces = band_changes(birth)
    cut = start
    for boundary, (_, label) in zip([*pieces, None], AGE_BANDS, strict=True):
        if boundary is not None and boundary <= cut:
            continue
        stop = boundary if end is None or (boundary is not None and boundary < end) else end
        yield cut, stop, label
        if stop is None or stop == end:
            return
        cut = stop


# ---- writing: the change log and the fold ---------------------------------------------------


def record_change(before: Snapshot | None, after: Snapshot | None) -> None:
    """Log one member's statistics change (call inside the writer's transaction)."""
    record_changes([(before, after)])


def record_changes(pairs: Iterable[tuple[Snapshot | None, Snapshot | None]]) -> None:
    now = timezone.now()
    rows = (
        (json.dumps(b) if b is not None else None, json.dumps(a) if a is not None else None, now)
        for b, a in pairs
    )
    insert_rows(MarginChange, ("before", "after", "created_at"), rows)


def mark_dirty() -> None:
    """The tree changed shape (a subtree moved): rollups are not used until rebuilt."""
    RollupState.objects.update_or_create(pk=1, defaults={"dirty": True})


def fold_all() -> int:
    """Fold every logged change: the worker's periodic job (stats/schedules.py). Reports read
    the changes not folded yet too, so folding only keeps that log short."""
    folded = 0
    while n := fold():
        folded += n
    return folded


def fold(limit: int = 5000) -> int:
    """Fold up to `limit` logged changes into the deltas; returns how many were folded."""
    with transaction.atomic():
        pending = MarginChange.objects.order_by("pk")
        if connection.features.has_select_for_update_skip_locked:
            # Two processes folding at once each claim their own rows (PostgreSQL); SQLite
            # serializes writers anyway.
            pending = pending.select_for_update(skip_locked=True)
        changes = list(pending[:limit])
        if not changes:
            return 0
        nodes = dict(RollupNode.objects.values_list("path", "pk"))
        _add(_accumulate(((c.before, c.after) for c in changes), nodes))
        # Exactly these rows: a writer's row with a lower id may commit after we read.
        MarginChange.objects.filter(pk__in=[c.pk for c in changes]).delete()
    return len(changes)


def _accumulate(
    pairs: Iterable[tuple[Snapshot | None, Snapshot | None]], nodes: dict[str, int]
) -> dict[tuple[int, dt.date], list[int]]:
    totals: dict[tuple[int, dt.date], list[int]] = defaultdict(lambda: [0] * WIDTH)
    step = Organization.steplen
    for before, after in pairs:
        for snap, sign in ((before, -1), (after, 1)):
            if snap is None:
                continue
            for path, day, delta, cells in contributions(snap):
                for cut in range(step, len(path) + 1, step):
                    node = nodes.get(path[:cut])
                    if node is not None:
                        vector = totals[(node, day)]
                        for cell in cells:
                            vector[cell] += sign * delta
    return totals


def _add(totals: dict[tuple[int, dt.date], list[int]]) -> None:
    """Add vectors to the (node, day) rows, creating them as needed, and to the checkpoints of
    that year and later (which exist only where a rebuild made them)."""
    if not totals:
        return
    _add_days(totals)
    by_year: dict[tuple[int, int], list[int]] = defaultdict(lambda: [0] * WIDTH)
    for (node, day), vector in totals.items():
        target = by_year[(node, day.year)]
        for i, n in enumerate(vector):
            target[i] += n
    table = connection.ops.quote_name(MarginYear._meta.db_table)
    sets = ", ".join(f"{c} = {c} + %s" for c in COLUMNS)
    sql = f"UPDATE {table} SET {sets} WHERE node_id = %s AND year >= %s"
    with connection.cursor() as cursor:
        cursor.executemany(sql, [(*v, node, year) for (node, year), v in by_year.items()])


def _add_days(totals: dict[tuple[int, dt.date], list[int]]) -> None:
    table = MarginDelta._meta.db_table
    quote = connection.ops.quote_name
    columns = ", ".join(quote(c) for c in COLUMNS)
    updates = ", ".join(
        f"{quote(c)} = {quote(table)}.{quote(c)} + excluded.{quote(c)}" for c in COLUMNS
    )
    marks = ", ".join(["%s"] * (WIDTH + 2))
    sql = (
        f"INSERT INTO {quote(table)} (node_id, day, {columns}) VALUES ({marks}) "
        f"ON CONFLICT (node_id, day) DO UPDATE SET {updates}"
    )
    rows = [
        (node, connection.ops.adapt_datefield_value(day), *vector)
        for (node, day), vector in totals.items()
    ]
    with connection.cursor() as cursor:
        cursor.executemany(sql, rows)


def rebuild(min_members: int | None = None) -> int:
    """Choose the rollup nodes (subtrees with at least `min_members` members now) and compute
    their deltas and checkpoints from every spell. Returns the number of nodes."""
    threshold = min_members if min_members is not None else settings.DANGJIAN_STATS_ROLLUP_MIN
    outermost = not connection.in_atomic_block
    with transaction.atomic():
        if connection.vendor == "postgresql" and outermost:
            # One snapshot for the whole rebuild: a change committed meanwhile is either in
            # the spells it reads and gone from the log it clears, or in neither (and folded
            # later), never counted twice. SQLite writers wait for us anyway.
            with connection.cursor() as cursor:
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
        MarginChange.objects.all().delete()
        RollupNode.objects.all().delete()
        wanted = _large_subtrees(threshold)
        orgs = Organization.objects.filter(path__in=wanted).values_list("pk", "path")
        RollupNode.objects.bulk_create([RollupNode(org_id=pk, path=path) for pk, path in orgs])
        insert_deltas()
        _checkpoints(timezone.localdate().year - 1)
        RollupState.objects.update_or_create(
            pk=1, defaults={"dirty": False, "built_at": timezone.now()}
        )
    return RollupNode.objects.count()


def _large_subtrees(threshold: int) -> set[str]:
    """Paths of the subtrees with at least `threshold` members in the Party now: one grouped
    count per tree depth."""
    in_party = Member.objects.in_party()
    deepest = in_party.aggregate(n=Max(Length("org_path")))["n"] or 0
    wanted: set[str] = set()
    for width in range(Organization.steplen, deepest + 1, Organization.steplen):
        counts = (
            in_party.annotate(length=Length("org_path"), prefix=Substr("org_path", 1, width))
            .filter(length__gte=width)
            .values("prefix")
            .annotate(n=Count("id"))
            .filter(n__gte=threshold)
            .values_list("prefix", flat=True)
        )
        wanted.update(counts)
    return wanted


def _checkpoints(last_year: int) -> None:
    """MarginYear rows for every node and year up to `last_year`: running sums of the
    per-year totals of the daily deltas."""
    MarginYear.objects.all().delete()
    per_year = (
        MarginDelta.objects.filter(day__year__lte=last_year)
        .annotate(year=ExtractYear("day"))
        .values("node_id", "year")
        .annotate(**SUMS)
        .values_list("node_id", "year", *SUMS)
        .order_by("node_id", "year")
    )
    totals: dict[int, dict[int, list[int]]] = defaultdict(dict)
    for node_id, year_, *cells in per_year:
        totals[node_id][year_] = cells
    rows = []
    for node, years in totals.items():
        running = [0] * WIDTH
        for year in range(min(years), last_year + 1):
            running = [a + b for a, b in zip(running, years.get(year, [0] * WIDTH), strict=True)]
            rows.append(
                MarginYear(node_id=node, year=year, **dict(zip(COLUMNS, running, strict=True)))
            )
    MarginYear.objects.bulk_create(rows, batch_size=2000)


# ---- reading --------------------------------------------------------------------------------


def margins(org: Organization, on: dt.date) -> list[int] | None:
    """The org's cell vector on `on` from its rollup, or None if it has none (count live)."""
    return vectors([org], [on]).get((org.pk, on))


def vectors(
    orgs: Sequence[Organization], days: Iterable[dt.date]
) -> dict[tuple[int, dt.date], list[int]]:
    """(org pk, day) → cell vector, for those of `orgs` that keep a rollup (the others are
    counted live). A few queries whatever the number of orgs: per day, the checkpoints of the
    year before and the sums of the deltas since; then the changes not yet folded."""
    days = sorted(set(days))
    state = RollupState.objects.filter(pk=1).values_list("dirty", flat=True).first()
    if state is not False or not orgs or not days:
        return {}
    by_path = {o.path: o.pk for o in orgs}
    rows = RollupNode.objects.filter(org__in=list(by_path.values())).values_list(
        "pk", "org_id", "path"
    )
    nodes = {org: node for node, org, path in rows if by_path.get(path) == org}
    if not nodes:
        return {}
    last = MarginYear.objects.aggregate(year=Max("year"))["year"]
    result = {}
    for day in days:
        sums = _node_sums(list(nodes.values()), day, last)
        result.update({(org, day): sums[node] for org, node in nodes.items()})
    # Changes not yet folded: accumulated with the orgs themselves as nodes, then added.
    pending = MarginChange.objects.order_by("pk").values_list("before", "after")
    kept = {path: pk for path, pk in by_path.items() if pk in nodes}
    for (org, changed_on), delta in _accumulate(pending, kept).items():
        for day in days:
            if changed_on <= day:
                result[(org, day)] = [a + b for a, b in zip(result[(org, day)], delta, strict=True)]
    return result


def _node_sums(nodes: list[int], day: dt.date, last: int | None) -> dict[int, list[int]]:
    """Each node's vector on `day`: its checkpoint for the year before (or the latest one),
    plus its deltas since. A node without that checkpoint (its first delta came later, or a
    backdated change reached back before it) sums all its deltas up to `day`."""
    year = min(day.year - 1, last) if last is not None else None
    sums = {node: [0] * WIDTH for node in nodes}
    found: set[int] = set()
    if year is not None:
        checkpoints = MarginYear.objects.filter(node_id__in=nodes, year=year)
        for node, *cells in checkpoints.values_list("node_id", *COLUMNS):
            sums[node] = cells
            found.add(node)
    for group, after in ((list(found), year), ([n for n in nodes if n not in found], None)):
        if not group:
            continue
        deltas = MarginDelta.objects.filter(node_id__in=group, day__lte=day)
        if after is not None:
            deltas = deltas.filter(day__gt=dt.date(after, 12, 31))
        added = deltas.values("node_id").annotate(**SUMS).values_list("node_id", *SUMS)
        for node, *cells in added.order_by():
            sums[node] = [a + (b or 0) for a, b in zip(sums[node], cells, strict=True)]
    return sums


class RollupWatcher:
    """members.watch → the statistics: snapshots before and after each member write.

    Without any rollup node (a small installation, or before the first rebuild) there is
    nothing to keep current and the watcher does no work; a rebuild reads the spells anyway.
    """

    def before(self, ids: list[int]) -> dict[int, Snapshot] | None:
        return snapshots(ids) if _kept() else None

    def after(self, ids: list[int], token: dict[int, Snapshot] | None) -> None:
        if token is None:
            return
        now = snapshots(ids)
        changed = [(token.get(i), now.get(i)) for i in ids if token.get(i) != now.get(i)]
        if changed:
            record_changes(changed)

    def created(self, ids: list[int], facts: Callable[[], dict[int, Facts]]) -> None:
        """A bulk load's members go straight into the deltas (no log rows to write and fold):
        the load holds its transaction anyway. Single registrations use the log, so two
        people registering members at once never wait on the same rollup row."""
        nodes = dict(RollupNode.objects.values_list("path", "pk"))
        if not nodes:
            return
        known = {pk: snapshot_of(values, spells) for pk, (values, spells) in facts().items()}
        missing = [pk for pk in ids if pk not in known]
        known.update(snapshots(missing) if missing else {})
        if len(known) >= DIRECT_ADD_MIN:
            _add(_accumulate(((None, snap) for snap in known.values()), nodes))
        elif known:
            record_changes((None, snap) for snap in known.values())

    def tree_changed(self, old_prefix: str, new_prefix: str) -> None:
        """A moved subtree's members and organizations reach the rollups as logged changes
        (old paths out, new paths in), unless it holds a rollup node itself: that node's
        deltas would have to move with it, so the rollups wait for a rebuild instead."""
        if RollupNode.objects.filter(path__startswith=old_prefix).exists():
            mark_dirty()

    def orgs_changed(self, pairs: list[tuple[OrgFacts | None, OrgFacts | None]]) -> None:
        changed = [(b, a) for b, a in pairs if b != a]  # a rename or a new secretary: no figure
        if changed and _kept():
            record_changes(
                (org_snapshot(b) if b else None, org_snapshot(a) if a else None) for b, a in changed
            )

    def changed(self, member_id: int, before: Any, after: Any) -> None:
        if not _kept():
            return
        old, new = snapshot_of(*before), snapshot_of(*after)
        if old != new:
            record_change(old, new)


def _kept() -> bool:
    """Whether any subtree keeps rollups (one indexed query per write)."""
    return RollupNode.objects.exists()
