"""Roster export (党员花名册) to .xlsx: the import's own columns, so an export re-imports as is.

Masked by default. Text that a spreadsheet would run as a formula (=1+1, +86…, -x, @x) is
written as an explicit string cell with Excel's quote prefix: Excel and WPS neither evaluate it on
opening nor on editing, and a reader gets the text exactly as stored, so the round trip is exact
(an apostrophe added to the text itself would come back as a change).
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Callable, Iterable
from typing import Any

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font, PatternFill
from openpyxl.worksheet.worksheet import Worksheet

from dangjian.core.masking import mask_phone
from dangjian.core.spreadsheet import text_cell
from dangjian.members.models import Member
from dangjian.rosters.columns import COLUMNS, Column

HEADER_FONT = Font(bold=True)
HEADER_FILL = PatternFill("solid", fgColor="F2DCDB")
DATE_FORMAT = "yyyy-mm-dd"


def member_values(m: Member, *, full: bool) -> list[Any]:
    """One member as the roster's columns (labels, not codes; dates as dates)."""
    values = {
        "name": m.name,
        "gender": m.get_gender_display(),
        "ethnicity": m.get_ethnicity_display(),
        "id_number": m.reveal_id_number() if full else m.id_masked,
        "birth_date": m.birth_date,
        "education": m.get_education_display(),
        "person_category": m.get_person_category_display(),
        "native_place": m.native_place,
        "work_unit_post": m.work_unit_post,
        "phone": m.phone if full else mask_phone(m.phone),
        "join_date": m.join_date,
        "full_date": m.full_date,
        "category": m.get_category_display(),
        "org": m.org.name,
        "org_code": m.org.code,
        "status": m.get_status_display(),
    }
    return [values[c.key] for c in COLUMNS]


def header_row(ws: Worksheet, columns: Iterable[Column]) -> list[WriteOnlyCell]:
    cells = []
    for column in columns:
        cell = WriteOnlyCell(ws, value=column.header)
        cell.font, cell.fill = HEADER_FONT, HEADER_FILL
        cells.append(cell)
    return cells


def roster_workbook(
    members: Iterable[Member], *, full: bool, progress: Callable[[int], None] | None = None
) -> bytes:
    """The roster as .xlsx bytes, written row by row (write-only mode: memory stays flat)."""
    wb = Workbook(write_only=True)
    ws = wb.create_sheet("党员花名册")
    for index, column in enumerate(COLUMNS):
        ws.column_dimensions[chr(ord("A") + index)].width = column.width
    ws.freeze_panes = "A2"
    ws.append(header_row(ws, COLUMNS))
    for count, member in enumerate(members, start=1):
        ws.append([_cell(ws, v) for v in member_values(member, full=full)])
        if progress and count % 1000 == 0:
            progress(count)
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def _cell(ws: Worksheet, value: Any) -> Any:
    if isinstance(value, dt.date):
        cell = WriteOnlyCell(ws, value=value)
        cell.number_format = DATE_FORMAT
        return cell
    if value is None:
        return None
    return text_cell(ws, str(value))
