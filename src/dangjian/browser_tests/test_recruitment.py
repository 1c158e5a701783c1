"""Issue 15's end-to-end check, 发展党员: one applicant of 东街社区党支部 from the 入党申请书 to
正式党员 and 归档, every step on its page, the clock moved forward between them (2023 to 2025,
years the working-day calendar knows): the secretary records the branch's steps, the township's
党委 its 备案, 预审, 谈话 and 审批. On the day before a waiting period ends the step is refused
with its reason (一年培养考察, 五个工作日公示); on the day it ends it goes through. The
支部党员大会 votes are motion polls in branch meetings, counted on paper with the meeting's roll
as their 到会. At the end the register shows the person as 正式党员 with the 支部大会 date as
入党日期 and the end of the probation as 转正日期, and the file page is photographed at desktop
width and at 390 px.

The clock: `time_machine` moves the test process's clock, and the live server runs in a thread
of the same process, so `core.dates.today()` on the server follows; each move logs out
(sessions and the idle timeout read the clock), so each actor logs in again after one."""

from __future__ import annotations

import datetime as dt
import zoneinfo
from collections.abc import Iterator
from typing import Any

import pytest
import time_machine
from playwright.sync_api import expect

from dangjian.accounts.models import Role
from dangjian.accounts.services import grant_role
from dangjian.browser_tests.conftest import login, screenshot
from dangjian.browser_tests.test_phone_layout import OVERFLOW_JS, PHONE
from dangjian.conftest import PASSWORD, build_cast
from dangjian.meetings import services as meetings
from dangjian.meetings.models import Attendance, MeetingKind
from dangjian.members.models import Member
from dangjian.recruitment.models import Applicant
from dangjian.testing import make_id_number, make_member

BEIJING = zoneinfo.ZoneInfo("Asia/Shanghai")
START = dt.date(2023, 3, 1)
NAME = "赵小红"


def _nine_am(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(9), tzinfo=BEIJING)


class Clock:
    """The server's today, moved forward only; each move logs every page out."""

    def __init__(self, traveller: Any) -> None:
        self.traveller = traveller
        self.day = START

    def to(self, day: dt.date) -> None:
        assert day >= self.day, "the clock only moves forward"
        self.traveller.move_to(_nine_am(day))
        self.day = day


@pytest.fixture
def clock() -> Iterator[Clock]:
    with time_machine.travel(_nine_am(START), tick=True) as traveller:
        yield Clock(traveller)


class Desk:
    """One person at their browser: logs in again whenever the clock has moved."""

    def __init__(self, page: Any, username: str, clock: Clock) -> None:
        self.page, self.username, self.clock = page, username, clock
        self.logged_on: dt.date | None = None

    def __call__(self) -> Any:
        if self.logged_on != self.clock.day:
            self.page.context.clear_cookies()
            login(self.page, self.username, PASSWORD)
            self.logged_on = self.clock.day
        return self.page


def _step(desk: Desk, pk: int, name: str, day: dt.date, **fields: Any) -> Any:
    """Open the step from the file page, fill its form, submit; a soft rule's warning is
    confirmed on the same page. Field values: str (text/date/select), list (checkboxes or
    radio by value), bool (a checkbox)."""
    page = desk()
    # The step's own page: a step whose rules read its form (推荐方式, 联系人 …) is listed on
    # the file page with the reason an empty form would be refused, and opened here.
    page.goto(f"/recruitment/{pk}/step/{name}/")
    assert page.locator("#step-form").count(), f"{day} {name}: " + page.locator("body").inner_text()
    if page.locator("#id_on").count():
        page.fill("#id_on", day.isoformat())
    for field, value in fields.items():
        _fill(page, field, value)
    page.click("#step-form button[type=submit]")
    if page.locator("#step-warnings").count():
        page.click("#step-form button[type=submit]")
    expect(page.locator(".alert-success, .messages").first).to_contain_text("已办理")
    return page


def _fill(page: Any, field: str, value: Any) -> None:
    form = page.locator("#step-form")
    if isinstance(value, bool):
        box = form.locator(f"input[name={field}]")
        box.check() if value else box.uncheck()
    elif isinstance(value, list):
        for v in value:
            form.locator(f"input[name={field}][value='{v}']").check()
    elif form.locator(f"select[name={field}]").count():
        form.locator(f"select[name={field}]").select_option(str(value))
    else:
        form.locator(f"[name={field}]").fill(str(value))


def _entry(desk: Desk, pk: int, section: str, **fields: Any) -> None:
    """登记思想汇报 / 培养考察 from the file page."""
    page = desk()
    page.goto(f"/recruitment/{pk}/")
    page.click("#add-report" if section == "reports" else "#add-assessment")
    for field, value in fields.items():
        target = page.locator(f"#entry-form [name={field}]")
        if target.evaluate("e => e.tagName") == "SELECT":
            target.select_option(str(value))
        else:
            target.fill(value.isoformat() if isinstance(value, dt.date) else str(value))
    page.click("#entry-form button[type=submit]")
    expect(page.locator(f"#{section}")).to_contain_text(str(fields.get("submitted_on") or
                                                         fields["assessed_on"]))  # fmt: skip


