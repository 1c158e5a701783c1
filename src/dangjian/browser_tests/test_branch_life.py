"""Issue 14's end-to-end check, 组织生活: the secretary of 东街社区党支部 schedules this month's
主题党日 and opens 扫码确认出席; two members confirm on 390 px phones (one through the QR code's
address, one by typing the code); the secretary records the rest in one pass (陈静 on leave),
writes the minutes, puts a motion to the meeting (its 到会 is the meeting's roll) and records
the paper count; the township's 会议频次 view then shows the branch's 主题党日 met for the month
and the branch among none that missed anything."""

from __future__ import annotations

from typing import Any

from django.utils import timezone
from playwright.sync_api import expect

from dangjian.browser_tests.conftest import login, screenshot
from dangjian.browser_tests.test_phone_layout import OVERFLOW_JS, PHONE
from dangjian.conftest import PASSWORD, build_cast
from dangjian.meetings.models import Attendance, Meeting, MeetingKind
from dangjian.testing import make_member, make_voter
from dangjian.votes.models import Poll

TITLE = "学习贯彻全会精神主题党日"


def _phone(chromium: Any, base_url: str, username: str) -> tuple[Any, Any]:
    context = chromium.new_context(
        base_url=base_url,
        locale="zh-CN",
        timezone_id="Asia/Shanghai",
        viewport=PHONE,
        device_scale_factor=2,
    )
    phone = context.new_page()
    phone.set_default_timeout(10_000)
    login(phone, username, PASSWORD)
    return context, phone


def _fits(page: Any) -> None:
    assert page.evaluate(OVERFLOW_JS) == [], page.url


