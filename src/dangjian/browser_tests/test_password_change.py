"""A secretary whose password was reset logs in on a phone, is held on 修改密码, sets her own
password, and then reaches her work."""

from __future__ import annotations

from playwright.sync_api import expect

from dangjian.accounts.services import reset_password
from dangjian.browser_tests.conftest import login, screenshot
from dangjian.conftest import build_cast

NEW = "Dongjie@2026x"


def test_forced_password_change_on_a_phone(page, transactional_db):
    cast = build_cast()
    temporary = reset_password(actor=cast.sysadmin, user=cast.secretary)
    page.set_viewport_size({"width": 390, "height": 844})
    login(page, "secretary", temporary)
    expect(page.locator("h1")).to_have_text("修改密码")
    expect(page.locator("#password-change-form")).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    screenshot(page, "password-01-forced")

    page.goto("/members/")
    expect(page.locator("h1")).to_have_text("修改密码")

    page.fill("#id_old_password", temporary)
    page.fill("#id_new_password1", NEW)
    page.fill("#id_new_password2", NEW)
    page.click("#password-change-form button")
    expect(page.locator(".msg-success")).to_contain_text("密码已修改")
    page.goto("/members/")
    expect(page.locator("h1")).to_have_text("党员名册")
    cast.secretary.refresh_from_db()
    assert cast.secretary.check_password(NEW)
    assert page.js_errors == []
