"""扫码确认出席 pages: the member's phone flow and the presenter's screen."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import timezone

from dangjian.conftest import Cast
from dangjian.core.dates import today
from dangjian.meetings import scan as svc
from dangjian.meetings.models import Attendance, Meeting
from dangjian.meetings.tests.scan_helpers import meeting_with_list

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def long_window(settings):
    """An hour per code: a page test never straddles two code changes on a slow machine."""
    settings.DANGJIAN_SCAN_WINDOW_SECONDS = 3600


@pytest.fixture
def meeting(cast: Cast) -> Meeting:
    return meeting_with_list(cast.branch, [cast.member], on=today())


def link(meeting: Meeting) -> str:
    return reverse("meetings:scan", args=[meeting.pk, svc.current_code(meeting, timezone.now())])


def test_scanning_the_qr_confirms_and_says_only_that(cast, meeting):
    response = cast.client(cast.member_user).get(link(meeting))
    assert response.status_code == 200
    text = response.content.decode()
    assert "已确认出席：学习贯彻党的二十届四中全会精神" in text
    assert Attendance.objects.get(meeting=meeting, member=cast.member).via == "scan"


def test_logged_out_scan_goes_to_login_and_back(cast, meeting, client):
    url = link(meeting)
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))
    assert "next=" in response["Location"]
    login = client.post(response["Location"], {"username": "liming", "password": "Cast@2026pw"})
    assert login.status_code == 302 and login["Location"] == url


def test_stale_code_offers_the_typing_form(cast, meeting, settings):
    url = link(meeting)
    settings.DANGJIAN_SCAN_WINDOW_SECONDS = 1  # the hour-long code is long gone in 1 s windows
    response = cast.client(cast.member_user).get(url)
    assert response.status_code == 400
    assert "签到码" in response.content.decode()
    assert 'id="scan-type-form"' in response.content.decode()


def test_not_on_the_list_gets_403_with_the_reason(cast, meeting):
    response = cast.client(cast.secretary).get(link(meeting))
    assert response.status_code == 403
    assert "没有关联党员档案" in response.content.decode()
    assert meeting.title not in response.content.decode()


def test_typed_code_confirms(cast, meeting):
    code = svc.current_code(meeting, timezone.now())
    response = cast.client(cast.member_user).post(reverse("meetings:scan-type"), {"code": code})
    assert response.status_code == 200
    assert "已确认出席：" in response.content.decode()


def test_typed_wrong_code_names_the_field(cast, meeting):
    response = cast.client(cast.member_user).post(reverse("meetings:scan-type"), {"code": "ZZZZZZ"})
    assert response.status_code == 400
    assert "签到码不正确" in response.content.decode()


def test_presenter_screen_shows_qr_and_code_and_refreshes_by_htmx(cast, meeting):
    response = cast.client(cast.secretary).get(reverse("meetings:scan-screen", args=[meeting.pk]))
    text = response.content.decode()
    assert response.status_code == 200
    assert svc.current_code(meeting, timezone.now()) in text and "<svg" in text
    assert 'hx-trigger="every 10s"' in text
    assert "<script" not in text.split("</head>", 1)[1]  # no inline script in the body


def test_screen_partial_is_just_the_code(cast, meeting):
    url = reverse("meetings:scan-screen-code", args=[meeting.pk])
    text = cast.client(cast.secretary).get(url).content.decode()
    assert "<html" not in text and svc.current_code(meeting, timezone.now()) in text


def test_member_cannot_open_the_screen(cast, meeting):
    url = reverse("meetings:scan-screen", args=[meeting.pk])
    assert cast.client(cast.member_user).get(url).status_code == 403  # he sees his meeting
    assert cast.client(cast.outsider).get(url).status_code == 404


def test_toggle_switches_scanning_off_and_on(cast, meeting):
    client = cast.client(cast.secretary)
    url = reverse("meetings:scan-toggle", args=[meeting.pk])
    assert client.post(url, {"enabled": "0"}).status_code == 302
    meeting.refresh_from_db()
    assert not meeting.scan_enabled
    client.post(url, {"enabled": "1"})
    meeting.refresh_from_db()
    assert meeting.scan_enabled


def test_panel_offers_the_switch_only_to_who_runs_meetings(cast, meeting, rf):
    from django.template import Context, Template

    template = Template("{% load meeting_scan %}{% scan_panel meeting %}")
    for user, shown in ((cast.secretary, True), (cast.member_user, False)):
        request = rf.get("/")
        request.user = user
        html = template.render(Context({"request": request, "meeting": meeting}))
        assert ("开启扫码" in html or "关闭扫码" in html) is shown


def test_screen_qr_scales_to_its_box(cast, meeting):
    """A viewBox and no fixed size: CSS fits it to a phone or fills a meeting room's screen."""
    url = reverse("meetings:scan-screen-code", args=[meeting.pk])
    svg = cast.client(cast.secretary).get(url).content.decode().split("<svg", 1)[1].split(">")[0]
    assert "viewBox" in svg and "width=" not in svg


def test_panel_of_a_past_meeting_offers_no_switch(cast, rf):
    import datetime as dt

    from django.template import Context, Template

    past = meeting_with_list(cast.branch, [cast.member], on=today() - dt.timedelta(days=1))
    request = rf.get("/")
    request.user = cast.secretary
    html = Template("{% load meeting_scan %}{% scan_panel meeting %}").render(
        Context({"request": request, "meeting": past})
    )
    assert "扫码只能在会议当天进行" in html and "<button" not in html


def test_a_non_ascii_code_in_the_address_is_a_400_not_a_500(cast, meeting):
    url = reverse("meetings:scan", args=[meeting.pk, "签到码"])
    assert cast.client(cast.member_user).get(url).status_code == 400
