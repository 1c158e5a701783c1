import datetime as dt
import io

import pypdf
from django.urls import reverse

from dangjian.core.dates import today
from dangjian.meetings import services
from dangjian.meetings.models import Meeting
from dangjian.meetings.tests.conftest import roll, schedule


def _text(body: bytes) -> str:
    pages = pypdf.PdfReader(io.BytesIO(body)).pages
    return "".join("".join(p.extract_text().replace("\x00", "").split()) for p in pages)


def _held(cast, meeting, branch_people):
    zhang = branch_people["zhang"]
    rows = roll(meeting, **{str(zhang.pk): ("leave", "外出务工")})
    services.record_attendance(
        actor=cast.secretary,
        meeting=meeting,
        rows=rows,
        version=meeting.version,
        guests=[services.GuestRow("刘洋", "镇党委书记")],
    )
    meeting.refresh_from_db()
    return meeting


def test_create_in_two_steps_and_defaults_to_everyone(cast, branch_people):
    client = cast.client(cast.secretary)
    url = reverse("meetings:create") + f"?org={cast.branch.pk}&kind=general"
    page = client.get(url)
    assert "张伟" in page.content.decode() and page.status_code == 200
    ids = [str(m.pk) for m in branch_people.values()]
    posted = {"title": "十二月党员大会", "date": today().isoformat(), "invitees": ids}
    response = client.post(url, posted)
    meeting = Meeting.objects.get(title="十二月党员大会")
    assert response.status_code == 302 and meeting.attendance.count() == 3


def test_create_yesterday_is_marked_late_entry(cast, branch_people):
    client = cast.client(cast.secretary)
    url = reverse("meetings:create") + f"?org={cast.branch.pk}&kind=theme_day"
    ids = [str(m.pk) for m in branch_people.values()]
    yesterday = (today() - dt.timedelta(days=1)).isoformat()
    client.post(url, {"title": "主题党日", "date": yesterday, "invitees": ids})
    meeting = Meeting.objects.get(title="主题党日")
    page = client.get(reverse("meetings:detail", args=[meeting.pk])).content.decode()
    assert meeting.late_entry and "补录" in page


def test_one_click_roll_saves_everyone_present(cast, meeting):
    client = cast.client(cast.secretary)
    url = reverse("meetings:attendance", args=[meeting.pk])
    assert "陈静" in client.get(url).content.decode()
    response = client.post(url, {"version": meeting.version})
    assert response.status_code == 302
    t = services.tally(meeting)
    assert (t.expected, t.present) == (3, 3)


def test_roll_without_leave_reason_shows_the_refusal(cast, meeting, branch_people):
    client = cast.client(cast.secretary)
    url = reverse("meetings:attendance", args=[meeting.pk])
    zhang = branch_people["zhang"]
    response = client.post(url, {"version": meeting.version, f"s{zhang.pk}": "leave"})
    assert response.status_code == 400 and "请假原因" in response.content.decode()


def test_member_sees_own_attendance_only(cast, meeting, branch_people):
    _held(cast, meeting, branch_people)
    page = cast.client(cast.member_user).get(reverse("meetings:detail", args=[meeting.pk]))
    text = page.content.decode()
    assert page.status_code == 200 and "李明" in text
    assert "外出务工" not in text and "张伟" not in text


def test_outsider_gets_404_and_member_403_on_the_roll(cast, meeting):
    url = reverse("meetings:detail", args=[meeting.pk])
    assert cast.client(cast.outsider).get(url).status_code == 404
    roll_url = reverse("meetings:attendance", args=[meeting.pk])
    assert cast.client(cast.member_user).get(roll_url).status_code == 403


def test_minutes_pdf_names_people_reasons_and_guests(cast, meeting, branch_people):
    _held(cast, meeting, branch_people)
    response = cast.client(cast.secretary).get(reverse("meetings:minutes-pdf", args=[meeting.pk]))
    text = _text(response.content)
    for word in ("李明", "张伟", "外出务工", "刘洋", "记录人"):
        assert word in text


def test_register_pdf_lists_the_meetings_with_late_entry(cast, branch_people):
    schedule(
        cast,
        title="补录的党课",
        kind="lecture",
        speaker="王书记",
        date=today() - dt.timedelta(days=3),
    )
    url = reverse("meetings:register-pdf", args=[cast.branch.pk])
    response = cast.client(cast.secretary).get(url)
    text = _text(response.content)
    assert "补录的党课" in text and "补录" in text and "三会一课登记簿" in text


def test_member_page_shows_participation(cast, meeting, branch_people):
    _held(cast, meeting, branch_people)
    page = cast.client(cast.secretary).get(reverse("members:detail", args=[cast.member.pk]))
    assert "组织生活参加情况" in page.content.decode()
    assert "第三季度支部党员大会" in page.content.decode()


def test_poll_page_of_a_meeting_poll_has_no_attendance_form(cast, meeting):
    from dangjian.votes import services as votes
    from dangjian.votes.models import Poll

    client = cast.client(cast.secretary)
    client.post(
        reverse("meetings:poll", args=[meeting.pk]),
        {"title": "表决事项一", "preset": "meeting", "method": "totals", "secret": "on"},
    )
    poll = Poll.objects.get(title="表决事项一")
    votes.open_poll(actor=cast.secretary, poll=poll)
    page = client.get(reverse("votes:detail", args=[poll.pk])).content.decode()
    assert "由会议「第三季度支部党员大会」的出席登记决定" in page
    assert 'id="attendance"' in page and "保存到会情况" not in page


def test_home_roll_marks_a_member_away(cast, meeting):
    from dangjian.mobile.services import StayData, register_stay

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
    page = cast.client(cast.secretary).get(reverse("meetings:attendance", args=[meeting.pk]))
    assert "外出流动" in page.content.decode()


def test_destination_roll_offers_its_incoming_member(cast, branch_people):
    from dangjian.mobile.services import StayData, register_stay

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
    client = cast.client(cast.outsider)
    url = reverse("meetings:attendance", args=[far.pk])
    assert "李明" in client.get(url).content.decode()
    assert client.post(url, {"version": far.version, "extra": [cast.member.pk]}).status_code == 302
    assert far.attendance.get(member=cast.member).status == "present"
