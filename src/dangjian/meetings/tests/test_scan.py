"""扫码确认出席 (meetings.scan): the rotating code, who may scan, what a scan records."""

from __future__ import annotations

import datetime as dt

import pytest

from dangjian.audit.models import AuditEvent
from dangjian.conftest import Cast
from dangjian.meetings import scan as svc
from dangjian.meetings.models import Attendance, Meeting
from dangjian.meetings.tests.scan_helpers import NOW, TODAY, later, meeting_with_list
from dangjian.mobile.models import MobileStay
from dangjian.testing import make_member
from dangjian.votes.models import TOKEN_ALPHABET

pytestmark = pytest.mark.django_db


@pytest.fixture
def meeting(cast: Cast) -> Meeting:
    return meeting_with_list(cast.branch, [cast.member])


def row(meeting: Meeting, cast: Cast) -> Attendance:
    return Attendance.objects.get(meeting=meeting, member=cast.member)


def test_code_is_short_in_the_token_alphabet_and_stable_within_its_window(meeting):
    code = svc.current_code(meeting, NOW)
    assert len(code) == svc.CODE_LENGTH and set(code) <= set(TOKEN_ALPHABET)
    assert svc.current_code(meeting, later(14)) == code  # 10:00:29, same window
    assert svc.current_code(meeting, later(15)) != code  # 10:00:30, the next


def test_codes_differ_between_meetings_in_the_same_window(cast, meeting):
    other = meeting_with_list(cast.branch, [cast.member])
    assert svc.current_code(other, NOW) != svc.current_code(meeting, NOW)


def test_scan_marks_the_member_present_by_scan(cast, meeting):
    result = svc.scan(actor=cast.member_user, meeting=meeting, code=svc.current_code(meeting, NOW),
                      now=NOW)  # fmt: skip
    assert not result.already
    attendance = row(meeting, cast)
    assert (attendance.status, attendance.via, attendance.recorded_at) == ("present", "scan", NOW)
    event = AuditEvent.objects.get(action="meetings.scan")
    assert event.actor == cast.member_user and event.detail["党员"] == "李明"


def test_code_still_works_in_the_next_window(cast, meeting):
    code = svc.current_code(meeting, later(14))  # shown at second 29
    svc.scan(actor=cast.member_user, meeting=meeting, code=code, now=later(16))  # arrives at 31
    assert row(meeting, cast).status == "present"


def test_code_two_windows_later_is_expired(cast, meeting):
    code = svc.current_code(meeting, NOW)
    with pytest.raises(svc.ScanRefused, match="签到码已过期，请扫描屏幕上的最新二维码"):
        svc.scan(actor=cast.member_user, meeting=meeting, code=code, now=later(45))
    assert row(meeting, cast).status == ""


def test_code_of_another_meeting_is_refused(cast, meeting):
    other = meeting_with_list(cast.branch, [cast.member])
    with pytest.raises(svc.ScanRefused, match="签到码不正确"):
        svc.scan(actor=cast.member_user, meeting=meeting, code=svc.current_code(other, NOW),
                 now=NOW)  # fmt: skip


def test_typed_code_in_lower_case_with_spaces_is_accepted(cast, meeting):
    code = svc.current_code(meeting, NOW)
    typed = f" {code[:3].lower()} {code[3:]} "
    assert svc.scan_typed(actor=cast.member_user, code=typed, now=NOW).meeting == meeting
    assert row(meeting, cast).status == "present"


def test_member_not_on_the_list_is_refused_in_chinese(cast, meeting):
    stranger = make_member(cast.county_admin, cast.branch, name="周新")
    stranger.user = cast.township_admin
    stranger.save()
    with pytest.raises(svc.ScanRefused, match="您不在本次会议的应到人员名单中"):
        svc.scan(actor=cast.township_admin, meeting=meeting, code=svc.current_code(meeting, NOW),
                 now=NOW)  # fmt: skip
    assert not Attendance.objects.filter(member=stranger).exists()


