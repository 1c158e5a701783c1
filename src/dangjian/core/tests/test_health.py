"""健康检查: /health/live/ answers while the process runs; /health/ is 200 only when the database
answers, every migration is applied, the worker's heartbeat is fresh and the documents' disk has
room, and names the failing check otherwise — to anyone, with no path or figure in it."""

from __future__ import annotations

import datetime as dt
from collections import namedtuple
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone

from dangjian.core import health
from dangjian.core.models import PeriodicRun

Usage = namedtuple("Usage", "total used free")


def _beat(seconds_ago: int) -> None:
    at = timezone.now() - dt.timedelta(seconds=seconds_ago)
    PeriodicRun.objects.update_or_create(name="votes.run_schedules",
                                         defaults={"next_at": at, "last_at": at})  # fmt: skip


def _get(client: Any) -> Any:
    return client.get(reverse("health"))


def test_liveness_answers_without_the_database(client: Any) -> None:
    # no database fixture: any query would raise here
    assert client.get(reverse("health-live")).json() == {"status": "ok"}


@pytest.mark.django_db
def test_ready_when_every_check_passes(client: Any, settings: Any) -> None:
    _beat(seconds_ago=10)
    answer = _get(client)
    assert answer.status_code == 200 and answer.json()["status"] == "ok"
    assert set(answer.json()["checks"]) == {"database", "migrations", "worker", "disk", "replica"}


@pytest.mark.django_db
def test_a_stale_worker_heartbeat_is_not_ready(client: Any, settings: Any) -> None:
    settings.DANGJIAN_WORKER_STALE_SECONDS = 180
    _beat(seconds_ago=170)
    assert _get(client).status_code == 200
    _beat(seconds_ago=190)
    answer = _get(client)
    assert answer.status_code == 503
    worker = answer.json()["checks"]["worker"]
    assert worker["ok"] is False and "后台任务进程" in worker["detail"]
    assert answer.json()["checks"]["database"]["ok"] is True  # the others still reported


@pytest.mark.django_db
def test_no_worker_ever_is_not_ready(client: Any) -> None:
    assert _get(client).json()["checks"]["worker"]["ok"] is False


@pytest.mark.django_db
def test_a_full_disk_is_not_ready_and_says_no_figure(
    client: Any, settings: Any, monkeypatch: Any
) -> None:
    _beat(seconds_ago=10)
    settings.DANGJIAN_MIN_FREE_DISK_MB = 500
    monkeypatch.setattr(health.shutil, "disk_usage", lambda p: Usage(10**12, 0, 499 * 2**20))
    answer = _get(client)
    assert answer.status_code == 503
    assert answer.json()["checks"]["disk"] == {
        "ok": False,
        "label": "材料存储空间",
        "detail": "材料存储所在磁盘剩余空间不足",
    }
    assert str(settings.DANGJIAN_DOCUMENT_DIR) not in answer.content.decode()
    monkeypatch.setattr(health.shutil, "disk_usage", lambda p: Usage(10**12, 0, 500 * 2**20))
    assert _get(client).status_code == 200


@pytest.mark.django_db
def test_pending_migrations_are_not_ready(client: Any, monkeypatch: Any) -> None:
    _beat(seconds_ago=10)
    monkeypatch.setattr(health.MigrationExecutor, "migration_plan", lambda self, targets: ["x"])
    answer = _get(client)
    assert answer.status_code == 503 and answer.json()["checks"]["migrations"]["ok"] is False


@pytest.mark.django_db
def test_a_check_that_raises_is_reported_not_raised(client: Any, monkeypatch: Any) -> None:
    def broken() -> None:
        raise OSError("/secret/path")

    monkeypatch.setattr(health, "CHECKS", (health._migrations, broken))
    answer = _get(client)
    assert answer.status_code == 503 and "/secret/path" not in answer.content.decode()
