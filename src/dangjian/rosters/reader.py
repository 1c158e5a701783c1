"""Opening an uploaded roster safely and finding its table (表头 and data rows).

.xlsx, .xls and .csv are read; anything else is refused by its content, not its name. Before a
workbook is parsed its zip directory is checked (size, compression ratio: zip bombs) and its XML
parts are refused if they declare a DTD (entity bombs); the parts we read ourselves go through
defusedxml. Cells are read by calamine (Rust, read-only, about 20 times faster than openpyxl).
"""

from __future__ import annotations

import csv
import io
import re
import zipfile
from dataclasses import dataclass, field
from typing import Any

import python_calamine
from defusedxml import ElementTree as SafeET
from django.conf import settings
from django.template.defaultfilters import filesizeformat
from openpyxl.utils import column_index_from_string

from dangjian.core.exceptions import DomainError
from dangjian.rosters.columns import BY_KEY, IGNORED_HEADERS, column_for, normalize_header
from dangjian.rosters.parsing import Cell, is_blank

OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ZIP_MAGIC = b"PK\x03\x04"
MAX_RATIO = 200  # an honest worksheet compresses 10–30 times; a zip bomb thousands
MAX_ZIP_ENTRIES = 2000
HEADER_SCAN_ROWS = 20


class RosterFileError(DomainError):
    """The file as a whole cannot be read as a roster."""


@dataclass
class Table:
    """The roster found in a file: where its header is and its data rows."""

    sheet: str
    header_row: int  # as Excel numbers rows (1-based)
    columns: dict[str, int]  # column key → 0-based position
    headers: dict[str, str]  # column key → the header as written in the file
    ignored: list[str] = field(default_factory=list)
    rows: list[tuple[int, list[Cell]]] = field(default_factory=list)  # (Excel row, cells)
    formulas: bool = False  # the sheet has formulas: a blank cell may be an uncomputed one
    error_cells: set[tuple[int, int]] = field(default_factory=set)  # (row, 0-based column)


def max_bytes() -> int:
    return int(settings.DANGJIAN_IMPORT_MAX_BYTES)


def size_limit_label() -> str:
    return str(filesizeformat(max_bytes())).replace("\xa0", " ")


def read_roster(data: bytes, filename: str) -> Table:
    """The roster table in an uploaded file, or RosterFileError saying why it cannot be read."""
    if len(data) > max_bytes():
        raise RosterFileError(
            f"文件大小 {filesizeformat(len(data))}，超过上限 {size_limit_label()}；"
            "请按党组织分成几个文件导入。"
        )
    if not data:
        raise RosterFileError("文件是空的。")
    sheets = _sheets(data, filename)
    for name, rows, merged in sheets:
        table = _find_table(name, rows)
        if table is not None:
            _fill_merged(rows, merged, table.header_row)
            table.rows = _data_rows(rows, table)
            if data.startswith(ZIP_MAGIC):
                table.formulas, table.error_cells = _formula_cells(data, name)
            return table
    raise RosterFileError(
        "没有找到花名册的表头：表头行应包含「姓名」「公民身份号码」等列名"
        "（可以先下载导入模板，把数据复制进去）。"
    )


def _sheets(data: bytes, filename: str) -> list[tuple[str, list[list[Cell]], list[Any]]]:
    if data.startswith(ZIP_MAGIC):
        _check_zip(data)
        return _calamine_sheets(data)
    if data.startswith(OLE_MAGIC):
        if filename.lower().endswith((".doc", ".ppt", ".wps")):
            raise RosterFileError("这不是 Excel 表格文件，请上传 .xlsx、.xls 或 .csv 文件。")
        return _calamine_sheets(data)  # .xls (Excel 97–2003) and WPS .et
    if filename.lower().endswith((".csv", ".txt")):
        return [("CSV", _csv_rows(data), [])]
    raise RosterFileError(
        "无法识别的文件格式：请上传 Excel 工作簿（.xlsx 或 .xls）或 CSV 文件。"
        "WPS 表格请选择「另存为」→「Excel 工作簿(*.xlsx)」。"
    )


def _check_zip(data: bytes) -> None:
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile:
        raise RosterFileError("文件已损坏，无法打开；请在 Excel/WPS 中重新保存后再上传。") from None
    with archive:
        entries = archive.infolist()
        names = {e.filename for e in entries}
        if "xl/workbook.xml" not in names:
            raise RosterFileError(
                "这不是 Excel 工作簿（可能是 Word 文档或其他压缩文件），请上传 .xlsx 文件。"
            )
        total = sum(e.file_size for e in entries)
        if len(entries) > MAX_ZIP_ENTRIES or total > max_bytes() * MAX_RATIO:
            raise RosterFileError("文件解压后异常巨大（疑似压缩炸弹），已拒绝。")
        for entry in entries:
            if entry.file_size > 1_000_000 and entry.file_size > MAX_RATIO * max(
                entry.compress_size, 1
            ):
                raise RosterFileError("文件中有压缩比异常的部分（疑似压缩炸弹），已拒绝。")
            if entry.filename.endswith((".xml", ".rels")):
                _check_xml_prolog(archive, entry)
        try:
            SafeET.fromstring(archive.read("xl/workbook.xml"))
        except Exception:
            raise RosterFileError("工作簿结构不正确或含有不安全的 XML 内容，已拒绝。") from None