def test_login_without_member_record_is_refused(cast, meeting):
    with pytest.raises(svc.ScanRefused, match="没有关联党员档案"):
        svc.scan(actor=cast.secretary, meeting=meeting, code=svc.current_code(meeting, NOW),
                 now=NOW)  # fmt: skip


def test_incoming_mobile_member_of_the_holding_org_may_scan_not_expected(cast):
    meeting = meeting_with_list(cast.far_branch, [])
    MobileStay.objects.create(
        member=cast.member, home_org=cast.branch, home_path=cast.branch.path,
        destination_org=cast.far_branch, destination_path=cast.far_branch.path,
        region_code="440300", address="深圳", reason="work", expected_months=6,
        start_on=TODAY - dt.timedelta(days=30), contact_since=TODAY - dt.timedelta(days=30),
    )  # fmt: skip
    svc.scan(actor=cast.member_user, meeting=meeting, code=svc.current_code(meeting, NOW), now=NOW)
    attendance = row(meeting, cast)
    assert (attendance.status, attendance.expected, attendance.via) == ("present", False, "scan")


def test_cancelled_meeting_is_refused(cast):
    meeting = meeting_with_list(cast.branch, [cast.member], status=Meeting.Status.CANCELLED)
    with pytest.raises(svc.ScanRefused, match="会议已取消"):
        svc.scan(actor=cast.member_user, meeting=meeting, code=svc.current_code(meeting, NOW),
                 now=NOW)  # fmt: skip


@pytest.mark.parametrize("day", [TODAY - dt.timedelta(days=1), TODAY + dt.timedelta(days=1)])
def test_meeting_on_another_day_is_refused(cast, day):
    meeting = meeting_with_list(cast.branch, [cast.member], on=day)
    with pytest.raises(svc.ScanRefused, match="只能在会议当天"):
        svc.scan(actor=cast.member_user, meeting=meeting, code=svc.current_code(meeting, NOW),
                 now=NOW)  # fmt: skip


def test_the_day_is_the_beijing_date(cast):
    """At 2026-12-06 16:30 UTC it is already the 7th in Beijing."""
    meeting = meeting_with_list(cast.branch, [cast.member])
    now = dt.datetime(2026, 12, 6, 16, 30, tzinfo=dt.UTC)
    svc.scan(actor=cast.member_user, meeting=meeting, code=svc.current_code(meeting, now), now=now)
    assert row(meeting, cast).status == "present"


def test_meeting_with_scanning_off_is_refused(cast):
    meeting = meeting_with_list(cast.branch, [cast.member], scan_enabled=False)
    with pytest.raises(svc.ScanRefused, match="未开启扫码"):
        svc.scan(actor=cast.member_user, meeting=meeting, code=svc.current_code(meeting, NOW),
                 now=NOW)  # fmt: skip


def test_second_scan_says_already_present_and_changes_nothing(cast, meeting):
    code = svc.current_code(meeting, NOW)
    svc.scan(actor=cast.member_user, meeting=meeting, code=code, now=NOW)
    again = svc.scan(actor=cast.member_user, meeting=meeting, code=code, now=later(5))
    assert again.already and row(meeting, cast).recorded_at == NOW
    assert AuditEvent.objects.filter(action="meetings.scan").count() == 1


def test_scan_after_the_roll_said_leave_sets_present_and_clears_the_reason(cast, meeting):
    Attendance.objects.filter(meeting=meeting).update(status="leave", reason="出差", via="roll")
    svc.scan(actor=cast.member_user, meeting=meeting, code=svc.current_code(meeting, NOW), now=NOW)
    attendance = row(meeting, cast)
    assert (attendance.status, attendance.reason, attendance.via) == ("present", "", "scan")


def test_scan_after_the_roll_said_present_keeps_the_roll(cast, meeting):
    Attendance.objects.filter(meeting=meeting).update(status="present", via="roll")
    result = svc.scan(actor=cast.member_user, meeting=meeting,
                      code=svc.current_code(meeting, NOW), now=NOW)  # fmt: skip
    assert result.already and row(meeting, cast).via == "roll"


