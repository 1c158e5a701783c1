"""The meetings tests' extras on top of the shared cast: 东街社区党支部 has 李明 (with a login),
张伟 (正式党员) and 陈静 (预备党员); helpers schedule a meeting through the real service."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from dangjian.conftest import Cast
from dangjian.core.dates import today
from dangjian.meetings import services
from dangjian.meetings.models import Meeting, MeetingKind
from dangjian.members.models import Member
from dangjian.testing import make_member


@pytest.fixture
def branch_people(cast: Cast) -> dict[str, Member]:
    zhang = make_member(cast.county_admin, cast.branch, name="张伟")
    chen = make_member(
        cast.county_admin,
        cast.branch,
        name="陈静",
        gender="F",
        join=today() - dt.timedelta(days=100),
        full=None,
    )
    return {"liming": cast.member, "zhang": zhang, "chen": chen}


def data(**overrides: Any) -> services.MeetingData:
    values: dict[str, Any] = {
        "kind": MeetingKind.GENERAL,
        "title": "第三季度支部党员大会",
        "date": today(),
        "place": "村委会会议室",
        "topics": "学习文件\n讨论发展对象",
    }
    values.update(overrides)
    return services.MeetingData(**values)


def schedule(cast: Cast, **overrides: Any) -> Meeting:
    return services.schedule_meeting(actor=cast.secretary, org=cast.branch, data=data(**overrides))


def roll(meeting: Meeting, **statuses: Any) -> list[services.AttendanceRow]:
    """All expected present, except the members named by id in `statuses` (id → (status,
    reason))."""
    rows = []
    for a in meeting.attendance.filter(expected=True):
        status, reason = statuses.get(str(a.member_id), ("present", ""))
        rows.append(services.AttendanceRow(a.member_id, status, reason))
    return rows


@pytest.fixture
def meeting(cast: Cast, branch_people: dict[str, Member]) -> Meeting:
    return schedule(cast)