def _check_xml_prolog(archive: zipfile.ZipFile, entry: zipfile.ZipInfo) -> None:
    """No DTD, hence no entity declarations: Office never writes one, entity bombs need one."""
    with archive.open(entry) as stream:
        head = stream.read(65536)
    if b"<!DOCTYPE" in head or b"<!ENTITY" in head:
        raise RosterFileError("文件中含有不安全的 XML 内容（DTD/实体声明），已拒绝。")


CELL_TAG = re.compile(rb"<c\s[^>]*>")
CELL_REF = re.compile(rb'\br="([A-Z]+)([0-9]+)"')
RELS_NS = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}id"


def _formula_cells(data: bytes, sheet: str) -> tuple[bool, set[tuple[int, int]]]:
    """calamine reads an error value (#REF!, #N/A) as an empty cell and gives no formulas:
    one pass over the sheet's XML finds both, so the messages can say what really happened."""
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        path = _sheet_path(archive, sheet)
        if path is None:
            return False, set()
        formulas, errors, tail = False, set(), b""
        with archive.open(path) as stream:
            while chunk := stream.read(1 << 20):
                text = tail + chunk
                formulas = formulas or b"<f>" in text or b"<f " in text
                for tag in CELL_TAG.findall(text):
                    ref = CELL_REF.search(tag)
                    if b't="e"' in tag and ref:
                        errors.add((int(ref[2]), column_index_from_string(ref[1].decode()) - 1))
                tail = text[-300:]
    return formulas, errors


def _sheet_path(archive: zipfile.ZipFile, sheet: str) -> str | None:
    workbook = SafeET.fromstring(archive.read("xl/workbook.xml"))
    rels = SafeET.fromstring(archive.read("xl/_rels/workbook.xml.rels"))
    targets = {r.get("Id"): r.get("Target", "") for r in rels}
    for node in workbook.iter():
        if node.tag.endswith("}sheet") and node.get("name") == sheet:
            target = targets.get(node.get(RELS_NS), "")
            return target.lstrip("/") if target.startswith("/") else f"xl/{target}"
    return None


def _calamine_sheets(data: bytes) -> list[tuple[str, list[list[Cell]], list[Any]]]:
    try:
        workbook = python_calamine.CalamineWorkbook.from_filelike(io.BytesIO(data))
    except Exception:
        raise RosterFileError(
            "无法读取该 Excel 文件（文件损坏或已加密）；请在 Excel/WPS 中取消密码并重新保存后上传。"
        ) from None
    result = []
    for index, name in enumerate(workbook.sheet_names):
        try:
            sheet = workbook.get_sheet_by_index(index)
            rows = sheet.to_python(skip_empty_area=False)
            merged = sheet.merged_cell_ranges or []
        except Exception:  # a chart sheet or a damaged sheet: try the next one
            continue
        result.append((name, rows, merged))
    return result


def _csv_rows(data: bytes) -> list[list[Cell]]:
    # Excel and WPS in China save CSV as GBK unless asked for UTF-8.
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            content = data.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise RosterFileError("CSV 文件的编码无法识别，请另存为 UTF-8 编码的 CSV 或 .xlsx 文件。")
    dialect = csv.excel_tab if content.count("\t") > content.count(",") else csv.excel
    return [list(row) for row in csv.reader(io.StringIO(content), dialect)]


def _find_table(sheet: str, rows: list[list[Cell]]) -> Table | None:
    for index, row in enumerate(rows[:HEADER_SCAN_ROWS]):
        columns: dict[str, int] = {}
        headers: dict[str, str] = {}
        ignored: list[str] = []
        for position, cell in enumerate(row):
            if is_blank(cell):
                continue
            key = column_for(str(cell))
            if key is None or key in columns:
                if normalize_header(str(cell)) not in IGNORED_HEADERS:
                    ignored.append(str(cell).strip())
                continue
            columns[key], headers[key] = position, str(cell).strip()
        if "name" in columns and "id_number" in columns:
            missing = [BY_KEY[k].header for k in _required() if k not in columns]
            if missing:
                raise RosterFileError(
                    f"工作表「{sheet}」第 {index + 1} 行的表头缺少必填列：{'、'.join(missing)}。"
                )
            return Table(sheet, index + 1, columns, headers, ignored)
    return None


def _required() -> list[str]:
    return [key for key, column in BY_KEY.items() if column.required]


def _fill_merged(rows: list[list[Cell]], merged: list[Any], header_row: int) -> None:
    """A merged block (所在党组织 spanning one branch's rows) gives every row its value."""
    for (top, left), (bottom, right) in merged:
        if top < header_row:  # the title or the header itself
            continue
        value = rows[top][left] if left < len(rows[top]) else None
        for r in range(top, min(bottom, len(rows) - 1) + 1):
            for c in range(left, min(right, len(rows[r]) - 1) + 1):
                rows[r][c] = value


def _data_rows(rows: list[list[Cell]], table: Table) -> list[tuple[int, list[Cell]]]:
    positions = list(table.columns.values())
    result = []
    for index in range(table.header_row, len(rows)):
        row = rows[index]
        if all(is_blank(row[p]) if p < len(row) else True for p in positions):
            continue  # blank rows (often trailing) are not data
        result.append((index + 1, row))
    return result
