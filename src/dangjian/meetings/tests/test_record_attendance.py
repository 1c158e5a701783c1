import datetime as dt

import pytest

from dangjian.core.dates import today
from dangjian.core.exceptions import ConcurrentEditError, DomainError
from dangjian.core.models import Document
from dangjian.meetings import services
from dangjian.meetings.selectors import participation
from dangjian.meetings.tests.conftest import roll, schedule
from dangjian.mobile.selectors import participations as stay_participations_of
from dangjian.mobile.services import StayData, register_stay

R = services.AttendanceRow


def test_one_pass_counts_expected_present_leave_absent(cast, meeting, branch_people):
    zhang, chen = branch_people["zhang"], branch_people["chen"]
    rows = roll(meeting, **{str(zhang.pk): ("leave", "外出务工"), str(chen.pk): ("absent", "")})
    services.record_attendance(
        actor=cast.secretary,
        meeting=meeting,
        rows=rows,
        version=meeting.version,
        guests=[services.GuestRow("刘洋", "镇党委书记")],
    )
    meeting.refresh_from_db()
    t = services.tally(meeting)
    assert (t.expected, t.present, t.leave, t.absent) == (3, 1, 1, 1)
    assert meeting.status == "held"
    assert list(meeting.guests.values_list("name", "affiliation")) == [("刘洋", "镇党委书记")]


def test_leave_needs_a_reason_absence_does_not(cast, meeting, branch_people):
    zhang = branch_people["zhang"]
    with pytest.raises(DomainError, match="请假原因"):
        services.record_attendance(
            actor=cast.secretary,
            meeting=meeting,
            rows=roll(meeting, **{str(zhang.pk): ("leave", "")}),
            version=meeting.version,
        )
    services.record_attendance(
        actor=cast.secretary,
        meeting=meeting,
        rows=roll(meeting, **{str(zhang.pk): ("absent", "")}),
        version=meeting.version,
    )


def test_every_expected_member_must_be_on_the_roll(cast, meeting):
    rows = roll(meeting)[:1]
    with pytest.raises(DomainError, match="请登记"):
        services.record_attendance(
            actor=cast.secretary, meeting=meeting, rows=rows, version=meeting.version
        )


def test_concurrent_roll_is_refused(cast, meeting):
    version = meeting.version
    services.record_attendance(
        actor=cast.secretary, meeting=meeting, rows=roll(meeting), version=version
    )
    with pytest.raises(ConcurrentEditError):
        services.record_attendance(
            actor=cast.secretary, meeting=meeting, rows=roll(meeting), version=version
        )


def test_future_meeting_cannot_be_rolled(cast, branch_people):
    meeting = schedule(cast, date=today() + dt.timedelta(days=1))
    with pytest.raises(DomainError, match="召开后"):
        services.record_attendance(
            actor=cast.secretary, meeting=meeting, rows=roll(meeting), version=meeting.version
        )


def test_outsider_cannot_roll(cast, meeting):
    with pytest.raises(DomainError, match="权限"):
        services.record_attendance(
            actor=cast.outsider, meeting=meeting, rows=roll(meeting), version=meeting.version
        )


def test_held_without_any_photo_or_scan_is_complete(cast, meeting):
    services.record_attendance(
        actor=cast.secretary, meeting=meeting, rows=roll(meeting), version=meeting.version
    )
    meeting.refresh_from_db()
    services.record_minutes(
        actor=cast.secretary,
        meeting=meeting,
        discussion="大家发言",
        decisions="同意",
        version=meeting.version,
    )
    meeting.refresh_from_db()
    assert meeting.status == "held" and meeting.minutes_at is not None
    assert not Document.objects.exists()


def test_minutes_wait_for_the_roll(cast, meeting):
    with pytest.raises(DomainError, match="请先登记出席情况"):
        services.record_minutes(
            actor=cast.secretary,
            meeting=meeting,
            discussion="x",
            decisions="",
            version=meeting.version,
        )


def test_cancel_needs_a_reason_and_only_before_held(cast, meeting):
    with pytest.raises(DomainError, match="取消原因"):
        services.cancel_meeting(
            actor=cast.secretary, meeting=meeting, reason=" ", version=meeting.version
        )
    services.cancel_meeting(
        actor=cast.secretary, meeting=meeting, reason="天气原因改期", version=meeting.version
    )
    meeting.refresh_from_db()
    assert meeting.status == "cancelled"


def test_incoming_member_attends_at_destination_and_it_counts_for_home(cast, branch_people):
    register_stay(
        actor=cast.secretary,
        member=cast.member,
        data=StayData(
            region_code="440300",
            address="深圳市南山区",
            reason="work",
            expected_months=12,
            start_on=today() - dt.timedelta(days=10),
            destination_org=cast.far_branch,
        ),
    )
    far = services.schedule_meeting(
        actor=cast.outsider,
        org=cast.far_branch,
        data=services.MeetingData(kind="theme_day", title="主题党日", date=today()),
    )
    rows = [*roll(far), R(cast.member.pk, "present")]
    services.record_attendance(actor=cast.outsider, meeting=far, rows=rows, version=far.version)
    found = participation(cast.member, today() - dt.timedelta(days=30), today())
    assert [(p.meeting.org.name, p.at_home) for p in found] == [("远山村党支部", False)]
    assert far.attendance.get(member=cast.member).expected is False
    # Entered once: the home side sees it on the stay's 参加组织生活情况, linked to the meeting.
    stay = cast.member.mobile_stays.get()
    assert [(r.activity, r.note) for r in stay_participations_of(stay)] == [
        ("主题党日", "远山村党支部：主题党日")
    ]
    page = cast.client(cast.secretary).get(f"/mobile/{stay.pk}/")
    assert f'href="/meetings/{far.pk}/"' in page.content.decode()


def test_member_from_nowhere_cannot_be_added(cast, meeting):
    rows = [*roll(meeting), R(cast.far_member.pk, "present")]
    with pytest.raises(DomainError, match="不在您的管理范围内"):
        services.record_attendance(
            actor=cast.secretary, meeting=meeting, rows=rows, version=meeting.version
        )


def test_meeting_made_without_a_list_gets_the_default_at_the_roll(cast, branch_people):
    from dangjian.meetings.models import Meeting

    bare = Meeting.objects.create(
        org=cast.branch,
        org_path=cast.branch.path,
        kind="general",
        title="审议：修建村道",
        date=today(),
    )
    rows = [R(a.member_id, "present") for a in services.expected_rows(bare)]
    assert len(rows) == 3
    services.record_attendance(actor=cast.secretary, meeting=bare, rows=rows, version=1)
    assert services.tally(bare).expected == 3
