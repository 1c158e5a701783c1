"""Printable PDF forms (党员基本信息表, 党员花名册), laid out like the paper forms.

Drawn with the shared toolkit (`core.printing`: A4, the server's CJK font, footer). Masking
follows the caller's `full` flag: the caller checks the permission and logs an unmasked print,
this module only draws.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence

from fpdf.enums import WrapMode

from dangjian.core.masking import mask_phone
from dangjian.core.printing import (
    BLANK,
    FAMILY,
    FONT_MISSING_MESSAGE,
    FormPdf,
    PdfFontMissing,
    clear_font_cache,
    find_cjk_font,
    fmt_date,
    fmt_sign_date,
)
from dangjian.core.printing import pairs as _pairs
from dangjian.members.choices import MemberCategory
from dangjian.members.models import Member, MemberEvent
from dangjian.orgs.models import Organization

# Kept importable from here for the callers of the forms (views catch PdfFontMissing).
__all__ = [
    "FONT_MISSING_MESSAGE",
    "PdfFontMissing",
    "branch_roster_pdf",
    "clear_font_cache",
    "find_cjk_font",
    "member_sheet_pdf",
    "subtree_roster_pdf",
]


# --------------------------------------------------------------------- 党员基本信息表


# Columns: label | name | label | gender | label | ethnicity | label | date | photo (mm).
SHEET_COLUMNS = (28, 28, 12, 10, 12, 21, 18, 22, 29)
EVENT_COLUMNS = (26, 40, 56, 58)


def _id_and_phone(member: Member, full: bool) -> tuple[str, str]:
    if full:
        return member.reveal_id_number(), member.phone
    return member.id_masked, mask_phone(member.phone)


def _sheet_grid(pdf: FormPdf, member: Member, full: bool) -> None:
    id_number, phone = _id_and_phone(member, full)
    group = member.group.name if member.group else ""
    with pdf.table(
        col_widths=SHEET_COLUMNS,
        first_row_as_headings=False,
        line_height=5,
        min_row_height=10,
        padding=(1, 1.2),
        wrapmode=WrapMode.CHAR,
    ) as table:
        row = table.row()
        _pairs(row, [("姓名", member.name, 1), ("性别", member.get_gender_display(), 1)])
        _pairs(row, [("民族", member.get_ethnicity_display(), 1)])
        _pairs(row, [("出生日期", fmt_date(member.birth_date), 1)])
        row.cell("照片", rowspan=4, align="C")
        _pairs(table.row(), [("公民身份号码", id_number, 4), ("籍贯", member.native_place, 2)])
        edu = member.get_education_display()
        _pairs(
            table.row(), [("学历", edu, 4), ("人员类别", member.get_person_category_display(), 2)]
        )
        _pairs(table.row(), [("工作单位及职务", member.work_unit_post, 7)])
        _pairs(
            table.row(), [("联系电话", phone, 4), ("党员类别", member.get_category_display(), 3)]
        )
        dates = [("入党日期", fmt_date(member.join_date), 4)]
        _pairs(table.row(), [*dates, ("转正日期", fmt_date(member.full_date), 3)])
        _pairs(table.row(), [("所在党组织", member.org.name, 4), ("所在党小组", group, 3)])
        _pairs(table.row(), [("党籍状态", member.get_status_display(), 8)])


def _event_note(event: MemberEvent) -> str:
    parts = [event.note, f"文号：{event.document_no}" if event.document_no else ""]
    return "；".join(p for p in parts if p)


def _event_table(pdf: FormPdf, events: Iterable[MemberEvent]) -> None:
    pdf.ln(6)
    pdf.set_font(FAMILY, "B", 12)
    pdf.cell(0, 8, "党籍变动记录", new_x="LMARGIN", new_y="NEXT")
    rows = (
        [
            fmt_date(event.effective_date),
            event.get_kind_display(),
            event.org.name if event.org else event.counterpart,
            _event_note(event),
        ]
        for event in events
    )
    pdf.grid_table(
        ["日期", "变动类型", "党组织", "说明"],
        rows,
        col_widths=EVENT_COLUMNS,
        align=("C", "C", "L", "L"),
        size=10,
        line_height=5,
        min_row_height=8,
        padding=(1, 1.2),
        empty="（无记录）",
    )


def member_sheet_pdf(
    member: Member,
    *,
    full: bool,
    events: Iterable[MemberEvent] | None = None,
    printed_by: str = "",
) -> bytes:
    """党员基本信息表: one member's record and membership history, A4 portrait."""
    if events is None:
        events = member.events.filter(voided_at__isnull=True).select_related("org")
    pdf = FormPdf(orientation="P", title=f"党员基本信息表（{member.name}）", printed_by=printed_by)
    pdf.title_line("党员基本信息表")
    pdf.ln(3)
    pdf.set_font(FAMILY, size=10)
    _sheet_grid(pdf, member, full)
    _event_table(pdf, events)
    signed_on = fmt_sign_date(pdf.printed_at.date())
    pdf.signatures([f"填表人：{BLANK[:8]}", f"审核人：{BLANK[:8]}", "党组织（盖章）"])
    pdf.signatures(["", "", f"填表日期：{signed_on}"])
    return pdf.to_bytes()


