"""A county organizer opens 党内统计: tables, ECharts charts (from node_modules), drill-down."""

from __future__ import annotations

from playwright.sync_api import expect

from dangjian.browser_tests.conftest import login, screenshot
from dangjian.conftest import PASSWORD, build_cast


def test_report_with_charts_and_drill_down(page, transactional_db):
    build_cast()
    login(page, "county", PASSWORD)
    page.click("nav >> text=党内统计")
    expect(page.locator("#total")).to_have_text("2")
    expect(page.locator("[data-chart=gender] svg")).to_have_count(1)  # ECharts drew it
    screenshot(page, "stats-01-county")
    page.click("#children-table >> text=中共城关镇委员会")
    expect(page.locator("#total")).to_have_text("1")
    expect(page.locator("#table-gender")).to_contain_text("男")
    screenshot(page, "stats-02-township")
    assert page.js_errors == []
