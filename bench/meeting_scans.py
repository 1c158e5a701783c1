"""Meeting scans benchmark (part of `make bench`): BENCH_SCANS members (default 1,000) of one
branch, each with a login and on the meeting's list, confirm their presence by scanning the
meeting's code, one after another through `meetings.scan.scan` (the member's scope, the code
check, the conditional UPDATE of their own attendance row, the audit entry; each scan its own
transaction). Baseline, measured in the same run on the same connection: single-row INSERTs
into a scratch table of the same shape, one transaction per row.

Runs on the database bench/run.py uses: SQLite by default (noted in the output: SQLite has one
writer, so this measures the per-scan cost, not contention), PostgreSQL when DATABASE_URL is
set, e.g. a throwaway server:

    scripts/with-postgres .venv/bin/python bench/run.py

On PostgreSQL the scans are also run from BENCH_VOTE_WORKERS threads at once (default 32, each
its own connection, as the ballot-casting bench does) on a second meeting: the case the scan is
built for, a whole branch scanning within a minute without waiting on the meeting row.
"""

from __future__ import annotations

import time
from typing import Any

Row = tuple[str, str, str, str]


def run(scans: int) -> list[Row]:
    from django.db import connection
    from django.utils import timezone

    from dangjian.meetings import scan as svc
    from dangjian.meetings.models import Attendance

    users = _members(scans)
    vendor = connection.vendor
    meeting = _meeting(users)

    def scan_one(user: Any) -> None:
        now = timezone.now()
        svc.scan(actor=user, meeting=meeting, code=svc.current_code(meeting, now), now=now)

    started = time.perf_counter()
    for user in _fresh(users):  # a fresh user object: its scope is computed, as per request
        scan_one(user)
    scan_seconds = time.perf_counter() - started
    present = Attendance.objects.filter(meeting=meeting, status="present", via="scan").count()
    assert present == scans, present
    raw_seconds = _raw_inserts(meeting.pk, [u.member.pk for u in users])

    where = (
        "SQLite (one writer: the per-scan cost, not contention; for PostgreSQL run"
        " `scripts/with-postgres .venv/bin/python bench/run.py`)"
        if vendor == "sqlite"
        else vendor
    )
    print(f"\nmeeting scans: {where}, {scans:,} members of one branch on the meeting's list")
    raw_rate, scan_rate = scans / raw_seconds, scans / scan_seconds
    rows: list[Row] = [
        (f"meeting scans ({scans:,} members, one after another)", "time", "rate", "ratio"),
        (
            "  raw single-row INSERT, a transaction per row (baseline)",
            f"{raw_seconds:.2f} s",
            f"{raw_rate:,.0f} rows/s",
            "1.00",
        ),
        (
            "  scan (scope, code, conditional UPDATE of own row, audit)",
            f"{scan_seconds:.2f} s",
            f"{scan_rate:,.0f} scans/s",
            f"{scan_rate / raw_rate:.2f} × baseline rate",
        ),
    ]
    if vendor == "postgresql":
        rows.append(_concurrent(users, raw_rate))
    return rows


def _members(count: int) -> list[Any]:
    from django.contrib.auth import get_user_model
    from votes_cast import electorate

    _, _, user_ids = electorate(count)
    users = get_user_model().objects.filter(pk__in=user_ids).select_related("member")
    return list(users.order_by("pk"))


def _fresh(users: list[Any]) -> list[Any]:
    from django.contrib.auth import get_user_model

    return list(get_user_model().objects.filter(pk__in=[u.pk for u in users]).order_by("pk"))


def _meeting(users: list[Any]) -> Any:
    from django.utils import timezone

    from dangjian.meetings.models import Attendance, Meeting, MeetingKind

    branch = users[0].member.org
    meeting = Meeting.objects.create(
        org=branch,
        org_path=branch.path,
        kind=MeetingKind.GENERAL,
        title="基准测试党员大会",
        date=timezone.localdate(),
        scan_enabled=True,
    )
    Attendance.objects.bulk_create(
        [Attendance(meeting=meeting, member_id=u.member.pk) for u in users], batch_size=2000
    )
    return meeting


def _raw_inserts(meeting_id: int, member_ids: list[int]) -> float:
    """Seconds for single-row INSERTs of (meeting, member, status, time) into a scratch table,
    each its own transaction (autocommit), on the same connection."""
    from django.db import connection
    from django.utils import timezone

    with connection.cursor() as cursor:
        cursor.execute("DROP TABLE IF EXISTS bench_scan_scratch")
        cursor.execute(
            "CREATE TABLE bench_scan_scratch (meeting_id integer, member_id integer,"
            " status varchar(10), via varchar(10), recorded_at timestamp)"
        )
    insert = "INSERT INTO bench_scan_scratch VALUES (%s, %s, 'present', 'scan', %s)"
    started = time.perf_counter()
    for member_id in member_ids:
        with connection.cursor() as cursor:
            cursor.execute(insert, [meeting_id, member_id, timezone.now()])
    seconds = time.perf_counter() - started
    with connection.cursor() as cursor:
        cursor.execute("DROP TABLE bench_scan_scratch")
    return seconds


def _concurrent(users: list[Any], raw_rate: float) -> Row:
    """The same scans on a second meeting from many threads at once (PostgreSQL)."""
    import votes_cast
    from django.utils import timezone

    from dangjian.core.exceptions import DomainError
    from dangjian.meetings import scan as svc
    from dangjian.meetings.models import Attendance

    meeting = _meeting(users)

    def scanning(user: Any) -> str | None:
        now = timezone.now()
        try:
            svc.scan(actor=user, meeting=meeting, code=svc.current_code(meeting, now), now=now)
        except DomainError as exc:
            return exc.message
        return None

    seconds, refused = votes_cast.on_threads(_fresh(users), scanning)
    present = Attendance.objects.filter(meeting=meeting, status="present").count()
    assert not refused and present == len(users), (refused[:3], present)
    rate = len(users) / seconds
    return (
        f"  scan from {votes_cast.WORKERS} threads at once (no error, all present)",
        f"{seconds:.2f} s",
        f"{rate:,.0f} scans/s",
        f"{rate / raw_rate:.2f} × baseline rate",
    )
