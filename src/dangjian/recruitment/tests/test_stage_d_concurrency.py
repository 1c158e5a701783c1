"""Two approvals of the same file at once write one register record (PostgreSQL only: SQLite
has one writer at a time, so nothing there runs concurrently)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.db import connection

from dangjian.conftest import Cast
from dangjian.core.exceptions import DomainError
from dangjian.members.models import Member
from dangjian.recruitment import services
from dangjian.recruitment.models import Applicant
from dangjian.recruitment.testing import approver_for, file_at
from dangjian.votes.tests.test_concurrency import in_threads

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="needs PostgreSQL: concurrent approvals need concurrent writers (SQLite has one)",
    ),
]
TALKED_ON = dt.date(2026, 3, 20)


def test_simultaneous_approvals_create_one_member(cast: Cast) -> None:
    approver = approver_for(cast.branch)
    a = file_at(Applicant.Status.VOTED, cast.branch, on=TALKED_ON, secretary=cast.secretary,
                approver=approver)  # fmt: skip
    data = {"version": a.version, "on": TALKED_ON, "note": ""}

    def approving() -> str:
        mine = Applicant.objects.get(pk=a.pk)
        try:
            services.STEPS["approve"](approver, mine, data, True)
        except DomainError as exc:
            return exc.message
        return "ok"

    outcomes: list[Any] = in_threads([approving for _ in range(4)], workers=4)
    assert outcomes.count("ok") == 1, outcomes
    assert Member.objects.filter(name="王小明").count() == 1
    a.refresh_from_db()
    assert a.member is not None and a.status == Applicant.Status.PROBATIONARY
