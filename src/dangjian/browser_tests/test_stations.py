"""A branch secretary, on a 390 px phone, sets up a service station (the city list follows the
chosen province), records help given there to a member, and the public list shows the station
to anyone without a login, with no member data."""

from __future__ import annotations

from playwright.sync_api import expect

from dangjian.browser_tests.conftest import login, screenshot
from dangjian.browser_tests.test_phone_layout import OVERFLOW_JS, PHONE
from dangjian.conftest import PASSWORD, build_cast
from dangjian.stations.models import HelpRecord, Station


def test_secretary_sets_up_a_station_and_records_help_on_a_phone(page, transactional_db):
    build_cast()
    page.set_viewport_size(PHONE)
    login(page, "secretary", PASSWORD)
    page.goto("/stations/")
    page.click("#new-station")
    page.fill("#id_name", "东街社区党员服务站")
    page.select_option("#id_region_0", label="广东省")
    city = page.locator("#id_region_1")
    expect(city.locator("optgroup")).to_have_count(1)  # only 广东省's cities are offered
    expect(city).not_to_contain_text("邢台市")
    page.select_option("#id_region_1", label="东莞市")
    page.fill("#id_address", "长安镇振安中路 101 号")
    page.fill("#id_contact_name", "张红")
    page.fill("#id_contact_phone", "13800002222")
    page.fill("#id_public_phone", "0769-85001234")
    assert page.evaluate(OVERFLOW_JS) == []
    screenshot(page, "stations-01-form")
    page.click("#station-form button[type=submit]")
    expect(page.locator("h1")).to_contain_text("东街社区党员服务站")
    expect(page.locator("body")).to_contain_text("广东省东莞市")
    assert Station.objects.get().region == "441900"
    assert page.evaluate(OVERFLOW_JS) == []

    page.click("#record-help")
    page.fill("#id_q", "李")
    page.click("#member-search button")
    page.click("#found-members >> text=李明")
    page.select_option("#id_kind", label="就业")
    page.fill("#id_date", "2026-03-02")
    page.fill("#id_description", "推荐到电子厂做质检员")
    page.fill("#id_given_by", "服务站")
    assert page.evaluate(OVERFLOW_JS) == []
    page.click("#help-form button[type=submit]")
    expect(page.locator("h1")).to_contain_text("帮扶记录")
    assert HelpRecord.objects.get().station == Station.objects.get()
    screenshot(page, "stations-02-help")
    assert page.js_errors == []

    page.context.clear_cookies()
    page.goto("/stations/public/")
    body = page.locator("body")
    expect(body).to_contain_text("东街社区党员服务站")
    expect(body).to_contain_text("0769-85001234")
    expect(body).not_to_contain_text("李明")
    expect(body).not_to_contain_text("13800002222")
    assert page.evaluate(OVERFLOW_JS) == []
    screenshot(page, "stations-03-public")
