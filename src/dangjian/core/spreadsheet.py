"""Text cells for .xlsx exports that a spreadsheet never runs as a formula."""

from __future__ import annotations

from openpyxl.cell import WriteOnlyCell
from openpyxl.worksheet.worksheet import Worksheet

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def text_cell(ws: Worksheet, value: str) -> WriteOnlyCell | str:
    """`value` as a string cell that Excel/WPS neither evaluate on opening nor on editing.

    Formula-like text (=1+1, +86…, -x, @x) becomes an explicit string cell with Excel's quote
    prefix; a reader gets the text exactly, so an export re-imports unchanged (an apostrophe
    added to the text itself would come back as a change). Works in write-only and normal
    worksheets (`ws.append` takes cells in both).
    """
    if not value.startswith(FORMULA_START):
        return value  # openpyxl writes it as a string already
    cell = WriteOnlyCell(ws, value=value)
    cell.data_type = "s"  # openpyxl took a leading '=' for a formula
    cell.quotePrefix = True  # shown and edited as text
    return cell
