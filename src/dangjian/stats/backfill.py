"""The rollups' daily deltas computed from all spells by the database (used by `rebuild`).

The rule is `rollups.contributions`, which stays the reference for every later change: a
spell adds +1 to its member's cells on valid_from and −1 on valid_to; on the first day D with
birth <= D − N years the member moves to the next age band; an admission or a conversion adds
to the flow cells on valid_from. Here the database evaluates the same rule for every spell at
once and groups it per organization and day, then per rollup node and day: a province's 5 M
spells take minutes, where contributions() in Python would take hours. A test compares the
two on awkward birthdays (29 February, band boundaries on spell edges).
"""

from __future__ import annotations

import re

from django.db import connection

from dangjian.members.choices import HAN, Gender
from dangjian.members.models import Member, MemberEvent, MemberSpell
from dangjian.orgs.models import Organization
from dangjian.stats.cells import CELLS, COLUMNS
from dangjian.stats.models import MarginDelta, RollupNode
from dangjian.stats.reports import AGE_BANDS, DUE_KINDS, EPOCH, HIGHER, JOIN_PERIODS, YOUNG_LIMIT

# The age rule of reports.age_band/band_changes, written again in SQL because the rebuild runs
# in the database: band i starts on the first day D with birth <= D − YEARS[i-1] years.
YEARS = [limit + 1 for limit, _ in AGE_BANDS if limit is not None]
UNDER_36 = YOUNG_LIMIT + 1  # 发展党员 aged 35 or younger: before the band boundary at 36
ADMIT, CONVERT = MemberEvent.Kind.ADMIT, MemberEvent.Kind.CONVERT
PERSON = "stats_rebuild_person"  # temporary: members' cell attributes and band boundaries
LEAF = "stats_rebuild_leaf"  # temporary: the rule's rows summed per organization and day
REBUILD_WORK_MEM = "512MB"
# Spell-row columns the cell sums read: dimension → column of the source rows below.
SOURCE = {
    "category": "cat",
    "gender": "gen",
    "ethnic_group": "eth",
    "education": "edu",
    "person_category": "per",
}


def _lit(value: object) -> str:
    """An internal code or date as an SQL literal (never user input; checked anyway)."""
    text = str(value)
    if not re.fullmatch(r"[A-Za-z0-9_\-]*", text):
        raise ValueError(f"not a code: {text!r}")
    return f"'{text}'"


def _birthday(years: int) -> str:
    """SQL for the first day D with birth <= D − `years` years (29 February → 1 March, as
    relativedelta and SQLite's date() count it)."""
    if connection.vendor == "postgresql":
        # Shift the day before and step forward one: only 29 February clamps (to the 28th),
        # so this is birth + N years, except 29 February → 1 March in common years.
        return f"(((m.birth_date - 1) + make_interval(years => {years}))::date + 1)"
    return f"date(m.birth_date, '+{years} years')"


def _band(day: str, op: str) -> str:
    """SQL for the age band on `day` ('<=') or on the day before `day` ('<'), from the
    person's precomputed boundary days b1 … b7."""
    return "(" + " + ".join(
        f"CASE WHEN p.b{k} {op} {day} THEN 1 ELSE 0 END" for k in range(1, len(YEARS) + 1)
    ) + ")"  # fmt: skip


def _people() -> str:
    """SQL filling PERSON: each member's attributes as the cells read them and the days the
    age bands change (computed once a member, not once a spell and a band)."""
    bounds = ", ".join(f"{_birthday(y)} AS b{k}" for k, y in enumerate(YEARS, start=1))
    return (
        f"CREATE TEMPORARY TABLE {PERSON} AS SELECT m.id AS id, m.gender AS gen, "
        f"CASE WHEN m.ethnicity = {_lit(HAN)} THEN 'han' ELSE 'minority' END AS eth, "
        f"m.education AS edu, m.person_category AS per, {_join_period()} AS jp, {bounds} "
        f"FROM {Member._meta.db_table} m"
    )


