"""Roster export (党员花名册) to .xlsx: masked by default, safe against formula injection."""

from __future__ import annotations

import io
from collections.abc import Iterable

from openpyxl import Workbook

from dangjian.core.masking import mask_phone
from dangjian.members.models import Member

HEADERS = [
    "姓名", "性别", "民族", "出生日期", "公民身份号码", "学历", "籍贯", "工作单位及职务",
    "人员类别", "联系电话", "入党日期", "转正日期", "党员类别", "党籍状态", "所在党组织",
]  # fmt: skip
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def neutralize(value: str) -> str:
    """Keep a spreadsheet from running a cell as a formula; a phone like +86… stays readable."""
    if value.startswith(FORMULA_START):
        if value.startswith("+") and value[1:].replace("-", "").replace(" ", "").isdigit():
            return value
        return "'" + value
    return value


def roster_rows(members: Iterable[Member], *, full: bool) -> Iterable[list[str]]:
    for m in members:
        row = [
            m.name,
            m.get_gender_display(),
            m.get_ethnicity_display(),
            m.birth_date.isoformat(),
            m.reveal_id_number() if full else m.id_masked,
            m.get_education_display(),
            m.native_place,
            m.work_unit_post,
            m.get_person_category_display(),
            m.phone if full else mask_phone(m.phone),
            m.join_date.isoformat() if m.join_date else "",
            m.full_date.isoformat() if m.full_date else "",
            m.get_category_display(),
            m.get_status_display(),
            m.org.name,
        ]
        yield [neutralize(str(v)) for v in row]


def roster_workbook(members: Iterable[Member], *, full: bool) -> bytes:
    wb = Workbook(write_only=True)
    ws = wb.create_sheet("党员花名册")
    ws.append(HEADERS)
    for row in roster_rows(members, full=full):
        ws.append(row)
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()
