"""Two transfers of one member started at once: exactly one succeeds (PostgreSQL only: SQLite
has one writer at a time, so nothing there runs concurrently)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection

from dangjian.core.exceptions import DomainError
from dangjian.transfers import services
from dangjian.transfers.models import Transfer
from dangjian.votes.tests.test_concurrency import in_threads

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="needs PostgreSQL: concurrent transfers need concurrent writers (SQLite has one)",
    ),
]


def starting(tw: Any, to: Any) -> Callable[[], str]:
    def task() -> str:
        try:
            services.start_transfer(actor=tw.secretary, member=tw.member, to_org=to,
                                    reason="工作调动")  # fmt: skip
            return "ok"
        except DomainError as exc:
            return exc.message

    return task


@pytest.mark.parametrize("attempts", [2, 8])
def test_concurrent_transfers_of_one_member_exactly_one_succeeds(tw, attempts):
    targets = [tw.far_branch, tw.other_branch] * (attempts // 2)
    results = in_threads([starting(tw, to) for to in targets], workers=attempts)
    assert results.count("ok") == 1, results
    assert all("正在办理" in r for r in results if r != "ok")
    assert Transfer.objects.filter(member=tw.member).count() == 1
