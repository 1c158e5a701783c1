"""Issue 13's phone check, the mobile members' side: on a 390 px phone, the secretary of 东街
registers 李明 going to work in 深圳 (province, then city), taking part in 远山村党支部 of another
county; the outsider (远山县) sees him among the members taking part there, records his
participation and help given in the branch's own name; back home, the secretary sees that help
on the stay's page. Every page on the way fits the phone."""

from __future__ import annotations

import datetime as dt

from playwright.sync_api import expect

from dangjian.browser_tests.conftest import login, screenshot
from dangjian.browser_tests.test_phone_layout import OVERFLOW_JS, PHONE
from dangjian.conftest import PASSWORD, build_cast
from dangjian.mobile.models import MobileStay
from dangjian.stations.models import HelpRecord


def _fits(page) -> None:
    assert page.evaluate(OVERFLOW_JS) == [], page.url


def test_stay_registered_home_and_seen_at_the_destination_on_a_phone(page, transactional_db):
    cast = build_cast()
    today = dt.date.today().isoformat()
    page.set_viewport_size(PHONE)
    login(page, "secretary", PASSWORD)
    page.goto(f"/members/{cast.member.pk}/")
    page.click("#register-stay")
    page.fill("#id_start_on", today)
    page.select_option("#id_region_code_0", label="广东省")
    page.select_option("#id_region_code_1", label="深圳市")
    page.fill("#id_address", "南山区西丽街道")
    page.select_option("#id_reason", label="务工经商")
    page.fill("#id_expected_months", "4")
    page.fill("#id_phone", "13900001111")
    page.fill("#id_destination_code", cast.far_branch.code)
    _fits(page)
    screenshot(page, "mobile-01-register")
    page.click("#stay-form button[type=submit]")
    expect(page.locator("h1")).to_contain_text("外出登记")
    expect(page.locator("body")).to_contain_text("广东省深圳市")
    stay = MobileStay.objects.get()
    assert stay.region_code == "440300" and stay.destination_org == cast.far_branch
    _fits(page)
    page.context.clear_cookies()

    login(page, "outsider", PASSWORD)
    page.goto("/mobile/")
    expect(page.locator("#incoming")).to_contain_text("李明")
    _fits(page)
    page.click("#incoming >> text=李明")
    page.fill("#participation-form [name=on]", today)
    page.click("#participation-form button[type=submit]")
    expect(page.locator("#participations")).to_contain_text("党员大会或党小组会")
    _fits(page)
    page.click("#record-help")  # the stations' help section on the stay page
    page.select_option("#id_kind", label="就业")
    page.fill("#id_date", today)
    page.select_option("#id_org", value=str(cast.far_branch.pk))
    page.fill("#id_description", "推荐到科技园物业公司工作")
    page.fill("#id_given_by", "远山村党支部")
    _fits(page)
    page.click("#help-form button[type=submit]")
    expect(page.locator("h1")).to_contain_text("帮扶记录")
    assert HelpRecord.objects.get().org == cast.far_branch
    screenshot(page, "mobile-02-help-at-destination")
    page.context.clear_cookies()

    login(page, "secretary", PASSWORD)
    page.goto(f"/mobile/{stay.pk}/")
    expect(page.locator("#help-section")).to_contain_text("就业")
    _fits(page)
    screenshot(page, "mobile-03-home-sees-help")
    assert page.js_errors == []