# ------------------------------------------------------------------------- 党员花名册


ROSTER_COLUMNS: tuple[tuple[str, float, str], ...] = (
    ("序号", 10, "C"),
    ("姓名", 25, "C"),
    ("性别", 9, "C"),
    ("民族", 15, "C"),
    ("出生日期", 20, "C"),
    ("公民身份号码", 35, "C"),
    ("学历", 19, "C"),
    ("人员类别", 28, "C"),
    ("入党日期", 20, "C"),
    ("转正日期", 20, "C"),
    ("党员类别", 16, "C"),
    ("工作单位及职务", 38, "L"),
    ("联系电话", 22, "C"),
)


def _roster_row(number: int, member: Member, full: bool) -> list[str]:
    id_number, phone = _id_and_phone(member, full)
    return [
        str(number),
        member.name,
        member.get_gender_display(),
        member.get_ethnicity_display(),
        fmt_date(member.birth_date),
        id_number,
        member.get_education_display(),
        member.get_person_category_display(),
        fmt_date(member.join_date),
        fmt_date(member.full_date),
        member.get_category_display(),
        member.work_unit_post,
        phone,
    ]


def _roster_summary(members: Sequence[Member], on: dt.date) -> str:
    full = sum(1 for m in members if m.category == MemberCategory.FULL)
    probation = sum(1 for m in members if m.category == MemberCategory.PROBATIONARY)
    counts = f"共 {len(members)} 人（正式党员 {full} 人，预备党员 {probation} 人）"
    return f"统计截止日期：{fmt_date(on)}    {counts}"


def branch_roster_pdf(
    org: Organization,
    rows: Iterable[Member],
    *,
    on: dt.date,
    full: bool,
    printed_by: str = "",
) -> bytes:
    """党员花名册 of one organization, A4 landscape; the header row repeats on every page."""
    members = list(rows)
    title = f"{org.name}党员花名册"
    pdf = FormPdf(orientation="L", title=title, printed_by=printed_by)
    pdf.title_line(title)
    pdf.note_line(_roster_summary(members, on))
    pdf.ln(1)
    _roster_table(pdf, members, full)
    signed_on = fmt_sign_date(pdf.printed_at.date())
    pdf.signatures([f"填报人：{BLANK}", f"审核人：{BLANK}", f"填报日期：{signed_on}"])
    return pdf.to_bytes()


def subtree_roster_pdf(
    org: Organization,
    groups: Sequence[tuple[str, Sequence[Member]]],
    *,
    on: dt.date,
    full: bool,
    printed_by: str = "",
) -> bytes:
    """党员花名册（含下级组织）: the members of `org`'s whole subtree, one table per
    organization under a heading naming it (`groups`: heading and members, in tree order)."""
    members = [m for _, group in groups for m in group]
    title = f"{org.name}党员花名册（含下级组织）"
    pdf = FormPdf(orientation="L", title=title, printed_by=printed_by)
    pdf.title_line(title)
    pdf.note_line(_roster_summary(members, on) + f"，{len(groups)} 个组织")
    for heading, group in groups:
        pdf.ln(2)
        pdf.note_line(f"{heading}（{len(group)} 人）", size=11)
        _roster_table(pdf, group, full)
    signed_on = fmt_sign_date(pdf.printed_at.date())
    pdf.signatures([f"填报人：{BLANK}", f"审核人：{BLANK}", f"填报日期：{signed_on}"])
    return pdf.to_bytes()


def _roster_table(pdf: FormPdf, members: Sequence[Member], full: bool) -> None:
    """The roster's table; its header row repeats on every page."""
    pdf.grid_table(
        [name for name, _, _ in ROSTER_COLUMNS],
        (_roster_row(number, member, full) for number, member in enumerate(members, start=1)),
        col_widths=[width for _, width, _ in ROSTER_COLUMNS],
        align=[align for _, _, align in ROSTER_COLUMNS],
    )
