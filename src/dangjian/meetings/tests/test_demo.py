from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model

from dangjian.accounts.scope import scope_for
from dangjian.core.dates import today
from dangjian.demo.services import load_demo
from dangjian.meetings.models import Attendance, Meeting
from dangjian.meetings.workbench import InvitedMeetings, MinutesMissing


@pytest.mark.django_db
def test_demo_county_has_a_year_of_meetings_with_gaps_and_an_upcoming_one() -> None:
    load_demo(members=60, seed=2026)
    assert Meeting.objects.filter(status="held").count() > 20
    assert Attendance.objects.filter(status="leave").exclude(reason="").exists()
    assert Meeting.objects.filter(late_entry=True).exists()
    member = get_user_model().objects.get(username="member")
    assert InvitedMeetings().count_for(member, scope_for(member), today()) == 1
    secretary = get_user_model().objects.get(username="secretary")
    assert MinutesMissing().count_for(secretary, scope_for(secretary), today()) >= 0