def _join_period() -> str:
    whens = " ".join(
        f"WHEN m.join_date < {_lit(start.isoformat())} THEN {i}"
        for i, (start, _) in enumerate(JOIN_PERIODS)
        if start is not None
    )
    return f"CASE {whens} ELSE {len(JOIN_PERIODS) - 1} END"


def _next_day(column: str) -> str:
    if connection.vendor == "postgresql":
        return f"({column} + 1)"
    return f"date({column}, '+1 day')"


def _org_sources() -> str:
    """Rows for the organization cells: each organization by kind from its founding to its
    dissolution, and as 应换届 from the day after its term ended (rollups._org_contributions)."""
    table = Organization._meta.db_table
    founded = f"COALESCE(o.founded_on, {_lit(EPOCH.isoformat())})"
    due = f"CASE WHEN {_next_day('o.term_end')} > {founded} THEN {_next_day('o.term_end')} " \
        f"ELSE {founded} END"  # fmt: skip
    kinds = ", ".join(_lit(k) for k in sorted(DUE_KINDS))
    nobody = "NULL, NULL, NULL, NULL, NULL, NULL, NULL, '', 0"
    base = f"FROM {table} o WHERE (o.dissolved_on IS NULL OR o.dissolved_on > {founded})"
    due_base = (
        f"{base} AND o.kind IN ({kinds}) AND o.term_end IS NOT NULL "
        f"AND (o.dissolved_on IS NULL OR {due} < o.dissolved_on)"
    )
    prefix = "o.path"
    return f"""
        SELECT {prefix}, {founded}, 1, {nobody}, o.kind, 0 {base}
        UNION ALL
        SELECT {prefix}, o.dissolved_on, -1, {nobody}, o.kind, 0
        {base} AND o.dissolved_on IS NOT NULL
        UNION ALL
        SELECT {prefix}, {due}, 1, {nobody}, NULL, 1 {due_base}
        UNION ALL
        SELECT {prefix}, o.dissolved_on, -1, {nobody}, NULL, 1
        {due_base} AND o.dissolved_on IS NOT NULL
    """


def _sources() -> str:
    """Rows (prefix, day, sgn, cat, gen, eth, edu, per, jp, band, flow, young, okind, due):
    spell starts, spell ends and age-band crossings inside spells, then the organizations;
    prefix is the organization's own path."""
    base = f"FROM {MemberSpell._meta.db_table} s JOIN {PERSON} p ON p.id = s.member_id"
    person = "s.category, p.gen, p.eth, p.edu, p.per, p.jp"
    nobody = "NULL, NULL, NULL, NULL, NULL, NULL"
    young = f"CASE WHEN s.valid_from < p.b{YEARS.index(UNDER_36) + 1} THEN 1 ELSE 0 END"
    steps = " UNION ALL ".join(
        f"SELECT {k} AS k, {sgn} AS sgn, {band} AS band"
        for k in range(1, len(YEARS) + 1)
        for sgn, band in ((-1, k - 1), (1, k))
    )
    whens = " ".join(f"WHEN {k} THEN p.b{k}" for k in range(1, len(YEARS) + 1))
    crossing = f"CASE x.k {whens} END"
    return f"""
        SELECT s.org_path AS prefix, s.valid_from AS day, 1 AS sgn, s.category AS cat,
               p.gen AS gen, p.eth AS eth, p.edu AS edu, p.per AS per, p.jp AS jp,
               {_band("s.valid_from", "<=")} AS band, s.opened_by AS flow, {young} AS young,
               NULL AS okind, 0 AS due
        {base}
        UNION ALL
        SELECT s.org_path, s.valid_to, -1, {person}, {_band("s.valid_to", "<")}, '', 0, NULL, 0
        {base} WHERE s.valid_to IS NOT NULL
        UNION ALL
        SELECT s.org_path, {crossing}, x.sgn, {nobody}, x.band, '', 0, NULL, 0
        {base} CROSS JOIN ({steps}) x
        WHERE s.valid_from < {crossing} AND (s.valid_to IS NULL OR s.valid_to > {crossing})
        UNION ALL {_org_sources()}
    """


