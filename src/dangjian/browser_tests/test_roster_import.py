"""A county organizer imports a roster through the browser: a broken file is refused with the
row, column and reason and writes nothing; the fixed file is previewed, confirmed and written;
the roster exported with full values re-imports with no change; an applied import is undone."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from openpyxl import load_workbook
from playwright.sync_api import expect

from dangjian.browser_tests.conftest import login, screenshot
from dangjian.conftest import PASSWORD, build_cast
from dangjian.members.models import Member
from dangjian.orgs.fields import INDENT
from dangjian.rosters.models import ImportBatch
from dangjian.rosters.testing import roster_row, xlsx

TOWNSHIP = "中共城关镇委员会"
NAMES = ["陈建国", "刘秀英", "马晓东"]


def _rows(**broken: object) -> list[dict[str, object]]:
    """Three good members of 东街社区党支部; `broken` overrides cells of the second row."""
    return [
        roster_row(NAMES[0]),
        roster_row(NAMES[1], gender="女", birth=dt.date(1990, 1, 2), **broken),
        roster_row(NAMES[2], birth=dt.date(1978, 11, 30), 联系电话="13700002222"),
    ]


def _upload(page, path: Path) -> None:
    """花名册导入 → choose the township and the file → 上传并校验 → the batch page."""
    page.click("nav >> text=花名册导入")
    expect(page.locator("h1")).to_have_text("花名册导入")
    page.select_option("#id_org", label=f"{INDENT}中共清河县委员会 / {TOWNSHIP}")  # the path
    page.set_input_files("#id_file", str(path))
    page.click("#upload-form button[type=submit]")
    page.wait_for_url("**/rosters/imports/*/")
    expect(page.locator("#batch-counts")).to_be_visible()  # the check ran (jobs inline)


def _import_fixed_roster(page, tmp_path: Path) -> ImportBatch:
    fixed = tmp_path / "东街花名册.xlsx"
    fixed.write_bytes(xlsx(_rows(), title="东街社区党支部党员花名册"))
    _upload(page, fixed)
    expect(page.locator("#count-add")).to_have_text("3")
    expect(page.locator("#count-update")).to_have_text("0")
    expect(page.locator("#count-errors")).to_have_text("0")
    expect(page.locator("#error-table")).to_have_count(0)
    for name in NAMES:
        expect(page.locator("#add-table")).to_contain_text(name)
    assert not Member.objects.filter(name__in=NAMES).exists()  # a preview writes nothing
    page.click("#confirm-btn")
    expect(page.locator("#batch-result")).to_contain_text("新增 3 人")
    return ImportBatch.objects.get(status=ImportBatch.Status.APPLIED)


def test_import_fix_confirm_export_and_reimport(page, transactional_db, tmp_path):
    cast = build_cast()
    login(page, "county", PASSWORD)

    # 1. A file with one broken cell: every error listed, nothing written, no confirm button.
    broken = tmp_path / "有错误的花名册.xlsx"
    broken.write_bytes(xlsx(_rows(入党日期="2010.07")))
    _upload(page, broken)
    expect(page.locator("#count-errors")).to_have_text("1")
    errors = page.locator("#error-table tbody tr")
    expect(errors).to_have_count(1)
    cells = errors.first.locator("td")
    expect(cells.nth(1)).to_have_text("3")  # header on row 1, 刘秀英 on row 3
    expect(cells.nth(2)).to_contain_text("「入党日期」")
    expect(cells.nth(3)).to_have_text("2010.07")
    expect(cells.nth(4)).to_contain_text("只有年月")
    expect(page.locator("#confirm-btn")).to_have_count(0)
    assert not Member.objects.filter(name__in=NAMES).exists()
    screenshot(page, "roster-01-errors")

    # 2. The corrected file: three to add, confirmed, written.
    batch = _import_fixed_roster(page, tmp_path)
    screenshot(page, "roster-02-applied")
    added = Member.objects.filter(name__in=NAMES)
    assert sorted(added.values_list("name", flat=True)) == sorted(NAMES)
    assert set(added.values_list("org", flat=True)) == {cast.branch.pk}
    assert batch.result == {"added": 3, "updated": 0, "converted": 0}

    # 3. Export the township's members with full values. Opened by URL, not through the
    # filter select: the export form keeps the query string the page was loaded with.
    page.goto(f"/members/?org={cast.township.pk}")
    expect(page.locator("h1")).to_have_text("党员名册")
    expect(page.locator("#member-results tbody tr")).to_have_count(4)
    page.click("#export-full")
    expect(page.locator("#confirm-step")).to_contain_text("无法收回")
    with page.expect_download() as download_info:
        page.click("#confirm-yes")
    download = download_info.value
    exported = tmp_path / download.suggested_filename
    download.save_as(exported)
    assert exported.name.endswith("-完整.xlsx")
    sheet = load_workbook(exported, read_only=True)["党员花名册"]
    rows = list(sheet.iter_rows(min_row=2, values_only=True))
    assert sorted(r[0] for r in rows) == sorted(["李明", *NAMES])
    assert cast.member.reveal_id_number() in {r[3] for r in rows}  # full, not masked

    # 4. The export re-imports as is: nothing to add or change, no error.
    _upload(page, exported)
    expect(page.locator("#count-add")).to_have_text("0")
    expect(page.locator("#count-update")).to_have_text("0")
    expect(page.locator("#count-errors")).to_have_text("0")
    expect(page.locator("#count-same")).to_have_text(str(len(rows)))
    expect(page.locator("#error-table")).to_have_count(0)
    expect(page.locator("#confirm-btn")).to_have_text("确认（不会产生变化）")
    screenshot(page, "roster-03-reimport")
    assert Member.objects.count() == 3 + 3  # the cast's 李明, 王芳, 赵强 and the three
    assert page.js_errors == []


def test_undo_applied_import(page, transactional_db, tmp_path):
    build_cast()
    login(page, "county", PASSWORD)
    batch = _import_fixed_roster(page, tmp_path)
    assert Member.objects.filter(name__in=NAMES).count() == 3

    page.click("#undo-btn")
    expect(page.locator("#confirm-step")).to_contain_text("新增的党员将被删除")
    screenshot(page, "roster-04-undo-confirm")
    page.click("#confirm-yes")
    expect(page.locator("#batch-result")).to_contain_text("撤销")
    expect(page.locator("#undo-btn")).to_have_count(0)
    screenshot(page, "roster-04-undone")
    assert not Member.objects.filter(name__in=NAMES).exists()
    batch.refresh_from_db()
    assert batch.status == ImportBatch.Status.UNDONE
    assert page.js_errors == []
