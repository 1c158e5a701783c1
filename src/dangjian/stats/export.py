"""The standard report as an .xlsx (党内统计表), one section per table; 单位建立党组织情况 on a
sheet of its own."""

from __future__ import annotations

import io

from openpyxl import Workbook
from openpyxl.styles import Font

from dangjian.core.spreadsheet import text_cell
from dangjian.stats.coverage import CoverageRow
from dangjian.stats.queries import CrossTab
from dangjian.stats.reports import Report

BOLD = Font(bold=True)


COVERAGE_HEADERS = [
    "单位类别",
    "单位数",
    "具备建立党组织条件",
    "其中单独建立党组织",
    "联合建立",
    "未建立",
    "覆盖率",
]


def report_workbook(report: Report, coverage: list[CoverageRow], threshold: int) -> bytes:
    """党内统计表; `coverage` is unit_coverage() for the same organization and date, `threshold`
    the 正式党员 a unit needs (min_full_members())."""
    wb = Workbook()
    ws = wb.active
    ws.title = "党内统计"
    ws.column_dimensions["A"].width = 32
    ws.append([text_cell(ws, f"{report.org.name} 党内统计（截至 {report.on:%Y-%m-%d}）")])
    ws["A1"].font = Font(bold=True, size=14)
    ws.append(["党员总数", report.total])
    for breakdown in report.breakdowns:
        _section(ws, breakdown.title, ["人数", "占比"])
        for label, n in breakdown.rows:
            ws.append([label, n, round(n / report.total, 4) if report.total else 0])
            ws.cell(ws.max_row, 3).number_format = "0.0%"
    start, end = report.period
    _section(ws, f"发展党员（{start:%Y-%m-%d} 至 {end:%Y-%m-%d}）", ["人数"])
    for key, label in (
        ("total", "发展党员"),
        ("women", "其中女性"),
        ("under_35", "其中35岁及以下"),
        ("higher_education", "其中大专及以上"),
    ):
        ws.append([label, report.developed[key]])
    ws.append(["转为正式党员", report.converted])
    _section(ws, "基层组织", ["个数"])
    for label, n in report.org_kinds:
        ws.append([label, n])
    ws.append(["任期届满应换届", report.due_reelection])
    _section(ws, "下级组织党员数", ["人数"])
    for child, n in report.children:
        ws.append([text_cell(ws, child.name), n])
    _coverage_sheet(wb, report, coverage, threshold)
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def _section(ws, title: str, headers: list[str]) -> None:  # type: ignore[no-untyped-def]
    ws.append([])
    ws.append([title, *headers])
    for cell in ws[ws.max_row]:
        cell.font = BOLD


def _coverage_sheet(wb: Workbook, report: Report, rows: list[CoverageRow], threshold: int) -> None:
    """单位建立党组织情况: the rate as a fraction shown as a percentage, empty without eligible
    units."""
    ws = wb.create_sheet("单位建立党组织情况")
    ws.column_dimensions["A"].width = 16
    for column in "BCDEFG":
        ws.column_dimensions[column].width = 14
    ws.append([text_cell(ws, f"{report.org.name} 单位建立党组织情况（截至 {report.on:%Y-%m-%d}）")])
    ws["A1"].font = Font(bold=True, size=14)
    ws.append([f"具备建立党组织条件：有正式党员 {threshold} 名以上（《中国共产党章程》第三十条）"])
    ws.append(COVERAGE_HEADERS)
    for cell in ws[ws.max_row]:
        cell.font = BOLD
    for r in rows:
        rate = None if r.rate is None else round(r.rate / 100, 3)
        ws.append([r.label, r.units, r.eligible, r.own, r.joint, r.missing, rate])
        ws.cell(ws.max_row, 7).number_format = "0.0%"
        if not r.category:
            for cell in ws[ws.max_row]:
                cell.font = BOLD


def query_workbook(table: CrossTab, title: str, row_title: str, col_title: str) -> bytes:
    """综合查询: the cross-tab as on the page (a title naming organization, date and filters,
    then the table with its totals)."""
    wb = Workbook()
    ws = wb.active
    ws.title = "综合查询"
    ws.column_dimensions["A"].width = 32
    ws.append([title])
    ws["A1"].font = Font(bold=True, size=14)
    ws.append([f"{row_title} \\ {col_title}", *table.cols, "合计"])
    for cell in ws[ws.max_row]:
        cell.font = BOLD
    for label, cells, total in table.grid:
        ws.append([label, *cells, total])
    ws.append(["合计", *table.col_totals, table.total])
    for cell in ws[ws.max_row]:
        cell.font = BOLD
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()
