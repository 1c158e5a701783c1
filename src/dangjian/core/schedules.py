"""Periodic work (定时任务), run from the worker: the statistics fold, the poll schedules, and
whatever else an app registers (reminders, retention purges).

Register a plain function that takes no arguments in the app's `schedules.py` module (found
by autodiscovery, like `admin.py`), one line each:

    periodic(every=timedelta(minutes=1), name="votes.run_schedule")(services.run_schedule)

or as a decorator on a function defined there. `run_worker`'s scheduler thread calls
`enqueue_due()` every few seconds; a due job is enqueued as the task `run_periodic(name)` and
runs like any other task. Whether a run is due is decided by one conditional UPDATE of its
`PeriodicRun` row (`next_at <= now` → `next_at = now + every`), so with two workers exactly one
of them enqueues it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from django.core.management import call_command
from django.db import transaction
from django.utils import timezone
from django.utils.module_loading import autodiscover_modules

from dangjian.core.models import PeriodicRun
from dangjian.core.tasks import background

F = TypeVar("F", bound=Callable[[], Any])


@dataclass(frozen=True)
class Periodic:
    name: str
    every: dt.timedelta
    func: Callable[[], Any]


_registry: dict[str, Periodic] = {}


def periodic(*, every: dt.timedelta, name: str = "") -> Callable[[F], F]:
    """Run the decorated function (no arguments) every `every`, from the worker."""

    def register(func: F) -> F:
        key = name or f"{func.__module__}.{func.__qualname__}"
        _registry[key] = Periodic(key, every, func)
        return func

    return register


def registered() -> dict[str, Periodic]:
    """Every periodic job of the installed apps (their `schedules` modules imported once)."""
    autodiscover_modules("schedules")
    return dict(_registry)


@background()
def run_periodic(name: str) -> None:
    """The task a due periodic job runs as."""
    registered()[name].func()


def enqueue_due(now: dt.datetime | None = None) -> list[str]:
    """Enqueue each registered job whose time has come, once; the names enqueued."""
    now = now or timezone.now()
    jobs = registered()
    PeriodicRun.objects.bulk_create(
        [PeriodicRun(name=name, next_at=now) for name in jobs], ignore_conflicts=True
    )
    enqueued = []
    for name, job in jobs.items():
        with transaction.atomic():
            due = PeriodicRun.objects.filter(name=name, next_at__lte=now)
            if due.update(next_at=now + job.every, last_at=now):
                run_periodic.enqueue(name)
                enqueued.append(name)
    return enqueued


TASK_RESULTS_KEPT_DAYS = 14


def prune_task_results() -> None:
    """Finished task rows older than two weeks go (the periodic runs alone add thousands a
    day); django-tasks-db's own command does it."""
    call_command(
        "prune_db_task_results", queue_name="*", min_age_days=TASK_RESULTS_KEPT_DAYS, verbosity=0
    )


periodic(every=dt.timedelta(hours=6), name="core.prune_task_results")(prune_task_results)
