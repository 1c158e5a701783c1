"""打印: the one toolkit every printed form is drawn with (fpdf2, A4, the server's CJK font).

- `FormPdf(orientation="P"|"L", title=..., printed_by=...)`: an A4 page with the Chinese font
  loaded (regular and bold), the title in the PDF's metadata and a footer on every page: who
  printed it, when (Beijing time), 第 X 页 共 Y 页.
- On it: `title_line`, `note_line`, `paragraph`, `signatures`, `cut_line`, `grid_table` (a table
  whose text wraps by character and whose header row repeats on every page), `draw_qr`.
- `headings(row, names)` / `pairs(row, ...)` fill fpdf2 table rows the way the paper forms do.
- `qr_svg(text)`: the same QR code as inline SVG, for pages.

Chinese text needs a CJK font on the server; it is found locally (no download) and embedded as
a subset, so the file opens anywhere. This module only draws: callers check permissions, mask
personal data and write the audit entry.
"""

from __future__ import annotations

import copy
import datetime as dt
import functools
import pathlib
import threading
from collections import defaultdict
from collections.abc import Iterable, Sequence
from typing import Any

import segno
from django.conf import settings
from django.utils import timezone
from fontTools.ttLib import TTCollection, TTFont
from fpdf import FPDF
from fpdf.enums import WrapMode
from fpdf.fonts import FontFace, SubsetMap, TTFFont
from fpdf.table import Row

from dangjian.core.exceptions import DomainError

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
PORTRAIT, LANDSCAPE = "P", "L"


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
    with _PARSED_LOCK:
        _PARSED.clear()


# Reading a CJK font's character map and widths takes about a second (65,000 glyphs), and fpdf2
# does it for every document. The parsed font is kept per process; each document gets a copy
# with its own state (the glyphs it used, a fresh lazily read font file, which the subsetting
# at output cuts down in place) and shares the read-only maps.
_PARSED: dict[tuple[pathlib.Path, int, str], TTFFont] = {}
_PARSED_LOCK = threading.Lock()


def _parsed_font(path: pathlib.Path, index: int, style: str) -> TTFFont:
    key = (path, index, style)
    with _PARSED_LOCK:
        if key not in _PARSED:
            scratch = FPDF()
            scratch.add_font(FAMILY, style, path, collection_font_number=index)
            font = scratch.fonts[f"{FAMILY}{style}"]
            assert isinstance(font, TTFFont)
            _PARSED[key] = font
        return _PARSED[key]


def _document_font(pdf: FPDF, parsed: TTFFont) -> TTFFont:
    """A copy of the parsed font for one document: per-document state fresh, maps shared."""
    font = copy.copy(parsed)
    font.i = len(pdf.fonts) + 1
    font.ttfont = TTFont(
        parsed.ttffile,
        recalcTimestamp=False,
        fontNumber=parsed.collection_font_number,
        lazy=True,
    )
    font.cw = defaultdict(parsed.cw.default_factory, parsed.cw)  # type: ignore[attr-defined]
    font.missing_glyphs = []
    font.biggest_size_pt = 0
    font._hbfont = None
    font.subset = SubsetMap(font)
    return font


# ------------------------------------------------------------------------------ formatting


def fmt_date(value: dt.date | None) -> str:
    """Dates in forms: 2019.07.01."""
    return f"{value:%Y.%m.%d}" if value else ""


def fmt_sign_date(value: dt.date) -> str:
    """The date beside the signatures: 2026年1月2日."""
    return f"{value.year}年{value.month}月{value.day}日"


# ------------------------------------------------------------------------------- document


