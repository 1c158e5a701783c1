"""Periodic jobs (core.schedules): each due run enqueued once, by whichever worker gets there."""

from __future__ import annotations

import datetime as dt
import threading
from typing import Any

import pytest
from django.core.management import call_command
from django.db import connection
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from dangjian.core import schedules
from dangjian.core.models import PeriodicRun
from dangjian.core.tasks import run_queued

pytestmark = pytest.mark.django_db

runs: list[str] = []


@schedules.periodic(every=dt.timedelta(minutes=10), name="test.tick")
def tick() -> None:
    runs.append("tick")


def test_the_apps_register_the_statistics_fold_and_the_poll_schedule() -> None:
    names = {
        "stats.fold",
        "votes.run_schedule",
        "core.prune_task_results",
        "accounts.send_due_reminders",
    }
    assert names <= set(schedules.registered())


def test_a_due_job_is_enqueued_once_until_its_interval_has_passed(settings: Any) -> None:
    settings.TASKS = settings.TASKS_DATABASE
    now = timezone.now()
    assert "test.tick" in schedules.enqueue_due(now)
    assert "test.tick" not in schedules.enqueue_due(now)  # a second worker, the same moment
    assert "test.tick" not in schedules.enqueue_due(now + dt.timedelta(minutes=10, seconds=-1))
    assert "test.tick" in schedules.enqueue_due(now + dt.timedelta(minutes=10))
    queued = DBTaskResult.objects.filter(args_kwargs__args=["test.tick"])
    assert queued.count() == 2
    runs.clear()
    run_queued()
    assert runs == ["tick", "tick"]


def test_a_worker_that_saw_an_old_next_run_time_enqueues_nothing(settings: Any) -> None:
    """Two workers read the row at once; only the first conditional UPDATE matches."""
    settings.TASKS = settings.TASKS_DATABASE
    now = timezone.now()
    schedules.enqueue_due(now)
    PeriodicRun.objects.filter(name="test.tick").update(next_at=now)  # due again, now
    first = schedules.enqueue_due(now)
    second = schedules.enqueue_due(now)
    assert "test.tick" in first and "test.tick" not in second


def test_run_poll_schedule_still_moves_polls_by_hand() -> None:
    call_command("run_poll_schedule")  # nothing due: says so, changes nothing


def test_finished_tasks_are_pruned_after_two_weeks(settings: Any) -> None:
    settings.TASKS = settings.TASKS_DATABASE
    for _ in range(2):
        schedules.run_periodic.enqueue("test.tick")
    run_queued()
    old, recent = DBTaskResult.objects.all()
    two_weeks = timezone.now() - dt.timedelta(days=schedules.TASK_RESULTS_KEPT_DAYS)
    DBTaskResult.objects.filter(pk=old.pk).update(finished_at=two_weeks - dt.timedelta(hours=1))
    DBTaskResult.objects.filter(pk=recent.pk).update(finished_at=two_weeks + dt.timedelta(hours=1))
    schedules.prune_task_results()
    assert list(DBTaskResult.objects.values_list("pk", flat=True)) == [recent.pk]


@pytest.mark.django_db(transaction=True)
def test_two_workers_at_the_same_moment_enqueue_a_due_run_once(settings: Any) -> None:
    """Two threads, two connections, one barrier: only one conditional UPDATE matches.
    PostgreSQL only: the SQLite test database is in memory, shared by threads without waits."""
    if connection.vendor != "postgresql":
        pytest.skip("needs two real connections writing at once (scripts/with-postgres)")
    settings.TASKS = settings.TASKS_DATABASE
    now = timezone.now()
    barrier, enqueued = threading.Barrier(2), []

    def worker() -> None:
        try:
            barrier.wait()
            enqueued.append(schedules.enqueue_due(now))
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert sorted("test.tick" in names for names in enqueued) == [False, True]
    assert DBTaskResult.objects.filter(args_kwargs__args=["test.tick"]).count() == 1
