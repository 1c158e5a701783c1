import datetime as dt

from dangjian.accounts.models import Role
from dangjian.accounts.scope import scope_for
from dangjian.accounts.services import grant_role
from dangjian.core.dates import today
from dangjian.meetings import services
from dangjian.meetings.tests.conftest import roll, schedule
from dangjian.meetings.workbench import InvitedMeetings, MinutesMissing, NoticeNotSent


def _count(provider, user, on):
    return provider.count_for(user, scope_for(user), on)


def test_invited_member_sees_the_meeting_until_its_day(cast, meeting):
    on = meeting.date
    assert _count(InvitedMeetings(), cast.member_user, on) == 1
    assert _count(InvitedMeetings(), cast.member_user, on + dt.timedelta(days=1)) == 0
    assert _count(InvitedMeetings(), cast.secretary, on) == 0  # no member record


def test_past_meeting_without_roll_asks_for_the_record(cast, meeting):
    assert _count(MinutesMissing(), cast.secretary, meeting.date) == 0
    assert _count(MinutesMissing(), cast.secretary, meeting.date + dt.timedelta(days=1)) == 1
    assert _count(MinutesMissing(), cast.outsider, meeting.date + dt.timedelta(days=1)) == 0


def test_held_meeting_without_minutes_is_reminded_for_the_rule_days(cast, meeting):
    services.record_attendance(
        actor=cast.secretary, meeting=meeting, rows=roll(meeting), version=meeting.version
    )
    last = meeting.date + dt.timedelta(days=30)  # meetings.minutes_reminder_days
    assert _count(MinutesMissing(), cast.secretary, last) == 1
    assert _count(MinutesMissing(), cast.secretary, last + dt.timedelta(days=1)) == 0
    items = list(MinutesMissing().items_for(cast.secretary, scope_for(cast.secretary), last))
    assert "讨论情况和决定事项" in items[0].title


def test_notice_unsent_within_the_rule_days(cast, branch_people):
    meeting = schedule(cast, date=today() + dt.timedelta(days=3))  # meetings.notice_reminder_days
    assert _count(NoticeNotSent(), cast.secretary, today()) == 1
    assert _count(NoticeNotSent(), cast.secretary, today() - dt.timedelta(days=1)) == 0
    services.send_notice(actor=cast.secretary, meeting=meeting)
    assert _count(NoticeNotSent(), cast.secretary, today()) == 0


def test_committee_member_records_the_meeting_but_holds_no_poll(cast, meeting):
    from django.contrib.auth import get_user_model

    user = get_user_model().objects.create_user("zhiwei", password="x")
    grant_role(actor=None, user=user, role=Role.BRANCH_COMMITTEE, org=cast.branch, bootstrap=True)
    services.record_attendance(
        actor=user, meeting=meeting, rows=roll(meeting), version=meeting.version
    )
    client = cast.client(user)
    from django.urls import reverse

    assert client.get(reverse("meetings:attendance", args=[meeting.pk])).status_code == 200
    assert client.get(reverse("meetings:poll", args=[meeting.pk])).status_code == 403
    assert client.get(reverse("meetings:edit", args=[meeting.pk])).status_code in (200, 302)