class FormPdf(FPDF):
    """A4 form with the Chinese font loaded and a footer: who printed it, when, page X of Y."""

    def __init__(self, *, orientation: str = PORTRAIT, title: str, printed_by: str = "") -> None:
        super().__init__(orientation=orientation, unit="mm", format="A4")
        self.printed_at = timezone.localtime().replace(microsecond=0)
        self.printed_by = printed_by
        for style, (path, index) in (("", find_cjk_font()), ("B", find_cjk_bold_font())):
            self._add_parsed_font(style, path, index)
        self.set_title(title)
        self.set_creator("dangjian")
        self.set_producer("dangjian")
        self.set_lang("zh-CN")
        self.set_creation_date(self.printed_at)
        self.set_margins(15 if orientation == PORTRAIT else 10, 12)
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

    def title_line(self, text: str, *, size: float = 18) -> None:
        self.set_font(FAMILY, "B", size)
        self.cell(0, 12, text, align="C", new_x="LMARGIN", new_y="NEXT")

    def note_line(self, text: str, *, size: float = 10, height: float = 7) -> None:
        self.set_font(FAMILY, size=size)
        self.cell(0, height, text, new_x="LMARGIN", new_y="NEXT")

    def paragraph(self, text: str, *, size: float = 10, height: float = 6) -> None:
        """Text over the page's width, wrapped between any two characters (Chinese has no
        spaces to wrap at)."""
        self.set_font(FAMILY, size=size)
        self.multi_cell(
            0, height, text, align="L", wrapmode=WrapMode.CHAR, new_x="LMARGIN", new_y="NEXT"
        )

    def _add_parsed_font(self, style: str, path: pathlib.Path, index: int) -> None:
        """`add_font` from the process's parsed copy (see `_parsed_font`)."""
        font = _document_font(self, _parsed_font(path, index, style))
        self.fonts[f"{FAMILY}{style}"] = font
        if font.is_cff and font.is_cid_keyed:
            self._set_min_pdf_version("1.6")  # as add_font does for CID-keyed CFF fonts

    def signatures(self, parts: Sequence[str]) -> None:
        """One line of signature fields, kept together on one page. (A page-space check, not
        fpdf2's `unbreakable()`, which deep-copies the whole document with its fonts.)"""
        self.set_font(FAMILY, size=10.5)
        if self.will_page_break(6 + 8):
            self.add_page()
        self.ln(6)
        for part in parts:
            self.cell(self.epw / len(parts), 8, part)
        self.ln(8)

    def cut_line(self, label: str = "沿此线剪开") -> None:
        """A dashed line across the page with a small label: where slips are cut apart."""
        y = self.get_y() + 3
        self.set_draw_color(120)
        self.set_dash_pattern(dash=2, gap=1.5)
        self.line(self.l_margin, y, self.l_margin + self.epw, y)
        self.set_dash_pattern()
        self.set_draw_color(0)
        self.set_font(FAMILY, size=7)
        self.set_text_color(120)
        self.set_xy(self.l_margin, y + 0.5)
        self.cell(0, 3, label, align="R", new_x="LMARGIN", new_y="NEXT")
        self.set_text_color(0)
        self.ln(3)

    def grid_table(
        self,
        headings: Sequence[str],
        rows: Iterable[Sequence[str]],
        *,
        col_widths: Sequence[float],
        align: Sequence[str] | str = "C",
        size: float = 9,
        line_height: float = 4.5,
        min_row_height: float = 7,
        padding: tuple[float, float] = (0.8, 0.8),
        empty: str = "",
    ) -> None:
        """A bordered table, headings shaded and repeated on every page, text wrapped by
        character. `empty` is printed across the table when there are no rows."""
        self.set_font(FAMILY, size=size)
        with self.table(
            col_widths=list(col_widths),
            headings_style=HEADING,
            line_height=line_height,
            min_row_height=min_row_height,
            padding=padding,
            text_align=align if isinstance(align, str) else list(align),
            wrapmode=WrapMode.CHAR,
        ) as table:
            headings_row(table.row(), headings)
            drawn = False
            for row in rows:
                table.row(list(row))
                drawn = True
            if not drawn and empty:
                table.row().cell(empty, colspan=len(headings), align="C")

    def draw_qr(self, data: str, *, x: float, y: float, size: float) -> None:
        """A QR code of `data` (a URL or text) as vector squares, `size` mm wide, top left at
        (x, y). Error correction M: a slip may be creased or smudged."""
        draw_qr(self, data, x=x, y=y, size=size)

    def to_bytes(self) -> bytes:
        return bytes(self.output())


def headings_row(row: Row, names: Sequence[str]) -> None:
    """Column headings are centred whatever the alignment of the column below."""
    for name in names:
        row.cell(name, align="C")


def pairs(row: Row, items: Sequence[tuple[str, str, int]]) -> None:
    """Label/value cell pairs (label shaded); the number is the value's column span."""
    for label, value, span in items:
        row.cell(label, align="C", style=LABEL)
        row.cell(value, colspan=span, align="C" if span == 1 else "L")


# ------------------------------------------------------------------------------- QR codes


def _qr(data: str) -> Any:
    # micro=False: phones' camera apps read only full-size QR codes.
    return segno.make(data, error="m", micro=False)


def draw_qr(pdf: FPDF, data: str, *, x: float, y: float, size: float) -> None:
    """Draw the QR code of `data` into `pdf` (any fpdf2 document), `size` mm square including
    the quiet zone, top left at (x, y). Drawn as filled rectangles (one per run of dark modules
    in a row): sharp at any printer resolution, no image library needed."""
    matrix = [list(row) for row in _qr(data).matrix_iter(scale=1, border=4)]
    module = size / len(matrix)
    pdf.set_fill_color(0)
    for r, line in enumerate(matrix):
        c = 0
        while c < len(line):
            if not line[c]:
                c += 1
                continue
            start = c
            while c < len(line) and line[c]:
                c += 1
            pdf.rect(x + start * module, y + r * module, (c - start) * module, module, style="F")
    pdf.set_fill_color(255)


def qr_svg(data: str, *, scale: int = 4, title: str = "", fluid: bool = False) -> str:
    """The QR code of `data` as an inline `<svg>` element (no XML declaration), for pages.
    `fluid`: a viewBox instead of a fixed size, so CSS sizes it to its box (a meeting room's
    screen as well as a phone)."""
    svg = _qr(data).svg_inline(
        scale=scale, title=title or None, border=2, dark="#000", light="#fff", omitsize=fluid
    )
    return str(svg)