def test_a_meeting_without_any_scan_has_no_scan_rows(cast, meeting):
    """Scanning is never required: a roll taken by the secretary is the whole record."""
    Attendance.objects.filter(meeting=meeting).update(status="present", via="roll")
    assert not Attendance.objects.filter(meeting=meeting, via="scan").exists()
    assert row(meeting, cast).status == "present"


def test_typed_code_with_no_meeting_today_says_so(cast):
    with pytest.raises(svc.ScanRefused, match="今天没有您可以扫码确认出席的会议"):
        svc.scan_typed(actor=cast.member_user, code="ABCDEF", now=NOW)


def test_typed_code_expired(cast, meeting):
    code = svc.current_code(meeting, NOW)
    with pytest.raises(svc.ScanRefused, match="签到码已过期，请输入屏幕上的最新签到码"):
        svc.scan_typed(actor=cast.member_user, code=code, now=later(60))


def test_switching_scanning_needs_run_meetings(cast):
    meeting = meeting_with_list(cast.branch, [cast.member], scan_enabled=False)
    with pytest.raises(svc.DomainError, match="组织会议和组织生活"):
        svc.set_scan_enabled(actor=cast.member_user, meeting=meeting, enabled=True)
    svc.set_scan_enabled(actor=cast.secretary, meeting=meeting, enabled=True)
    meeting.refresh_from_db()
    assert meeting.scan_enabled
    assert AuditEvent.objects.filter(action="meetings.set_scan_enabled").count() == 1


def test_a_scan_is_a_handful_of_queries_and_never_locks_the_meeting(
    cast, meeting, django_assert_max_num_queries
):
    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    user = get_user_model().objects.get(pk=cast.member_user.pk)  # scope not yet computed
    with CaptureQueriesContext(connection) as queries, django_assert_max_num_queries(6):
        svc.scan(actor=user, meeting=meeting, code=svc.current_code(meeting, NOW), now=NOW)
    sql = " ".join(q["sql"] for q in queries.captured_queries).upper()
    assert "FOR UPDATE" not in sql and 'UPDATE "MEETINGS_MEETING"' not in sql


def test_meeting_without_a_saved_list_takes_its_kind_default_at_the_first_scan(cast):
    """A 党员大会 convened by another app (四议两公开) has no list until the roll: the first
    scan writes the default list, so the roll later finds everyone, not just the scanners."""
    meeting = meeting_with_list(cast.branch, [])
    other = make_member(cast.county_admin, cast.branch, name="周新")
    svc.scan(actor=cast.member_user, meeting=meeting, code=svc.current_code(meeting, NOW), now=NOW)
    rows = {a.member_id: a for a in Attendance.objects.filter(meeting=meeting)}
    assert rows[cast.member.pk].status == "present" and rows[cast.member.pk].expected
    assert rows[other.pk].status == "" and rows[other.pk].expected


def test_committee_meeting_without_a_list_refuses_members(cast):
    """A 支部委员会 names its people: nobody is on it by default."""
    meeting = meeting_with_list(cast.branch, [], kind="committee")
    with pytest.raises(svc.ScanRefused, match="不在本次会议的应到人员名单中"):
        svc.scan(actor=cast.member_user, meeting=meeting, code=svc.current_code(meeting, NOW),
                 now=NOW)  # fmt: skip


def test_typed_code_finds_a_meeting_of_the_members_branch_without_a_list(cast):
    meeting = meeting_with_list(cast.branch, [])
    code = svc.current_code(meeting, NOW)
    assert svc.scan_typed(actor=cast.member_user, code=code, now=NOW).meeting == meeting


@pytest.mark.parametrize("typed", ["签到码", "ÄBCDEF", "A" * 40, ""])
def test_odd_input_is_a_wrong_code_not_an_error(cast, meeting, typed):
    with pytest.raises(svc.ScanRefused) as refused:
        svc.scan(actor=cast.member_user, meeting=meeting, code=typed, now=NOW)
    assert refused.value.retry
