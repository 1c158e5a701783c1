"""The broken-roster corpus: every problem reported with row, column and a Chinese message,
nothing written, and the corrected file then imports."""

from __future__ import annotations

import datetime as dt
import io
import zipfile
from collections.abc import Callable
from typing import Any

import pytest

from dangjian.members.models import Member
from dangjian.rosters.models import ImportBatch
from dangjian.rosters.testing import HEADERS, roster_row, xlsx
from dangjian.rosters.tests.test_import_roster import confirm, upload
from dangjian.testing import make_id_number

Row = dict[str, Any]


def _numeric_id(row: Row) -> None:
    row["公民身份号码"] = float(row["公民身份号码"][:17] + "0")  # how Excel keeps a typed number


def _old_id(row: Row) -> None:
    row["公民身份号码"] = "110105850314123"


def _bad_checksum(row: Row) -> None:
    number = row["公民身份号码"]
    row["公民身份号码"] = number[:17] + ("1" if number[17] != "1" else "2")


CORPUS: list[tuple[str, Callable[[Row], None], str, str]] = [
    ("number id", _numeric_id, "公民身份号码", "Excel 只保留 15 位有效数字"),
    (
        "csv-rounded id",
        lambda r: r.update(公民身份号码="1.10105E+17"),
        "公民身份号码",
        "15 位有效数字",
    ),
    ("15-digit id", _old_id, "公民身份号码", "15 位旧身份证号码"),
    ("checksum", _bad_checksum, "公民身份号码", "校验码"),
    ("masked id", lambda r: r.update(公民身份号码="1101**********1234"), "公民身份号码", "脱敏"),
    ("blank name", lambda r: r.update(姓名=None), "姓名", "不能为空"),
    ("digit in name", lambda r: r.update(姓名="张3"), "姓名", "「3」"),
    ("gender word", lambda r: r.update(性别="未知"), "性别", "「未知」不是可选的值"),
    ("gender vs id", lambda r: r.update(性别="男"), "公民身份号码", "性别为「女」"),
    ("ethnicity", lambda r: r.update(民族="火星族"), "民族", "民族全称"),
    ("education", lambda r: r.update(学历="幼儿园"), "学历", "研究生、大学本科"),
    ("month only", lambda r: r.update(入党日期="2010.07"), "入党日期", "只有年月"),
    ("impossible date", lambda r: r.update(入党日期="2010-02-30"), "入党日期", "不是有效的日期"),
    ("garbage date", lambda r: r.update(入党日期="七月一日"), "入党日期", "无法识别"),
    ("future date", lambda r: r.update(入党日期="2099-07-01"), "入党日期", "合理范围"),
    ("too young", lambda r: r.update(入党日期=dt.date(1995, 1, 1)), "入党日期", "年满 18"),
    (
        "full before join",
        lambda r: r.update(转正日期=dt.date(2009, 1, 1)),
        "转正日期",
        "不能早于入党",
    ),
    ("full without date", lambda r: r.update(转正日期=None), "转正日期", "正式党员须填写转正日期"),
    ("birth vs id", lambda r: r.update(出生日期=dt.date(1985, 3, 15)), "公民身份号码", "不一致"),
    ("unknown org", lambda r: r.update(所在党组织="西街党支部"), "所在党组织", "「西街党支部」"),
    ("org out of range", lambda r: r.update(所在党组织="河口村党支部"), "所在党组织", "没有名为"),
    ("formula error", lambda r: r.update(籍贯="#REF!"), "籍贯", "#REF!"),
    ("masked phone", lambda r: r.update(联系电话="138****5678"), "联系电话", "脱敏"),
    ("bad phone", lambda r: r.update(联系电话="打电话"), "联系电话", "格式不正确"),
]


@pytest.mark.parametrize(
    ("label", "breaks", "header", "message"), CORPUS, ids=[c[0] for c in CORPUS]
)
def test_broken_row_is_named_and_nothing_is_written(
    cast: Any, label: str, breaks: Callable[[Row], None], header: str, message: str
) -> None:
    rows = [roster_row("陈建国"), roster_row("刘秀英", gender="女", birth=dt.date(1990, 1, 2))]
    breaks(rows[1])
    batch = upload(cast, xlsx(rows))
    assert batch.status == ImportBatch.Status.INVALID
    [error] = batch.preview["errors"]
    assert (error["sheet"], error["row"]) == ("党员花名册", 3)
    assert header in error["column"] and message in error["message"], error
    assert not Member.objects.filter(name__in=["陈建国", "刘秀英"]).exists()


def test_invalid_batch_cannot_be_confirmed_and_the_fixed_file_imports(cast: Any) -> None:
    rows = [roster_row("陈建国"), roster_row("刘秀英", gender="女", birth=dt.date(1990, 1, 2))]
    rows[1]["入党日期"] = "2010.07"
    bad = upload(cast, xlsx(rows))
    with pytest.raises(Exception, match="不能确认导入"):
        confirm(cast, bad)
    rows[1]["入党日期"] = "2010.07.01"
    assert confirm(cast, upload(cast, xlsx(rows))).result["added"] == 2


def test_duplicate_id_numbers_in_the_file_are_both_reported(cast: Any) -> None:
    rows = [roster_row("陈建国"), roster_row("陈建华")]
    rows[1]["公民身份号码"] = rows[0]["公民身份号码"]
    batch = upload(cast, xlsx(rows))
    assert [e["message"] for e in batch.preview["errors"]] == [
        "与第 3 行的公民身份号码重复。",
        "与第 2 行的公民身份号码重复。",
    ]
    assert batch.preview["counts"]["add"] == 0


