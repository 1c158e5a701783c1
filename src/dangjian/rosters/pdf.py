"""Printable PDF forms (党员基本信息表, 党员花名册), laid out like the paper forms.

Chinese text needs a CJK font on the server; it is found locally (no download) and embedded
as a subset, so the file opens anywhere. Masking follows the caller's `full` flag: the caller
checks the permission and logs an unmasked print, this module only draws.
"""

from __future__ import annotations

import datetime as dt
import functools
import pathlib
from collections.abc import Iterable, Sequence

from django.conf import settings
from django.utils import timezone
from fontTools.ttLib import TTCollection
from fpdf import FPDF
from fpdf.enums import WrapMode
from fpdf.fonts import FontFace
from fpdf.table import Row

from dangjian.core.exceptions import DomainError
from dangjian.core.masking import mask_phone
from dangjian.members.choices import MemberCategory
from dangjian.members.models import Member, MemberEvent
from dangjian.orgs.models import Organization

FONT_SETTING = "DANGJIAN_PDF_FONT"
FONT_MISSING_MESSAGE = (
    "服务器未安装中文字体，无法生成 PDF。请安装 fonts-noto-cjk（Debian/Ubuntu：apt-get install "
    "fonts-noto-cjk），或在配置项 DANGJIAN_PDF_FONT 中指定字体文件。"
)
# (regular, bold) in order of preference; "" = no bold face, the regular one is used.
KNOWN_FONTS: tuple[tuple[str, str], ...] = (
    (
        "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
        "/usr/share/fonts/opentype/noto/NotoSansCJK-Bold.ttc",
    ),
    (
        "/usr/share/fonts/opentype/noto/NotoSerifCJK-Regular.ttc",
        "/usr/share/fonts/opentype/noto/NotoSerifCJK-Bold.ttc",
    ),
    ("/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc", ""),
    ("/usr/share/fonts/truetype/droid/DroidSansFallbackFull.ttf", ""),
    ("C:/Windows/Fonts/simsun.ttc", ""),
    ("C:/Windows/Fonts/msyh.ttc", "C:/Windows/Fonts/msyhbd.ttc"),
)
FAMILY = "cjk"
LABEL_FILL = (235, 235, 235)
LABEL = FontFace(fill_color=LABEL_FILL)
HEADING = FontFace(emphasis="BOLD", fill_color=LABEL_FILL)
BLANK = "________________"


class PdfFontMissing(DomainError):
    """No Chinese font on the server: a PDF would show empty boxes instead of text."""

    def __init__(self) -> None:
        super().__init__(FONT_MISSING_MESSAGE)


# ---------------------------------------------------------------------------------- fonts


def _simplified_face(path: pathlib.Path) -> int:
    """In a font collection, the face whose family name says SC (简体); else the first."""
    if path.suffix.lower() not in (".ttc", ".otc"):
        return 0
    with TTCollection(str(path), lazy=True) as collection:
        for index, font in enumerate(collection.fonts):
            family = font["name"].getDebugName(16) or font["name"].getDebugName(1) or ""
            if "SC" in family:
                return index
    return 0


def _configured_font() -> tuple[pathlib.Path, int] | None:
    """DANGJIAN_PDF_FONT = "/path/font.ttc" or "/path/font.ttc#2" (collection index)."""
    value = str(getattr(settings, FONT_SETTING, "") or "")
    if not value:
        return None
    name, _, index = value.rpartition("#")
    if not (name and index.isdigit()):
        name, index = value, ""
    path = pathlib.Path(name)
    if not path.is_file():
        raise PdfFontMissing()  # configured but missing: an error, never a silent fallback
    return path, int(index) if index else _simplified_face(path)


@functools.lru_cache(maxsize=1)
def find_cjk_font() -> tuple[pathlib.Path, int]:
    """The regular CJK font as (path, collection index): the setting, then known places."""
    configured = _configured_font()
    if configured:
        return configured
    for regular, _ in KNOWN_FONTS:
        path = pathlib.Path(regular)
        if path.is_file():
            return path, _simplified_face(path)
    raise PdfFontMissing()


@functools.lru_cache(maxsize=1)
def find_cjk_bold_font() -> tuple[pathlib.Path, int]:
    """The bold face next to the regular one when installed; else the regular face."""
    regular, index = find_cjk_font()
    for known, bold in KNOWN_FONTS:
        if bold and pathlib.Path(known) == regular and pathlib.Path(bold).is_file():
            return pathlib.Path(bold), _simplified_face(pathlib.Path(bold))
    return regular, index


