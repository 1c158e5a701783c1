"""两步验证 on a phone: the county organizer, who may unmask personal data, logs in, is held on
启用两步验证, scans (here: reads the secret from the page), confirms with a code, keeps the
recovery codes; the next login asks for the code, and a wrong one is refused."""

from __future__ import annotations

import time
from base64 import b32decode

from django.test import override_settings
from django_otp.oath import TOTP
from playwright.sync_api import expect

from dangjian.browser_tests.conftest import login, screenshot
from dangjian.conftest import PASSWORD, build_cast

PHONE = {"width": 390, "height": 844}


def _fits(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]


def _code(secret: str, steps_ahead: int = 0) -> str:
    totp = TOTP(b32decode(secret.replace(" ", "")))
    totp.time = time.time() + 30 * steps_ahead
    return f"{totp.token():06d}"


# No waiting after the wrong code here (the throttle has its own test in accounts/tests).
@override_settings(DANGJIAN_2FA="required", OTP_TOTP_THROTTLE_FACTOR=0)
def test_enrol_and_log_in_with_a_code_on_a_phone(page, transactional_db):
    build_cast()
    page.set_viewport_size(PHONE)
    login(page, "county", PASSWORD)
    expect(page.locator("h1")).to_have_text("启用两步验证")
    expect(page.locator("#otp-forced")).to_be_visible()
    expect(page.locator("#otp-qr svg")).to_be_visible()
    assert _fits(page)
    screenshot(page, "otp-01-enrol")
    page.goto("/members/")
    expect(page.locator("h1")).to_have_text("启用两步验证")

    secret = page.locator("#otp-secret").inner_text()
    assert all(len(group) == 4 for group in secret.split())
    page.fill("#id_code", _code(secret))
    page.click("#otp-enrol-form button")
    expect(page.locator("h1")).to_have_text("两步验证已启用")
    codes = page.locator("#recovery-codes li")
    expect(codes).to_have_count(10)
    assert _fits(page)
    screenshot(page, "otp-02-recovery-codes")
    page.click("#codes-done")
    expect(page.locator("h1")).not_to_have_text("启用两步验证")

    page.click(".userbox button.link")  # 退出
    page.goto("/accounts/login/")
    page.fill("#id_username", "county")
    page.fill("#id_password", PASSWORD)
    page.click("#login-form button[type=submit]")
    expect(page.locator("h1")).to_have_text("两步验证")
    assert _fits(page)
    page.fill("#id_code", "000000")
    page.click("#otp-verify-form button")
    expect(page.locator(".errorlist")).to_contain_text("验证码或恢复码不正确")
    screenshot(page, "otp-03-wrong-code")
    page.fill("#id_code", _code(secret, steps_ahead=1))
    page.click("#otp-verify-form button")
    expect(page.locator("h1")).not_to_have_text("两步验证")
    page.goto("/members/")
    expect(page.locator("h1")).to_have_text("党员名册")
    assert page.js_errors == []
