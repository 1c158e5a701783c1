"""Two managers saving the same station or help record at once, both from version 1: exactly one
save wins, the other is told to reload (PostgreSQL only: SQLite has one writer at a time)."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.db import connection

from dangjian.accounts.scope import scope_for
from dangjian.conftest import Cast
from dangjian.core.exceptions import ConcurrentEditError
from dangjian.stations import services
from dangjian.stations.models import HelpRecord, Station
from dangjian.stations.testing import make_help, make_station
from dangjian.votes.tests.test_concurrency import in_threads

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="needs PostgreSQL: concurrent saves need concurrent writers (SQLite has one)",
    ),
]


def _saving(save: Callable[[], object]) -> Callable[[], str]:
    def task() -> str:
        try:
            save()
        except ConcurrentEditError:
            return "stale"
        return "ok"

    return task


def test_two_simultaneous_station_edits_leave_exactly_one(cast: Cast) -> None:
    make_station(cast.secretary, cast.branch)
    for user in (cast.secretary, cast.township_admin):
        scope_for(user)

    def edit(user: object, hours: str) -> Callable[[], object]:
        return lambda: services.update_station(
            actor=user, station=Station.objects.get(), expected_version=1,
            values={"opening_hours": hours},
        )  # fmt: skip

    results = in_threads(
        [_saving(edit(cast.secretary, "周一")), _saving(edit(cast.township_admin, "周二"))],
        workers=2,
    )
    assert sorted(results) == ["ok", "stale"]
    station = Station.objects.get()
    assert station.version == 2 and station.opening_hours in ("周一", "周二")


def test_two_simultaneous_help_edits_leave_exactly_one(cast: Cast) -> None:
    make_help(cast.secretary, cast.member)
    for user in (cast.secretary, cast.county_admin):
        scope_for(user)

    def edit(user: object, outcome: str) -> Callable[[], object]:
        return lambda: services.update_help(
            actor=user, record=HelpRecord.objects.get(), expected_version=1,
            values={"outcome": outcome},
        )  # fmt: skip

    results = in_threads(
        [_saving(edit(cast.secretary, "已上岗")), _saving(edit(cast.county_admin, "未上岗"))],
        workers=2,
    )
    assert sorted(results) == ["ok", "stale"]
    assert HelpRecord.objects.get().version == 2
