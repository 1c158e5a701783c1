"""A county organizer records 留党察看 on a member's page; the member then has no vote."""

from __future__ import annotations

import datetime as dt

from playwright.sync_api import expect

from dangjian.browser_tests.conftest import login, screenshot
from dangjian.conftest import PASSWORD, build_cast
from dangjian.votes.selectors import electorate


def test_record_party_probation_on_the_member_page(page, transactional_db):
    cast = build_cast()
    login(page, "county", PASSWORD)
    page.goto(f"/members/{cast.member.pk}/")
    expect(page.locator("body")).not_to_contain_text("清纪")
    page.click("#probations-btn")  # a logged sensitive view, loaded by htmx
    expect(page.locator("#probation-slot")).to_contain_text("没有留党察看记录")
    page.click("#probation-slot summary")
    page.fill("#id_start_date", "2026-03-01")
    page.fill("#id_document_no", "清纪〔2026〕3号")
    page.click("#probation-slot form button")
    expect(page.locator("body")).to_contain_text("已登记留党察看")
    page.click("#probations-btn")
    expect(page.locator("#probations")).to_contain_text("清纪〔2026〕3号")
    expect(page.locator("#probations")).to_contain_text("察看中")
    screenshot(page, "probation-01-recorded")
    assert cast.member not in electorate(cast.branch, dt.date(2026, 6, 1))
