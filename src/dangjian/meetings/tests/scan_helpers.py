"""Meetings for the scan tests, built directly (the scan needs only a meeting and its list)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone

from dangjian.meetings.models import Attendance, Meeting, MeetingKind
from dangjian.members.models import Member
from dangjian.orgs.models import Organization

# 2026-12-07 10:00:15 Beijing time: 15 s into a code window (30 s windows start on the minute)
NOW = dt.datetime(2026, 12, 7, 2, 0, 15, tzinfo=dt.UTC)
TODAY = dt.date(2026, 12, 7)


def meeting_with_list(
    org: Organization, members: list[Member], *, on: dt.date = TODAY, **fields: Any
) -> Meeting:
    """A 支部党员大会 today with scanning on, `members` on its list (attendance not taken)."""
    fields.setdefault("scan_enabled", True)
    meeting = Meeting.objects.create(
        org=org,
        org_path=org.path,
        kind=MeetingKind.GENERAL,
        title="学习贯彻党的二十届四中全会精神",
        date=on,
        **fields,
    )
    Attendance.objects.bulk_create([Attendance(meeting=meeting, member=m) for m in members])
    return meeting


def later(seconds: int) -> dt.datetime:
    return NOW + dt.timedelta(seconds=seconds)


def local(now: dt.datetime) -> dt.datetime:
    return timezone.localtime(now)
