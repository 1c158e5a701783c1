"""The appraisal cast: the shared cast, five more full members of 东街社区党支部 (six graded with
李明, so the 优秀 cap of one third is two), one 预备党员, the 城关镇 党委's approver and a
组织生活会 held on 2025-12-10 at which everyone but one came."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.contrib.auth import get_user_model

from dangjian.accounts.models import Role
from dangjian.accounts.services import grant_role
from dangjian.conftest import PASSWORD
from dangjian.meetings.models import Attendance, Meeting, MeetingKind
from dangjian.testing import make_member, make_voter

YEAR = 2025
MOBILIZE = dt.date(2025, 11, 3)
LIFE_DAY = dt.date(2025, 12, 10)
RATE_DAY = dt.date(2025, 12, 15)
NAMES = ("王一", "张二", "刘三", "陈四", "赵五")


def make_meeting(org: Any, kind: str, day: dt.date, *, title: str = "") -> Meeting:
    """A held meeting (the meetings services are the meetings helper's; the model is enough)."""
    return Meeting.objects.create(
        org=org,
        org_path=org.path,
        kind=kind,
        title=title or f"{day:%Y年%m月}{MeetingKind(kind).label}",
        date=day,
        status=Meeting.Status.HELD,
    )


def attend(meeting: Meeting, member: Any, status: str, *, expected: bool = True) -> Attendance:
    return Attendance.objects.create(
        meeting=meeting, member=member, status=status, expected=expected
    )


@pytest.fixture
def ap(cast: Any) -> Any:
    users = get_user_model().objects
    cast.approver = users.create_user("dangwei", password=PASSWORD, first_name="城关镇党委")
    grant_role(actor=None, user=cast.approver, role=Role.PARTY_COMMITTEE, org=cast.township,
               bootstrap=True)  # fmt: skip
    cast.full = [cast.member] + [
        make_voter(cast.county_admin, cast.branch, name=n, username=f"m{i}")
        for i, n in enumerate(NAMES)
    ]
    cast.prob = make_member(
        cast.county_admin, cast.branch, name="孙六", join=dt.date(2025, 6, 1), full=None
    )
    return cast


@pytest.fixture
def life(ap: Any) -> Meeting:
    """The 组织生活会: all present but 赵五 (缺席)."""
    meeting = make_meeting(ap.branch, MeetingKind.LIFE, LIFE_DAY, title="2025年度组织生活会")
    for m in [*ap.full, ap.prob]:
        attend(
            meeting, m, Attendance.Status.ABSENT if m.name == "赵五" else Attendance.Status.PRESENT
        )
    return meeting
