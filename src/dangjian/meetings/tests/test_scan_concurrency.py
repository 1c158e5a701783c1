"""A whole branch scanning within a minute: every scan succeeds, nothing waits on the meeting
(PostgreSQL only: SQLite has one writer at a time, so nothing there runs concurrently)."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
from django.db import connection

from dangjian.accounts.scope import scope_for
from dangjian.audit.models import AuditEvent
from dangjian.conftest import Cast
from dangjian.core.exceptions import DomainError
from dangjian.meetings import scan as svc
from dangjian.meetings.models import Attendance
from dangjian.meetings.tests.scan_helpers import NOW, later, meeting_with_list, members_with_logins
from dangjian.members.models import Member

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="needs PostgreSQL: concurrent scans need concurrent writers (SQLite has one)",
    ),
]
MEMBERS = 200
WORKERS = 8


def test_200_members_scanning_at_once_all_succeed(cast: Cast) -> None:
    users = members_with_logins(cast.branch, MEMBERS)
    members = list(Member.objects.filter(user__in=users))
    meeting = meeting_with_list(cast.branch, members)
    code = svc.current_code(meeting, NOW)
    go = threading.Event()

    def scanning(user: Any, i: int) -> str:
        go.wait()
        try:
            scope_for(user)
            # spread over the window and the next: all within the accepted two
            svc.scan(actor=user, meeting=meeting, code=code, now=later(i % 20))
            return "ok"
        except DomainError as exc:
            return exc.message
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=WORKERS) as pool:
        futures = [pool.submit(scanning, u, i) for i, u in enumerate(users)]
        go.set()
        results = [f.result(timeout=60) for f in futures]
    assert results == ["ok"] * MEMBERS
    present = Attendance.objects.filter(meeting=meeting, status="present", via="scan")
    assert present.count() == MEMBERS
    assert AuditEvent.objects.filter(action="meetings.scan").count() == MEMBERS
