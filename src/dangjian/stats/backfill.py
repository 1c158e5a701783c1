"""The rollups' daily deltas computed from all spells by the database (used by `rebuild`).

The rule is `rollups.contributions`, which stays the reference for every later change: a
spell adds +1 to its member's cells on valid_from and −1 on valid_to; on the first day D with
birth <= D − N years the member moves to the next age band; an admission or a conversion adds
to the flow cells on valid_from. Here the database evaluates the same rule for every spell at
once and groups it per rollup node and day, one statement per tree depth: a province's 5 M
spells take minutes, where contributions() in Python would take hours. A test compares the
two on awkward birthdays (29 February, band boundaries on spell edges).
"""

from __future__ import annotations

import re

from django.db import connection

from dangjian.members.choices import HAN, Gender
from dangjian.members.models import Member, MemberEvent, MemberSpell
from dangjian.stats.cells import CELLS, COLUMNS
from dangjian.stats.models import MarginDelta, RollupNode
from dangjian.stats.reports import AGE_BANDS, HIGHER, JOIN_PERIODS

# Age band i starts on the first day D with birth <= D − YEARS[i-1] years (reports._age_band).
YEARS = [limit + 1 for limit, _ in AGE_BANDS if limit is not None]
UNDER_36 = YEARS[AGE_BANDS.index((35, "31—35岁"))]  # 发展党员 aged 35 or younger
ADMIT, CONVERT = MemberEvent.Kind.ADMIT, MemberEvent.Kind.CONVERT
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


def _birthday(years: str) -> str:
    """SQL for the first day D with birth <= D − `years` years (29 February → 1 March, as
    relativedelta and SQLite's date() count it)."""
    if connection.vendor == "postgresql":
        shifted = f"(m.birth_date + make_interval(years => {years}))::date"
        return (
            f"({shifted} + CASE WHEN to_char(m.birth_date, 'MM-DD') = '02-29' "
            f"AND to_char({shifted}, 'MM-DD') = '02-28' THEN 1 ELSE 0 END)"
        )
    return f"date(m.birth_date, '+{years} years')" if years.isdigit() else (
        f"date(m.birth_date, '+' || {years} || ' years')"
    )  # fmt: skip


def _band(day: str, op: str) -> str:
    """SQL for the age band on `day` ('<=') or on the day before `day` ('<')."""
    return "(" + " + ".join(
        f"CASE WHEN {_birthday(str(y))} {op} {day} THEN 1 ELSE 0 END" for y in YEARS
    ) + ")"  # fmt: skip


def _join_period() -> str:
    whens = " ".join(
        f"WHEN m.join_date < {_lit(start.isoformat())} THEN {i}"
        for i, (start, _) in enumerate(JOIN_PERIODS)
        if start is not None
    )
    return f"CASE {whens} ELSE {len(JOIN_PERIODS) - 1} END"


def _sources(width: int) -> str:
    """Rows (prefix, day, sgn, cat, gen, eth, edu, per, jp, band, flow, young): spell starts,
    spell ends and age-band crossings inside spells, for the subtrees `width` chars deep."""
    spell, member = MemberSpell._meta.db_table, Member._meta.db_table
    base = (
        f"FROM {spell} s JOIN {member} m ON m.id = s.member_id WHERE LENGTH(s.org_path) >= {width}"
    )
    prefix = f"SUBSTR(s.org_path, 1, {width}) AS prefix"
    person = (
        f"s.category AS cat, m.gender AS gen, CASE WHEN m.ethnicity = {_lit(HAN)} "
        f"THEN 'han' ELSE 'minority' END AS eth, m.education AS edu, "
        f"m.person_category AS per, {_join_period()} AS jp"
    )
    nobody = "NULL AS cat, NULL AS gen, NULL AS eth, NULL AS edu, NULL AS per, NULL AS jp"
    young = f"CASE WHEN s.valid_from < {_birthday(str(UNDER_36))} THEN 1 ELSE 0 END"
    steps = " UNION ALL ".join(
        f"SELECT {y} AS yrs, {sgn} AS sgn, {band} AS band"
        for i, y in enumerate(YEARS)
        for sgn, band in ((-1, i), (1, i + 1))
    )
    crossing = _birthday("x.yrs")
    return f"""
        SELECT {prefix}, s.valid_from AS day, 1 AS sgn, {person},
               {_band("s.valid_from", "<=")} AS band, s.opened_by AS flow, {young} AS young
        {base}
        UNION ALL
        SELECT {prefix}, s.valid_to AS day, -1 AS sgn, {person},
               {_band("s.valid_to", "<")} AS band, '' AS flow, 0 AS young
        {base} AND s.valid_to IS NOT NULL
        UNION ALL
        SELECT {prefix}, {crossing} AS day, x.sgn AS sgn, {nobody},
               x.band AS band, '' AS flow, 0 AS young
        FROM {spell} s JOIN {member} m ON m.id = s.member_id CROSS JOIN ({steps}) x
        WHERE LENGTH(s.org_path) >= {width} AND s.valid_from < {crossing}
              AND (s.valid_to IS NULL OR s.valid_to > {crossing})
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
        if dim == "age_band":
            test = f"r.band = {bands[code]}"
        elif dim == "join_period":
            test = f"r.jp = {periods[code]}"
        else:
            test = f"r.{SOURCE[dim]} = {_lit(code)}"
        sums.append(f"SUM(CASE WHEN {test} THEN r.sgn ELSE 0 END)")
    return sums


def insert_deltas() -> None:
    """Fill MarginDelta for every rollup node from all spells (the table starts empty)."""
    quote = connection.ops.quote_name
    delta, node = MarginDelta._meta.db_table, RollupNode._meta.db_table
    columns = ", ".join(quote(c) for c in COLUMNS)
    sums = ", ".join(_cell_sums())
    widths = sorted({len(p) for p in RollupNode.objects.values_list("path", flat=True)})
    with connection.cursor() as cursor:
        for width in widths:
            cursor.execute(
                f"INSERT INTO {quote(delta)} (node_id, day, {columns}) "
                f"SELECT n.id, r.day, {sums} FROM ({_sources(width)}) r "
                f"JOIN {quote(node)} n ON n.path = r.prefix "
                f"WHERE LENGTH(n.path) = {width} GROUP BY n.id, r.day"
            )
