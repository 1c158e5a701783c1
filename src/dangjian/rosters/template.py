"""The roster import template (导入模板): headers, drop-down lists and an instruction sheet."""

from __future__ import annotations

import io

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter, quote_sheetname
from openpyxl.worksheet.datavalidation import DataValidation

from dangjian.rosters.columns import TEMPLATE_COLUMNS

TEMPLATE_ROWS = 5000  # rows that get drop-downs and text format
REQUIRED_FONT = Font(bold=True, color="C00000")
HEADER_FILL = PatternFill("solid", fgColor="F2DCDB")
TEXT = "@"
NOTES = [
    "每行填写一名党员；第一行为表头，请勿修改列名（列的顺序可以调整，可删去选填列）。",
    "红色列名为必填项。按「公民身份号码」识别党员：系统中已有的党员更新基本信息，没有的新建档案。",
    "导入前会先校验全部数据并给出预览，确认后才写入；有任何错误时不会写入任何数据。",
    "公民身份号码须为 18 位，该列须为「文本」格式（模板已设置），否则 Excel 会把后三位变成 0。",
    "日期写到日：2019-07-01、2019.07.01、2019年7月1日 均可；只有年月的日期无法导入。",
    "少数民族姓名中的间隔号请使用「·」，如「阿卜杜·热合曼」。",
    "「所在党组织」须与系统中的党组织名称一致；不填时导入到上传时选择的党组织。",
    "党员的组织关系调整、转正以外的党籍变动、出党和去世，请在党员档案中登记，不能通过导入修改。",
]


def template_workbook() -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.title = "党员花名册"
    lists = wb.create_sheet("代码表")
    lists.sheet_state = "hidden"
    for index, column in enumerate(TEMPLATE_COLUMNS, start=1):
        letter = get_column_letter(index)
        cell = ws.cell(row=1, column=index, value=column.header)
        cell.fill = HEADER_FILL
        cell.font = REQUIRED_FONT if column.required else Font(bold=True)
        ws.column_dimensions[letter].width = column.width + 2
        if column.key in {"id_number", "phone"}:
            for row in range(2, TEMPLATE_ROWS + 2):
                ws.cell(row=row, column=index).number_format = TEXT
        if column.choices:
            _drop_down(ws, lists, index, letter, column.header, column.choices)
    ws.freeze_panes = "A2"
    _instructions(wb)
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def _drop_down(ws, lists, index: int, letter: str, header: str, choices: tuple[str, ...]) -> None:  # type: ignore[no-untyped-def]
    for row, label in enumerate(choices, start=1):
        lists.cell(row=row, column=index, value=label)
    source = f"{quote_sheetname('代码表')}!${letter}$1:${letter}${len(choices)}"
    rule = DataValidation(type="list", formula1=source, allow_blank=True, showErrorMessage=True)
    rule.error, rule.errorTitle = f"请从下拉列表中选择{header}。", "输入值无效"
    ws.add_data_validation(rule)
    rule.add(f"{letter}2:{letter}{TEMPLATE_ROWS + 1}")


def _instructions(wb: Workbook) -> None:
    sheet = wb.create_sheet("填写说明")
    sheet.column_dimensions["A"].width = 18
    sheet.column_dimensions["B"].width = 8
    sheet.column_dimensions["C"].width = 80
    sheet.append(["党员花名册导入模板 · 填写说明"])
    sheet["A1"].font = Font(bold=True, size=14)
    for note in NOTES:
        sheet.append(["", "", note])
    sheet.append([])
    sheet.append(["列名", "必填", "说明"])
    for column in TEMPLATE_COLUMNS:
        sheet.append([column.header, "是" if column.required else "", column.note])
    for row in sheet.iter_rows(min_row=2):
        row[2].alignment = Alignment(wrap_text=True, vertical="top")
