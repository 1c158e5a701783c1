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
    fields.setdefault("kind", MeetingKind.GENERAL)
    meeting = Meeting.objects.create(
        org=org,
        org_path=org.path,
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


def members_with_logins(org: Organization, count: int, tag: str = "scan") -> list[Any]:
    """`count` full members of `org`, each linked to a login of their own: the users, in order
    (registered in bulk, as the ballot-casting bench does)."""
    from django.contrib.auth import get_user_model
    from django.contrib.auth.hashers import make_password

    from dangjian.members.services import Admission, MemberData, bulk_register_members
    from dangjian.testing import make_id_number

    def rows() -> Any:
        for i in range(count):
            birth = dt.date(1960, 1, 1) + dt.timedelta(days=13 * i)
            data = MemberData(
                name=f"党员{i:03d}",
                gender="M",
                ethnicity="01",
                birth_date=birth,
                id_number=make_id_number(birth, "M"),
                education="ba",
                person_category="prof",
            )
            yield data, Admission(org, dt.date(2000, 7, 1), dt.date(2001, 7, 1))

    ids = bulk_register_members(rows(), validate=False)
    users = get_user_model().objects
    password = make_password(None)
    logins = users.bulk_create(
        [users.model(username=f"{tag}-{i}", password=password) for i in range(count)]
    )
    members = list(Member.objects.filter(pk__in=ids).order_by("pk"))
    for member, user in zip(members, logins, strict=True):
        member.user_id = user.pk
    Member.objects.bulk_update(members, ["user"], batch_size=1000)
    return list(users.filter(pk__in=[u.pk for u in logins]).order_by("pk"))
