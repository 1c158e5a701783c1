"""The issue's 15,000-row roster, as an .xlsx file built once per test session."""

from __future__ import annotations

import datetime as dt
import io

from openpyxl import Workbook

from dangjian.rosters.testing import HEADERS, roster_row

ROWS = 15_000
DIGITS = "零一二三四五六七八九"
# Birth dates over 7,001 days: make_id_number's sequence (mod 500) then never repeats a
# (birth date, sequence) pair, so every ID number differs; all born before 1980, so all were
# of age on the 2010 入党日期.
SPAN = 7_001


def big_roster(rows: int = ROWS, prefix: str = "故障") -> bytes:
    """`rows` new members of 东街社区党支部, every one valid; names are `prefix` + a number."""
    wb = Workbook(write_only=True)
    ws = wb.create_sheet("党员花名册")
    ws.append(HEADERS)
    first = dt.date(1960, 1, 1)
    for i in range(rows):
        name = prefix + "".join(DIGITS[int(d)] for d in str(i))
        row = roster_row(name, birth=first + dt.timedelta(i % SPAN))
        ws.append([row.get(h) for h in HEADERS])
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()
