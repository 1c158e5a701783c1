"""Rosters built in tests (and the browser tests) with openpyxl, good and deliberately broken."""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Sequence
from typing import Any

from openpyxl import Workbook

from dangjian.rosters.columns import BY_KEY, TEMPLATE_COLUMNS, column_for
from dangjian.testing import make_id_number

HEADERS = [c.header for c in TEMPLATE_COLUMNS]


def roster_row(
    name: str = "张三",
    *,
    gender: str = "男",
    birth: dt.date = dt.date(1985, 3, 14),
    org: str = "东街社区党支部",
    **overrides: Any,
) -> dict[str, Any]:
    """One good row keyed by header; the ID number matches birth date and gender."""
    row = {
        "姓名": name,
        "性别": gender,
        "民族": "汉族",
        "公民身份号码": make_id_number(birth, "M" if gender == "男" else "F"),
        "出生日期": birth,
        "学历": "大学本科",
        "人员类别": "专业技术人员",
        "籍贯": "河北清河",
        "工作单位及职务": "清河县第一中学教师",
        "联系电话": "13812345678",
        "入党日期": dt.date(2010, 7, 1),
        "转正日期": dt.date(2011, 7, 1),
        "党员类别": "正式党员",
        "所在党组织": org,
    }
    row.update(overrides)
    return row


def xlsx(
    rows: Sequence[dict[str, Any]],
    *,
    headers: Sequence[str] = HEADERS,
    title: str | None = None,
    sheet: str = "党员花名册",
) -> bytes:
    """A workbook with an optional merged title row, then the header and the rows."""
    wb = Workbook()
    ws = wb.active
    ws.title = sheet
    if title:
        ws.append([title])
        ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(headers))
    ws.append(list(headers))
    for row in rows:
        ws.append([row.get(_canonical(h)) for h in headers])
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def _canonical(header: str) -> str:
    key = column_for(header)
    return BY_KEY[key].header if key else header


def csv_bytes(rows: Sequence[dict[str, Any]], *, encoding: str = "utf-8-sig") -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(HEADERS)
    for row in rows:
        writer.writerow([_csv_cell(row.get(h)) for h in HEADERS])
    return buffer.getvalue().encode(encoding)


def _csv_cell(value: Any) -> str:
    return (
        value.isoformat() if isinstance(value, dt.date) else ("" if value is None else str(value))
    )


def xls(rows: Sequence[dict[str, Any]]) -> bytes:
    """The same roster in the old Excel 97–2003 format (.xls), as WPS still saves it."""
    import xlwt

    wb = xlwt.Workbook()
    ws = wb.add_sheet("党员花名册")
    date_style = xlwt.easyxf(num_format_str="YYYY-MM-DD")
    for col, header in enumerate(HEADERS):
        ws.write(0, col, header)
    for r, row in enumerate(rows, start=1):
        for col, header in enumerate(HEADERS):
            value = row.get(header)
            if isinstance(value, dt.date):
                ws.write(r, col, value, date_style)
            elif value is not None:
                ws.write(r, col, value)
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()