def clear_font_cache() -> None:
    """Forget the fonts found (after the setting changes, and in tests)."""
    find_cjk_font.cache_clear()
    find_cjk_bold_font.cache_clear()


# ------------------------------------------------------------------------------- document


def fmt_date(value: dt.date | None) -> str:
    """Dates in both forms: 2019.07.01."""
    return f"{value:%Y.%m.%d}" if value else ""


def fmt_sign_date(value: dt.date) -> str:
    """The date beside the signatures: 2026年1月2日."""
    return f"{value.year}年{value.month}月{value.day}日"


class FormPdf(FPDF):
    """A4 form with the Chinese font loaded and a footer: who printed it, when, page X of Y."""

    def __init__(self, *, orientation: str, title: str, printed_by: str) -> None:
        super().__init__(orientation=orientation, unit="mm", format="A4")
        self.printed_at = timezone.localtime().replace(microsecond=0)
        self.printed_by = printed_by
        regular, bold = find_cjk_font(), find_cjk_bold_font()
        self.add_font(FAMILY, "", regular[0], collection_font_number=regular[1])
        self.add_font(FAMILY, "B", bold[0], collection_font_number=bold[1])
        self.set_title(title)
        self.set_creator("dangjian")
        self.set_producer("dangjian")
        self.set_lang("zh-CN")
        self.set_creation_date(self.printed_at)
        self.set_margins(15 if orientation == "P" else 10, 12)
        self.set_auto_page_break(True, margin=16)
        self.add_page()

    def footer(self) -> None:
        self.set_y(-12)
        self.set_font(FAMILY, size=8)
        self.set_text_color(90)
        note = f"打印人：{self.printed_by}  打印时间：{self.printed_at:%Y.%m.%d %H:%M}"
        self.cell(self.epw / 2, 5, note, align="L")
        self.cell(self.epw / 2, 5, f"第 {self.page_no()} 页 共 {{nb}} 页", align="R")
        self.set_text_color(0)

    def title_line(self, text: str) -> None:
        self.set_font(FAMILY, "B", 18)
        self.cell(0, 12, text, align="C", new_x="LMARGIN", new_y="NEXT")

    def note_line(self, text: str, *, size: float = 10, height: float = 7) -> None:
        self.set_font(FAMILY, size=size)
        self.cell(0, height, text, new_x="LMARGIN", new_y="NEXT")

    def signatures(self, parts: Sequence[str]) -> None:
        """One line of signature fields, kept together on one page."""
        self.set_font(FAMILY, size=10.5)
        with self.unbreakable() as doc:
            doc.ln(6)
            for part in parts:
                doc.cell(doc.epw / len(parts), 8, part)
            doc.ln(8)

    def to_bytes(self) -> bytes:
        return bytes(self.output())


def _headings(row: Row, names: Sequence[str]) -> None:
    """Column headings are centred whatever the alignment of the column below."""
    for name in names:
        row.cell(name, align="C")


def _pairs(row: Row, pairs: Sequence[tuple[str, str, int]]) -> None:
    """Label/value cell pairs (label shaded); the number is the value's column span."""
    for label, value, span in pairs:
        row.cell(label, align="C", style=LABEL)
        row.cell(value, colspan=span, align="C" if span == 1 else "L")


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
    pdf.set_font(FAMILY, size=10)
    with pdf.table(
        col_widths=EVENT_COLUMNS,
        headings_style=HEADING,
        line_height=5,
        min_row_height=8,
        padding=(1, 1.2),
        text_align=("C", "C", "L", "L"),
        wrapmode=WrapMode.CHAR,
    ) as table:
        _headings(table.row(), ["日期", "变动类型", "党组织", "说明"])
        empty = True
        for event in events:
            place = event.org.name if event.org else event.counterpart
            row = [fmt_date(event.effective_date), event.get_kind_display(), place]
            table.row([*row, _event_note(event)])
            empty = False
        if empty:
            table.row().cell("（无记录）", colspan=4, align="C")


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
    pdf.set_font(FAMILY, size=9)
    with pdf.table(
        col_widths=[width for _, width, _ in ROSTER_COLUMNS],
        headings_style=HEADING,
        line_height=4.5,
        min_row_height=7,
        padding=(0.8, 0.8),
        text_align=[align for _, _, align in ROSTER_COLUMNS],
        wrapmode=WrapMode.CHAR,
    ) as table:
        _headings(table.row(), [name for name, _, _ in ROSTER_COLUMNS])
        for number, member in enumerate(members, start=1):
            table.row(_roster_row(number, member, full))