def _refused(desk: Desk, pk: int, name: str, reason: str) -> None:
    """The step is not offered today; the file page says why."""
    page = desk()
    page.goto(f"/recruitment/{pk}/")
    expect(page.locator(f"#step-{name}")).to_have_count(0)
    expect(page.locator("#steps")).to_contain_text(reason)


def _general_meeting(cast: Any, day: dt.date, title: str) -> Any:
    """A 支部党员大会 of the branch on `day` with everyone present (the meetings pages are
    issue 14's test; here the roll is what the poll's 到会 is read from)."""
    meeting = meetings.schedule_meeting(
        actor=cast.secretary,
        org=cast.branch,
        data=meetings.MeetingData(kind=MeetingKind.GENERAL, title=title, date=day, topics=title),
    )
    rows = [
        meetings.AttendanceRow(member_id=r.member_id, status=Attendance.Status.PRESENT)
        for r in meetings.expected_rows(meeting)
    ]
    return meetings.record_attendance(
        actor=cast.secretary, meeting=meeting, rows=rows, version=meeting.version
    )


def _count_on_paper(desk: Desk, poll_pk: int, yes: int) -> None:
    """The tellers' totals entered on the poll's page, then the count closed."""
    page = desk()
    page.goto(f"/votes/{poll_pk}/")
    page.fill("#id_issued", str(yes))
    page.fill("#id_returned", str(yes))
    page.fill("#id_invalid", "0")
    page.locator("#totals-table input").first.fill(str(yes))  # 赞成
    page.click("#paper-counts button[type=submit]")
    page.click("#close button[type=submit]")
    page.click("#confirm-yes")
    expect(page.locator("body")).to_contain_text("通过")


def _vote_in_meeting(
    cast: Any, branch: Desk, pk: int, step: str, day: dt.date, **fields: Any
) -> None:
    meeting = _general_meeting(cast, day, f"{day:%Y年%m月}支部党员大会")
    _step(branch, pk, step, day, meeting=str(meeting.pk), **fields)
    applicant = Applicant.objects.get(pk=pk)
    assert applicant.poll is not None and applicant.meeting_id == meeting.pk
    voters = applicant.poll.voters.filter(present=True).count()
    _count_on_paper(branch, applicant.poll.pk, voters)