def _cell_sums() -> list[str]:
    """One SUM per cell, in the order of cells.CELLS."""
    bands = {label: i for i, (_, label) in enumerate(AGE_BANDS)}
    periods = {label: i for i, (_, label) in enumerate(JOIN_PERIODS)}
    admitted = f"r.flow = {_lit(ADMIT)}"
    flows = {
        "developed": admitted,
        "developed_women": f"{admitted} AND r.gen = {_lit(Gender.FEMALE)}",
        "developed_under_35": f"{admitted} AND r.young = 1",
        "developed_higher": f"{admitted} AND r.edu IN ({', '.join(map(_lit, sorted(HIGHER)))})",
        "converted": f"r.flow = {_lit(CONVERT)}",
    }
    sums = []
    for dim, code in CELLS:
        if dim == "flow":
            sums.append(f"SUM(CASE WHEN {flows[code]} THEN 1 ELSE 0 END)")
            continue
        if dim == "org_kind":
            test = f"r.okind = {_lit(code)}"
        elif dim == "org":
            test = "r.due = 1"
        elif dim == "age_band":
            test = f"r.band = {bands[code]}"
        elif dim == "join_period":
            test = f"r.jp = {periods[code]}"
        else:
            test = f"r.{SOURCE[dim]} = {_lit(code)}"
        sums.append(f"SUM(CASE WHEN {test} THEN r.sgn ELSE 0 END)")
    return sums


def insert_deltas() -> None:
    """Fill MarginDelta for every rollup node from all spells (the table starts empty).

    The members' attributes and band boundaries go into a temporary table; the rule's rows,
    summed per organization and day, into another (the expensive step, done once). Then, from
    the deepest rollup level up, those sums are cut to the level's path width and summed again
    (each level reads the previous level's smaller table) and the nodes' rows copied out."""
    quote = connection.ops.quote_name
    delta, node = quote(MarginDelta._meta.db_table), quote(RollupNode._meta.db_table)
    columns = ", ".join(quote(c) for c in COLUMNS)
    sums = ", ".join(f"{sql} AS {quote(c)}" for sql, c in zip(_cell_sums(), COLUMNS, strict=True))
    totals = ", ".join(f"SUM(t.{quote(c)}) AS {quote(c)}" for c in COLUMNS)
    widths = sorted({len(p) for p in RollupNode.objects.values_list("path", flat=True)})
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # Millions of (organization, day) groups: with the default 4 MB the sums spill to
            # disk and the rebuild takes several times longer. Only for this transaction.
            cursor.execute(f"SET LOCAL work_mem = '{REBUILD_WORK_MEM}'")
        tables = [PERSON, LEAF, *(f"{LEAF}_{w}" for w in widths)]
        for table in tables:
            cursor.execute(f"DROP TABLE IF EXISTS {table}")
        cursor.execute(_people())
        cursor.execute(
            f"CREATE TEMPORARY TABLE {LEAF} AS SELECT r.prefix AS path, r.day AS day, {sums} "
            f"FROM ({_sources()}) r GROUP BY r.prefix, r.day"
        )
        source = LEAF
        for width in reversed(widths):
            # Shorter paths (organizations above this level) pass through unchanged.
            level = f"{LEAF}_{width}"
            cursor.execute(
                f"CREATE TEMPORARY TABLE {level} AS SELECT SUBSTR(t.path, 1, {width}) AS path, "
                f"t.day AS day, {totals} FROM {source} t GROUP BY SUBSTR(t.path, 1, {width}), t.day"
            )
            cursor.execute(
                f"INSERT INTO {delta} (node_id, day, {columns}) "
                f"SELECT n.id, t.day, {columns} FROM {level} t JOIN {node} n ON n.path = t.path "
                f"WHERE LENGTH(n.path) = {width} ORDER BY n.id, t.day"  # a node's year: few pages
            )
            source = level
        for table in tables:
            cursor.execute(f"DROP TABLE {table}")
