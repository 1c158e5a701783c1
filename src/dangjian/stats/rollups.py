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
import threading
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from typing import Any

from dateutil.relativedelta import relativedelta
from django.conf import settings
from django.db import connection, transaction
from django.db.models import Sum
from django.utils import timezone

from dangjian.core import jobs
from dangjian.core.bulk import insert_rows
from dangjian.members.choices import HAN
from dangjian.members.models import Member, MemberSpell
from dangjian.members.watch import Facts
from dangjian.orgs.models import Organization
from dangjian.stats.cells import COLUMNS, INDEX, WIDTH
from dangjian.stats.models import MarginChange, MarginDelta, MarginYear, RollupNode, RollupState
from dangjian.stats.reports import AGE_BANDS, JOIN_PERIODS

Snapshot = dict[str, Any]
DIRECT_ADD_MIN = 100  # members created at once; fewer go through the change log
ATTRS = ("gender", "ethnicity", "education", "person_category", "birth_date", "join_date")


# ---- snapshots and their contributions ------------------------------------------------------


def snapshot_of(values: dict[str, Any], spells: Iterable[tuple[str, Any, Any, str]]) -> Snapshot:
    """A member's statistics: attributes (from a Member or its column values) and spells."""
    return {
        "a": [_iso(values[k]) for k in ATTRS],
        "s": [[path, _iso(start), _iso(end), category] for path, start, end, category in spells],
    }


def snapshots(member_ids: Iterable[int]) -> dict[int, Snapshot]:
    """The current snapshots of some members: one query (spells with their member's
    attributes; a member with no spell counts nowhere and needs none)."""
    ids = list(member_ids)
    attrs: dict[int, dict[str, Any]] = {}
    spells: dict[int, list[tuple[str, Any, Any, str]]] = defaultdict(list)
    fields = [f"member__{a}" for a in ATTRS]
    rows = MemberSpell.objects.filter(member_id__in=ids).values_list(
        "member_id", "org_path", "valid_from", "valid_to", "category", *fields
    )
    for member_id, path, start, end, category, *values in rows:
        spells[member_id].append((path, start, end, category))
        attrs[member_id] = dict(zip(ATTRS, values, strict=True))
    return {pk: snapshot_of(attrs[pk], spells[pk]) for pk in attrs}


def _iso(value: Any) -> Any:
    return value.isoformat() if isinstance(value, dt.date) else value


def contributions(snap: Snapshot) -> Iterator[tuple[str, dt.date, int, list[int]]]:
    """(path, day, +1/−1, cells): the member enters its cells when a spell starts or an age
    band begins, and leaves them when the spell ends or the band does."""
    gender, ethnicity, education, person, birth_s, join_s = snap["a"]
    birth = dt.date.fromisoformat(birth_s)
    fixed = [
        INDEX[("gender", gender)],
        INDEX[("ethnic_group", "han" if ethnicity == HAN else "minority")],
        INDEX[("education", education)],
        INDEX[("person_category", person)],
        INDEX[("join_period", _join_period(dt.date.fromisoformat(join_s)))],
    ]
    for path, start_s, end_s, category in snap["s"]:
        start = dt.date.fromisoformat(start_s)
        end = dt.date.fromisoformat(end_s) if end_s else None
        base = [*fixed, INDEX[("category", category)]]
        for a, b, band in _band_pieces(birth, start, end):
            cells = [*base, INDEX[("age_band", band)]]
            yield path, a, 1, cells
            if b is not None:
                yield path, b, -1, cells


def _join_period(joined: dt.date) -> str:
    return next(label for start, label in JOIN_PERIODS if start is None or joined < start)


def _band_pieces(
    birth: dt.date, start: dt.date, end: dt.date | None
) -> Iterator[tuple[dt.date, dt.date | None, str]]:
    """Split [start, end) where the age band changes, by the report's own rule: on day D a
    member is older than `limit` once birth <= D − (limit + 1) years."""
    pieces = []
    for limit in (limit for limit, _ in AGE_BANDS if limit is not None):
        years = relativedelta(years=limit + 1)
        day = birth + years
        if birth > day - years:  # 29 February: the band changes the day after
            day += dt.timedelta(days=1)
        pieces.append(day)
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
    transaction.on_commit(schedule_fold)


def mark_dirty() -> None:
    """The tree changed shape (a subtree moved): rollups are not used until rebuilt."""
    RollupState.objects.update_or_create(pk=1, defaults={"dirty": True})


_fold_lock = threading.Lock()