def test_one_applicant_from_application_to_full_member(
    page, chromium, live_server, transactional_db, clock
):
    cast = build_cast()
    # The branch's 正式党员: 李明 (the cast's), and four more who serve as 联系人 and 介绍人.
    people = [
        make_member(cast.county_admin, cast.branch, name=n, gender=g)
        for n, g in (("张伟", "M"), ("陈静", "F"), ("刘洋", "M"), ("王敏", "F"))
    ]
    approver = build_user("dangwei", "城关镇党委")
    grant_role(actor=None, user=approver, role=Role.PARTY_COMMITTEE, org=cast.township,
               bootstrap=True)  # fmt: skip
    branch = Desk(page, "secretary", clock)
    other = chromium.new_context(
        base_url=live_server.url,
        locale="zh-CN",
        timezone_id="Asia/Shanghai",
        viewport={"width": 1280, "height": 900},
    )
    committee_page = other.new_page()
    committee_page.set_default_timeout(10_000)
    committee = Desk(committee_page, "dangwei", clock)
    contacts = [str(people[0].pk), str(people[1].pk)]
    introducers = [str(people[2].pk), str(people[3].pk)]

    # A. 递交入党申请书 (2023-03-01) and 谈话 within the month.
    p = branch()
    p.goto("/recruitment/new/")
    p.select_option("#id_org", str(cast.branch.pk))
    p.fill("#id_name", NAME)
    p.select_option("#id_gender", "F")
    p.fill("#id_birth_date", "1999-08-16")
    p.fill("#id_id_number", make_id_number(dt.date(1999, 8, 16), "F"))
    p.select_option("#id_education", "ba")
    p.select_option("#id_person_category", "prof")
    p.fill("#id_work_unit_post", "东街社区卫生服务站护士")
    p.fill("#id_applied_on", START.isoformat())
    p.click("main form button[type=submit]")
    expect(p.locator("#status")).to_have_text("入党申请人（待谈话）")
    pk = Applicant.objects.get(name=NAME).pk

    clock.to(dt.date(2023, 3, 15))
    _step(branch, pk, "talk", clock.day)

    # B. 入党积极分子 (2023-04-03), 备案 by the 党委, two 培养联系人.
    clock.to(dt.date(2023, 4, 3))
    _step(branch, pk, "confirm_activist", clock.day, recommendation=["members"])
    _step(branch, pk, "assign_contacts", clock.day, contacts=contacts)
    clock.to(dt.date(2023, 4, 10))
    _step(committee, pk, "file_activist", clock.day)

    # 思想汇报 each quarter and a 考察 each half year (the 培养联系人's opinion), on their pages.
    clock.to(dt.date(2023, 7, 3))
    _entry(branch, pk, "reports", submitted_on=clock.day, summary="学习党章的体会")
    clock.to(dt.date(2023, 10, 3))
    _entry(branch, pk, "assessments", kind="activist", assessed_on=clock.day,
           opinion="学习认真，工作积极。", by="张伟")  # fmt: skip

    # C. 发展对象: refused the day before the year is up, taken on the anniversary.
    clock.to(dt.date(2024, 4, 2))
    _entry(branch, pk, "assessments", kind="activist", assessed_on=clock.day,
           opinion="基本具备党员条件。", by="陈静")  # fmt: skip
    _refused(branch, pk, "confirm_candidate", "2024-04-03")
    clock.to(dt.date(2024, 4, 3))
    _step(branch, pk, "confirm_candidate", clock.day,
          opinions_heard=["group", "contacts", "members", "masses"])  # fmt: skip
    _step(branch, pk, "set_introducers", clock.day, introducers=introducers)
    clock.to(dt.date(2024, 4, 8))
    _step(committee, pk, "file_candidate", clock.day)
    _step(branch, pk, "political_review", clock.day, conclusion=["passed"])
    clock.to(dt.date(2024, 4, 12))
    _step(branch, pk, "training", clock.day, organizer="中共城关镇委员会党校",
          start="2024-04-10", end="2024-04-12", days="3", hours="24")  # fmt: skip

    # D. 支委会审查 → 预审 (党委) → 公示 five working days → 志愿书 → 支部党员大会.
    clock.to(dt.date(2024, 4, 15))
    _step(branch, pk, "committee_review", clock.day)
    clock.to(dt.date(2024, 4, 16))
    _step(committee, pk, "pre_review", clock.day)
    clock.to(dt.date(2024, 4, 17))  # a Wednesday: 17, 18, 19, 22, 23 April are the five days
    _step(branch, pk, "publish", clock.day)
    clock.to(dt.date(2024, 4, 23))
    _refused(branch, pk, "end_publicity", "2024-04-24")
    clock.to(dt.date(2024, 4, 24))
    _step(branch, pk, "end_publicity", clock.day)
    clock.to(dt.date(2024, 4, 25))
    _step(branch, pk, "fill_form", clock.day)
    clock.to(dt.date(2024, 4, 26))
    _vote_in_meeting(cast, branch, pk, "put_to_vote", clock.day, method="totals")
    _step(branch, pk, "admit", clock.day)
    clock.to(dt.date(2024, 5, 20))
    _step(committee, pk, "committee_talk", clock.day)
    clock.to(dt.date(2024, 5, 21))
    _step(committee, pk, "approve", clock.day)
    applicant = Applicant.objects.get(pk=pk)
    assert applicant.status == Applicant.Status.PROBATIONARY and applicant.member is not None
    expect(committee_page.locator("#status")).to_have_text("预备党员")
    _step(committee, pk, "file_upper", clock.day)

    # E. 宣誓, a year of probation, 转正申请, the 支部党员大会 on the day it ends, 审批, 归档.
    clock.to(dt.date(2024, 6, 14))  # within the month after approval (期限 2024-06-21)
    _step(branch, pk, "oath", clock.day)
    clock.to(dt.date(2025, 4, 20))
    _step(branch, pk, "apply_full", clock.day)
    clock.to(dt.date(2025, 4, 26))
    _vote_in_meeting(
        cast, branch, pk, "put_conversion_to_vote", clock.day, proposal="convert", method="totals"
    )
    _step(branch, pk, "resolve_convert", clock.day)
    clock.to(dt.date(2025, 5, 12))
    _step(committee, pk, "approve_convert", clock.day)
    clock.to(dt.date(2025, 5, 15))
    _step(branch, pk, "archive", clock.day)

    # The register: 正式党员, 入党 on the 支部大会's day, 转正 a year later.
    applicant.refresh_from_db()
    assert applicant.status == Applicant.Status.ARCHIVED
    member = Member.objects.get(pk=applicant.member_id)
    assert member.category == "full"
    assert member.join_date == dt.date(2024, 4, 26)
    assert member.full_date == dt.date(2025, 4, 26)
    p = branch()
    p.goto(f"/members/{member.pk}/")
    expect(p.locator("main")).to_contain_text("正式党员")
    expect(p.locator("main")).to_contain_text("2024-04-26")
    expect(p.locator("main")).to_contain_text("2025-04-26")

    # The file page with its history, at desktop width and on a 390 px phone.
    _photograph(p, pk, "recruitment-file")
    expect(p.locator("#history")).to_contain_text("上级党委批准转为正式党员")
    assert not page.js_errors
    other.close()


def _photograph(page: Any, pk: int, name: str) -> None:
    """The file page at desktop width and on a 390 px phone (no horizontal scroll)."""
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto(f"/recruitment/{pk}/")
    screenshot(page, f"{name}-desktop")
    page.set_viewport_size(PHONE)
    page.reload()
    assert page.evaluate(OVERFLOW_JS) == []
    screenshot(page, f"{name}-phone")
    page.set_viewport_size({"width": 1280, "height": 900})


def build_user(username: str, name: str) -> Any:
    from django.contrib.auth import get_user_model

    return get_user_model().objects.create_user(username, password=PASSWORD, first_name=name)
