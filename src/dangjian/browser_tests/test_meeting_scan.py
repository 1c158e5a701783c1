"""Issue 14's phone check, 扫码确认出席: on a 390 px phone, 李明 (logged out) opens the address
of the QR code on the meeting room's screen, logs in, lands back on it and reads only
"已确认出席：<会议名称>"; a second scan says the same. The secretary's screen, the typing form
and the 规则参数 page fit the phone too."""

from __future__ import annotations

from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from dangjian.browser_tests.conftest import login, screenshot
from dangjian.browser_tests.test_phone_layout import OVERFLOW_JS, PHONE
from dangjian.conftest import PASSWORD, build_cast
from dangjian.meetings.models import Attendance
from dangjian.meetings.scan import current_code
from dangjian.meetings.tests.scan_helpers import meeting_with_list


def _fits(page) -> None:
    assert page.evaluate(OVERFLOW_JS) == [], page.url


def test_member_scans_on_a_phone_through_the_login(page, transactional_db, settings):
    settings.DANGJIAN_SCAN_WINDOW_SECONDS = 3600  # one code for the whole test
    cast = build_cast()
    meeting = meeting_with_list(cast.branch, [cast.member], on=timezone.localdate())
    url = reverse("meetings:scan", args=[meeting.pk, current_code(meeting, timezone.now())])
    page.set_viewport_size(PHONE)

    page.goto(url)
    expect(page.locator("#login-form")).to_be_visible()
    page.fill("#id_username", "liming")
    page.fill("#id_password", PASSWORD)
    page.click("#login-form button[type=submit]")
    page.wait_for_url(f"**{url}")
    expect(page.locator("#scan-done")).to_have_text("已确认出席：学习贯彻党的二十届四中全会精神")
    _fits(page)
    screenshot(page, "scan-01-member-confirmed")
    assert Attendance.objects.get(meeting=meeting, member=cast.member).via == "scan"
    page.goto(url)
    expect(page.locator("#scan-done")).to_contain_text("已确认出席")
    page.goto(reverse("meetings:scan-type"))
    _fits(page)
    screenshot(page, "scan-02-type-form")
    page.goto(reverse("core:rules"))
    _fits(page)
    screenshot(page, "scan-03-rules")
    page.context.clear_cookies()

    login(page, "secretary", PASSWORD)
    page.goto(reverse("meetings:scan-screen", args=[meeting.pk]))
    expect(page.locator("#scan-code")).to_have_text(current_code(meeting, timezone.now()))
    _fits(page)
    screenshot(page, "scan-04-screen-on-a-phone")
    assert page.js_errors == []