def schedule_fold() -> None:
    """Fold soon, in the background (inline when jobs run inline); never two at once."""
    if settings.DANGJIAN_JOBS_INLINE:
        return  # tests and inline mode read pending changes; `rebuild_stats --fold` compacts
    if _fold_lock.locked():
        return
    jobs.run("stats-fold", _fold_locked)


def _fold_locked() -> None:
    with _fold_lock:
        while fold():
            pass


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
    their deltas from every member's spells. Returns the number of nodes."""
    threshold = min_members if min_members is not None else settings.DANGJIAN_STATS_ROLLUP_MIN
    with transaction.atomic():
        MarginChange.objects.all().delete()
        RollupNode.objects.all().delete()
        counts: dict[str, int] = defaultdict(int)
        step = Organization.steplen
        for path in Member.objects.in_party().values_list("org_path", flat=True).iterator():
            for cut in range(step, len(path) + 1, step):
                counts[path[:cut]] += 1
        wanted = {p for p, n in counts.items() if n >= threshold}
        orgs = Organization.objects.filter(path__in=wanted).values_list("pk", "path")
        RollupNode.objects.bulk_create([RollupNode(org_id=pk, path=path) for pk, path in orgs])
        nodes = dict(RollupNode.objects.values_list("path", "pk"))
        for chunk in _member_chunks():
            _add(_accumulate(((None, snap) for snap in snapshots(chunk).values()), nodes))
        _checkpoints(timezone.localdate().year - 1)
        RollupState.objects.update_or_create(
            pk=1, defaults={"dirty": False, "built_at": timezone.now()}
        )
    return len(nodes)


def _checkpoints(last_year: int) -> None:
    """MarginYear rows for every node and year up to `last_year`, from the daily deltas."""
    MarginYear.objects.all().delete()
    rows = []
    for node in RollupNode.objects.values_list("pk", flat=True):
        per_year: dict[int, list[int]] = defaultdict(lambda: [0] * WIDTH)
        deltas = MarginDelta.objects.filter(node_id=node, day__year__lte=last_year)
        for day, *vector in deltas.values_list("day", *COLUMNS).iterator():
            per_year[day.year] = [a + b for a, b in zip(per_year[day.year], vector, strict=True)]
        running = [0] * WIDTH
        for year in range(min(per_year, default=last_year + 1), last_year + 1):
            running = [a + b for a, b in zip(running, per_year.get(year, [0] * WIDTH), strict=True)]
            rows.append(
                MarginYear(node_id=node, year=year, **dict(zip(COLUMNS, running, strict=True)))
            )
    MarginYear.objects.bulk_create(rows, batch_size=2000)


def _member_chunks(size: int = 5000) -> Iterator[list[int]]:
    ids = MemberSpell.objects.values_list("member_id", flat=True).distinct().order_by("member_id")
    chunk: list[int] = []
    for member_id in ids.iterator():
        chunk.append(member_id)
        if len(chunk) == size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


# ---- reading --------------------------------------------------------------------------------


def margins(org: Organization, on: dt.date) -> list[int] | None:
    """The org's margin vector on `on` from its rollup, or None if it has none (count live)."""
    state = RollupState.objects.filter(pk=1).values_list("dirty", flat=True).first()
    node = RollupNode.objects.filter(org=org, path=org.path).values_list("pk", flat=True).first()
    if state is not False or node is None:
        return None
    checkpoint = (
        MarginYear.objects.filter(node_id=node, year__lt=on.year)
        .order_by("-year")
        .values_list("year", *COLUMNS)
        .first()
    )
    deltas = MarginDelta.objects.filter(node_id=node, day__lte=on)
    vector = [0] * WIDTH
    if checkpoint is not None:
        year, *vector = checkpoint
        deltas = deltas.filter(day__gt=dt.date(year, 12, 31))
    sums = deltas.aggregate(**{c: Sum(c) for c in COLUMNS})
    vector = [v + (sums[c] or 0) for v, c in zip(vector, COLUMNS, strict=True)]
    # Changes not yet folded: accumulated as if `org` were the only node, then added.
    pending = ((c.before, c.after) for c in MarginChange.objects.order_by("pk"))
    for (_, day), delta in _accumulate(pending, {org.path: 0}).items():
        if day <= on:
            vector = [a + b for a, b in zip(vector, delta, strict=True)]
    return vector


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

    def tree_changed(self) -> None:
        mark_dirty()

    def changed(self, member_id: int, before: Any, after: Any) -> None:
        if not _kept():
            return
        old, new = snapshot_of(*before), snapshot_of(*after)
        if old != new:
            record_change(old, new)


def _kept() -> bool:
    """Whether any subtree keeps rollups (one indexed query per write)."""
    return RollupNode.objects.exists()