def test_id_registered_in_another_county_is_refused_without_naming_it(cast: Any) -> None:
    row = roster_row("赵强")
    row["公民身份号码"] = cast.far_member.reveal_id_number()
    [error] = upload(cast, xlsx([row])).preview["errors"]
    assert "管理范围以外" in error["message"] and "远山" not in error["message"]


def test_member_in_scope_but_outside_the_target_is_not_moved(cast: Any) -> None:
    row = roster_row("王芳", gender="女", birth=dt.date(1990, 5, 2))
    row.update(公民身份号码=cast.neighbour.reveal_id_number(), 所在党组织=None)
    [error] = upload(cast, xlsx([row])).preview["errors"]
    assert "河口村党支部" in error["message"] and "不在本次导入的范围" in error["message"]


def test_real_world_layout_is_understood(cast: Any) -> None:
    """Title row merged above, headers reordered with spaces and full-width letters, dates as
    text, numbers and Excel serials, a padded two-character name, blank trailing rows."""
    headers = ["序号", " 姓　名 ", "身份证号", "性别", "民族", "学历＊", "人员类别", "入党时间",
               "转正时间", "所在支部", "备注"]  # fmt: skip
    rows = [
        roster_row("张  伟", 序号=1, 入党日期="2010年7月1日", 转正日期="2011.7.1"),
        roster_row("刘丽", gender="女", birth=dt.date(1990, 1, 2), 序号=2, 入党日期=20150701,
                   转正日期=42552),  # 42552 is 2016-07-01 as Excel counts days
        roster_row("马 · 木沙", 序号=3, 入党日期="2012-7-1", 转正日期="2013/07/01"),
        {}, {},
    ]  # fmt: skip
    batch = upload(cast, xlsx(rows, headers=headers, title="东街社区党支部党员花名册"))
    assert batch.status == ImportBatch.Status.READY, batch.preview["errors"]
    assert batch.preview["header_row"] == 2 and batch.preview["ignored_headers"] == []
    confirm(cast, batch)
    assert Member.objects.get(name="刘丽").full_date == dt.date(2016, 7, 1)
    assert Member.objects.filter(name__in=["张伟", "马·木沙"]).count() == 2


def test_merged_org_cells_apply_to_every_row_of_the_block(cast: Any) -> None:
    rows = [roster_row(n, birth=dt.date(1980, 1, i + 1)) for i, n in enumerate(["甲一", "乙二"])]
    rows[1]["所在党组织"] = None
    data = xlsx(rows)
    from openpyxl import load_workbook

    wb = load_workbook(io.BytesIO(data))
    column = HEADERS.index("所在党组织") + 1
    wb.active.merge_cells(start_row=2, start_column=column, end_row=3, end_column=column)
    buffer = io.BytesIO()
    wb.save(buffer)
    batch = upload(cast, buffer.getvalue(), org=cast.county)
    assert batch.status == ImportBatch.Status.READY, batch.preview["errors"]


def test_formula_cells_use_their_saved_values_and_unsaved_ones_are_explained(cast: Any) -> None:
    row = roster_row("陈建国")
    row["学历"] = '=IF(1=1,"大学本科","")'  # openpyxl saves no computed value
    [error] = upload(cast, xlsx([row])).preview["errors"]
    assert "不能为空" in error["message"] and "公式" in error["message"]


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("a.xlsx", b"", "文件是空的"),
        ("a.docx", b"PK\x03\x04" + b"\0" * 40, "已损坏"),
        ("a.pdf", b"%PDF-1.7 ...", "无法识别的文件格式"),
        ("a.xlsx", xlsx([], headers=["甲", "乙"]), "没有找到花名册的表头"),
        ("a.xlsx", xlsx([], headers=["姓名", "公民身份号码"]), "缺少必填列：性别、民族"),
    ],
)
def test_unreadable_files_get_one_clear_message(
    cast: Any, name: str, content: bytes, message: str
) -> None:
    batch = upload(cast, content, name=name)
    assert batch.status == ImportBatch.Status.INVALID and message in batch.message


def test_other_zip_files_are_not_taken_for_workbooks(cast: Any) -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("word/document.xml", "<w/>")
    assert "这不是 Excel 工作簿" in upload(cast, buffer.getvalue(), name="a.xlsx").message


def test_zip_bomb_is_refused_before_parsing(cast: Any) -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/workbook.xml", "<workbook/>")
        archive.writestr("xl/worksheets/sheet1.xml", b"\0" * 50_000_000)
    assert "压缩炸弹" in upload(cast, buffer.getvalue()).message


def test_xml_entity_bomb_is_refused(cast: Any) -> None:
    source = zipfile.ZipFile(io.BytesIO(xlsx([roster_row()])))
    buffer = io.BytesIO()
    laughs = (b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
              b'<!ENTITY lol2 "&lol;&lol;&lol;&lol;">]>')  # fmt: skip
    with zipfile.ZipFile(buffer, "w") as archive:
        for item in source.infolist():
            body = source.read(item)
            if item.filename == "xl/workbook.xml":
                body = laughs + body.split(b"?>", 1)[-1]
            archive.writestr(item, body)
    assert "DTD" in upload(cast, buffer.getvalue()).message


def test_file_over_the_size_limit_is_refused(cast: Any, settings: Any) -> None:
    settings.DANGJIAN_IMPORT_MAX_BYTES = 1000
    with pytest.raises(Exception, match="超过"):
        upload(cast, xlsx([roster_row()]))


def test_id_number_with_x_and_lower_case_is_accepted(cast: Any) -> None:
    for _ in range(30):  # find a synthetic number whose check character is X
        number = make_id_number(dt.date(1985, 3, 14))
        if number.endswith("X"):
            break
    else:
        pytest.skip("no X check digit in 30 tries")
    row = roster_row("陈建国", 公民身份号码=number.lower())
    assert upload(cast, xlsx([row])).status == ImportBatch.Status.READY
