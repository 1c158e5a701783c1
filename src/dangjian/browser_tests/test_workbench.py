"""A branch secretary sees a 预备期 ending on the 工作台 (on a phone) and follows the link to the
page where the 转正 is recorded, with 转正 and the 预备期满之日 filled in."""

from __future__ import annotations

import datetime as dt

from dateutil.relativedelta import relativedelta
from django.utils import timezone
from playwright.sync_api import expect

from dangjian.browser_tests.conftest import login, screenshot
from dangjian.conftest import PASSWORD, build_cast
from dangjian.testing import make_member


def test_secretary_follows_a_probation_ending_to_the_conversion(page, transactional_db):
    cast = build_cast()
    end = timezone.localdate() - dt.timedelta(days=2)
    member = make_member(cast.county_admin, cast.branch, name="周新",
                         join=end - relativedelta(years=1), full=None)  # fmt: skip
    page.set_viewport_size({"width": 390, "height": 844})
    login(page, "secretary", PASSWORD)
    card = page.locator("#work-members-probation")
    expect(card).to_contain_text("预备期将满")
    expect(card).to_contain_text("周新")
    expect(card).to_contain_text("已逾期 2 天")
    screenshot(page, "workbench-01-probation-due")
    card.get_by_role("link", name="周新（东街社区党支部）").click()
    expect(page.locator("h1")).to_contain_text("登记党籍变动：周新")
    expect(page.locator("#id_kind")).to_have_value("convert")
    expect(page.locator("#id_effective_date")).to_have_value(f"{end:%Y-%m-%d}")
    page.click("form.stack button[type=submit]")
    expect(page.locator("body")).to_contain_text("党籍变动已登记")
    member.refresh_from_db()
    assert (member.category, member.full_date, member.probation_end) == ("full", end, None)
    page.goto("/")
    expect(page.locator("body")).not_to_contain_text("周新")
