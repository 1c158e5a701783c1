"""只读副本 routing (core.replica) against the suite's mirror of the test database.

Reads go to the replica only inside `replica_ok` and outside any transaction on the primary,
so the routing itself is shown on real transactions (`transaction=True`); the test against a
real streaming replica that lags and stops is test_replica_faults (make test-faults).
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterator
from typing import Any

import pytest
from django.db import DEFAULT_DB_ALIAS, OperationalError, connections, transaction
from django.http import HttpResponse
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from dangjian.core import replica
from dangjian.core.models import PeriodicRun
from dangjian.members.models import Member
from dangjian.testing import make_id_number

REAL = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def _fresh_reading() -> Iterator[None]:
    replica.forget()
    yield
    replica.forget()


class Counted:
    """Queries sent to each database inside the block."""

    def __enter__(self) -> Counted:
        self.contexts = {a: CaptureQueriesContext(connections[a]) for a in ("default", "replica")}
        for context in self.contexts.values():
            context.__enter__()
        return self

    def __exit__(self, *exc: object) -> None:
        for context in self.contexts.values():
            context.__exit__(None, None, None)

    def __getitem__(self, alias: str) -> int:
        return len(self.contexts[alias].captured_queries)


def _report(client: Any, cast: Any) -> tuple[Any, Counted]:
    with Counted() as counted:
        response = client.get(reverse("stats:report"), {"org": cast.branch.pk})
    assert response.status_code == 200
    return response, counted


def _new_member(cast: Any) -> dict[str, Any]:
    birth = dt.date(1994, 4, 4)
    return {
        "name": "孙丽", "gender": "F", "ethnicity": "01", "birth_date": birth.isoformat(),
        "id_number": make_id_number(birth, "F"), "education": "ba", "person_category": "prof",
        "org": cast.branch.pk, "join_date": "2018-06-20", "full_date": "2019-06-20",
    }  # fmt: skip


def test_the_suite_has_a_mirror_and_the_router() -> None:
    router = replica.ReplicaRouter()
    assert replica.configured()
    assert router.db_for_write(Member) == DEFAULT_DB_ALIAS
    assert router.allow_migrate("replica", "members") is False
    assert router.allow_migrate("default", "members") is True
    assert router.allow_migrate("progress", "members") is False  # a second connection to default


@pytest.mark.django_db
def test_inside_a_transaction_every_read_is_the_primarys(cast: Any) -> None:
    assert connections[DEFAULT_DB_ALIAS].in_atomic_block  # the test's own transaction
    with replica.replica_ok() as alias:
        assert alias == DEFAULT_DB_ALIAS and replica.read_alias() == DEFAULT_DB_ALIAS
        assert Member.objects.filter(pk=cast.member.pk).exists()


@REAL
def test_a_report_reads_the_replica_and_a_writer_the_primary_for_a_while(
    cast: Any, settings: Any
) -> None:
    settings.DANGJIAN_REPLICA_STICKY_SECONDS = 30
    secretary = cast.client(cast.secretary)
    response, counted = _report(secretary, cast)
    assert response.context["report"].total == 1 and counted["replica"] > 0
    assert counted["default"] > 0  # login, scope and form: never from the replica
    assert replica.COOKIE not in response.cookies  # a page that only reads

    written = secretary.post(reverse("members:create"), _new_member(cast))
    assert written.status_code == 302 and replica.COOKIE in written.cookies

    response, counted = _report(secretary, cast)
    assert response.context["report"].total == 2 and counted["replica"] == 0
    other, counted = _report(cast.client(cast.county_admin), cast)  # someone else: replica
    assert other.context["report"].total == 2 and counted["replica"] > 0

    settings.DANGJIAN_REPLICA_STICKY_SECONDS = 0  # the window has passed
    response, counted = _report(secretary, cast)
    assert counted["replica"] > 0


@REAL
def test_a_failed_post_and_a_page_that_only_reads_leave_no_mark(cast: Any) -> None:
    secretary = cast.client(cast.secretary)
    refused = secretary.post(reverse("members:create"), {**_new_member(cast), "id_number": "1"})
    assert refused.status_code == 200 and replica.COOKIE not in refused.cookies
    assert not Member.objects.filter(name="孙丽").exists()
    assert replica.COOKIE not in secretary.get(reverse("stats:report")).cookies

    def writes_on_get(request: Any) -> HttpResponse:
        now = timezone.now()
        PeriodicRun.objects.create(name="a page that writes", next_at=now, last_at=now)
        return HttpResponse("")

    response = replica.StickyMiddleware(writes_on_get)(RequestFactory().get("/"))
    assert replica.COOKIE in response.cookies  # the router saw the write


@REAL
def test_a_lagging_or_silent_replica_sends_reads_to_the_primary_and_says_so(
    cast: Any, settings: Any, monkeypatch: Any, caplog: Any
) -> None:
    settings.DANGJIAN_REPLICA_MAX_LAG_SECONDS = 30
    client = cast.client(cast.county_admin)
    now = timezone.now()
    PeriodicRun.objects.create(name="votes.run_schedules", next_at=now, last_at=now)

    monkeypatch.setattr(replica, "lag_seconds", lambda: 30.0)  # at the limit: still fine
    assert _report(client, cast)[1]["replica"] > 0
    replica.forget()
    monkeypatch.setattr(replica, "lag_seconds", lambda: 31.0)
    with caplog.at_level(logging.WARNING, logger="dangjian.core.replica"):
        assert _report(client, cast)[1]["replica"] == 0
    assert "behind" in caplog.text
    health = client.get(reverse("health"))
    body = health.json()
    assert health.status_code == 200 and body["status"] == "degraded"
    assert body["checks"]["replica"] == {
        "ok": False,
        "label": "只读副本",
        "detail": "只读副本同步滞后，报表暂从主库读取",
    }
    assert "31" not in health.content.decode()

    def down() -> float:
        raise OperationalError("connection refused")

    monkeypatch.setattr(replica, "lag_seconds", down)
    replica.forget()
    assert _report(client, cast)[1]["replica"] == 0
    body = client.get(reverse("health")).json()
    assert body["status"] == "degraded" and "无法连接" in body["checks"]["replica"]["detail"]


@REAL
def test_a_replica_that_breaks_mid_way_is_read_again_from_the_primary(
    cast: Any, monkeypatch: Any
) -> None:
    calls = []

    @replica.replica_ok()
    def count_members() -> int:
        calls.append(replica.read_alias())
        if len(calls) == 1:
            raise OperationalError("server closed the connection unexpectedly")
        return Member.objects.count()

    monkeypatch.setattr(replica, "_replica_broken", lambda: True)
    assert count_members() == Member.objects.count()
    assert calls == ["replica", "default"]
    assert replica.reading().state == "down"  # until the next reading


@REAL
def test_a_task_reads_the_replica_only_once_it_has_the_tasks_own_row(
    cast: Any, monkeypatch: Any
) -> None:
    with replica.replica_ok(seen=cast.member) as alias:
        assert alias == "replica"
    monkeypatch.setattr(replica, "_replica_has", lambda row: False)  # not replayed yet
    with replica.replica_ok(seen=cast.member) as alias:
        assert alias == DEFAULT_DB_ALIAS
    with replica.primary_only(), replica.replica_ok() as alias:
        assert alias == DEFAULT_DB_ALIAS


@REAL
def test_without_a_replica_nothing_changes(cast: Any, monkeypatch: Any) -> None:
    monkeypatch.setattr(replica, "configured", lambda: False)
    secretary = cast.client(cast.secretary)
    with replica.replica_ok() as alias:
        assert alias == DEFAULT_DB_ALIAS
    written = secretary.post(reverse("members:create"), _new_member(cast))
    assert written.status_code == 302 and replica.COOKIE not in written.cookies
    assert "replica" not in secretary.get(reverse("health")).json()["checks"]
    with transaction.atomic():
        assert replica.read_alias() == DEFAULT_DB_ALIAS