def test_theme_day_scheduled_rolled_scanned_minuted_voted_and_compliant(
    page, chromium, live_server, transactional_db, settings
):
    settings.DANGJIAN_SCAN_WINDOW_SECONDS = 3600  # the code must outlive the test's steps
    cast = build_cast()
    zhang = make_voter(cast.county_admin, cast.branch, name="张伟", username="zhangwei",
                       password=PASSWORD)  # fmt: skip
    chen = make_member(cast.county_admin, cast.branch, name="陈静", gender="F")
    today = timezone.localdate()
    page.on("dialog", lambda dialog: dialog.accept())

    # 1. Schedule the 主题党日 (two steps: organization and kind, then the meeting).
    login(page, "secretary", PASSWORD)
    page.goto("/meetings/new/")
    page.select_option("#start-form select[name=org]", str(cast.branch.pk))
    page.select_option("#start-form select[name=kind]", MeetingKind.THEME_DAY.value)
    page.click("#start-form button[type=submit]")
    page.fill("#id_title", TITLE)
    page.fill("#id_date", today.isoformat())
    page.fill("#id_place", "社区党群服务中心")
    page.fill("#id_topics", "重温入党誓词\n学习全会精神")
    screenshot(page, "branch-life-01-schedule")
    page.click("#meeting-form button[type=submit]")
    expect(page.locator("h1")).to_contain_text(TITLE)
    meeting = Meeting.objects.get(title=TITLE)
    assert meeting.kind == MeetingKind.THEME_DAY and not meeting.late_entry
    assert set(meeting.attendance.values_list("member__name", flat=True)) == {
        "李明", "张伟", "陈静"
    }  # fmt: skip

    # 2. Scanning is the branch's choice: switch it on and put the code on the screen.
    page.click("#scan-panel button:has-text('开启扫码')")
    expect(page.locator("#scan-panel")).to_contain_text("已开启")
    page.goto(f"/meetings/{meeting.pk}/scan/screen/")
    code = page.locator("#scan-code").inner_text().strip()
    assert len(code) >= 4
    screenshot(page, "branch-life-02-screen")

    # 李明 opens the QR code's address on his phone; 张伟 types the code.
    context, phone = _phone(chromium, live_server.url, "liming")
    phone.goto(f"/meetings/scan/{meeting.pk}/{code}/")
    expect(phone.locator("#scan-done")).to_contain_text(f"已确认出席：{TITLE}")
    _fits(phone)
    screenshot(phone, "branch-life-03-scanned-phone")
    context.close()
    context, phone = _phone(chromium, live_server.url, "zhangwei")
    phone.goto("/meetings/scan/")
    phone.fill("#scan-type-form input[name=code]", code)
    _fits(phone)
    phone.click("#scan-type-form button")
    expect(phone.locator("#scan-done")).to_contain_text(TITLE)
    context.close()
    scanned = Attendance.objects.filter(meeting=meeting, via="scan", status="present")
    assert set(scanned.values_list("member_id", flat=True)) == {cast.member.pk, zhang.pk}

    # 3. The roll in one pass: the two who scanned are already 出席; 陈静 asked for leave.
    page.goto(f"/meetings/{meeting.pk}/")
    page.click("#roll-link")
    page.check(f"#roll input[name=s{chen.pk}][value=leave]")
    page.fill(f"#roll input[name=r{chen.pk}]", "外出培训")
    screenshot(page, "branch-life-04-roll")
    page.click("#save-roll")
    expect(page.locator("#tally")).to_contain_text("应到 3")
    expect(page.locator("#tally")).to_contain_text("实到 2")
    expect(page.locator("#attendance-rows")).to_contain_text("外出培训")
    meeting.refresh_from_db()
    assert meeting.status == Meeting.Status.HELD

    # 4. The minutes.
    page.click("#minutes-link")
    page.fill("#minutes-form textarea[name=discussion]", "大家交流了学习体会。")
    page.fill("#minutes-form textarea[name=decisions]", "下月开展志愿服务。")
    page.click("#minutes-form button[type=submit]")
    expect(page.locator("#minutes")).to_contain_text("下月开展志愿服务")

    # 5. A motion put to the meeting, counted on paper; its 到会 is the meeting's roll.
    page.click("#poll-link")
    page.fill("#poll-form input[name=title]", "同意开展社区志愿服务")
    page.click("#poll-form button[type=submit]")
    poll = Poll.objects.get(title="同意开展社区志愿服务")
    assert poll.meeting_link.meeting == meeting
    page.click("#open-form button")
    page.click("#confirm-yes")
    page.fill("#id_issued", "2")
    page.fill("#id_returned", "2")
    page.fill("#id_invalid", "0")
    page.locator("#totals-table input").first.fill("2")  # 赞成 2
    page.click("#paper-counts button[type=submit]")
    page.click("#close button[type=submit]")
    page.click("#confirm-yes")
    expect(page.locator("body")).to_contain_text("通过")
    poll.refresh_from_db()
    assert poll.status == Poll.Status.CLOSED
    present = set(poll.voters.filter(present=True).values_list("name", flat=True))
    assert present == {"李明", "张伟"}  # from the meeting, never entered on the poll
    page.goto(f"/meetings/{meeting.pk}/")
    expect(page.locator("#polls")).to_contain_text("同意开展社区志愿服务")
    screenshot(page, "branch-life-05-meeting")
    page.context.clear_cookies()

    # 6. The township's view of the month: the branch's 主题党日 is met, nobody missed it.
    login(page, "township", PASSWORD)
    page.goto(f"/meetings/cadence/?org={cast.township.pk}&period={today:%Y-%m}")
    row = page.locator("#requirements tbody tr", has_text="主题党日")
    expect(row.locator("td").nth(2)).to_have_text("1")  # 已达到
    expect(row.locator("td").nth(3)).to_have_text("0")  # 未达到
    expect(page.locator("#missed")).not_to_contain_text("东街社区党支部")
    screenshot(page, "branch-life-06-cadence")
    # Choosing another period reloads the view (core/app.js: no inline handler, CSP-safe).
    page.select_option("#id_period", str(today.year))
    expect(page.locator("main, body").first).to_contain_text(f"，{today.year}年（截至")
    assert f"period={today.year}&" in page.url or page.url.endswith(f"period={today.year}")
    page.set_viewport_size(PHONE)
    _fits(page)
    assert page.js_errors == []
