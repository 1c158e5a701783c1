"""Background work (后台任务) on django-tasks, Django's task API backported, with its database
backend: the queue is a table, a worker process (`manage.py run_worker`) runs it, and no other
server is needed on SQLite or PostgreSQL.

- Declare a task with `@background(...)` on a module-level function whose arguments are plain
  JSON values (ids, not objects); start it with `fn.enqueue(*args)`. The task row is written in
  the caller's transaction, so it exists only if that transaction commits. Under
  DANGJIAN_JOBS_INLINE (tests) the immediate backend runs it at once, inside `enqueue`.
- Progress: `report_progress(key, done, total)` from inside the task (throttled to a write a
  second), `read_progress(key)` from any process; `clear_progress(key)` when it ends.
- A task cut off by a restart (the worker killed mid-run) is still marked running by a worker
  that is gone. `recover_interrupted` (run by every worker at start and then regularly) retries
  it up to `retries` times, then marks it failed and calls its `on_interrupt(*args)` hook, in
  one transaction, so its domain record (an import batch) says what happened and can be run
  again. The work itself writes its result in one transaction, so a killed task leaves nothing
  half-written: the database rolls the open transaction back.
"""

from __future__ import annotations

import logging
import os
import socket
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, ParamSpec, TypeVar

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connection, transaction
from django.utils import timezone
from django.utils.module_loading import import_string
from django_tasks import TaskResultStatus, task
from django_tasks.base import Task

from dangjian.core.models import TaskProgress, WorkerBeat

log = logging.getLogger(__name__)
P = ParamSpec("P")
T = TypeVar("T")

PROGRESS_ALIAS = "progress"  # a second connection to the same database (PostgreSQL only)
PROGRESS_EVERY = 1.0  # seconds between two progress writes of one task
DEAD_AFTER = timedelta(minutes=2)  # a worker on another host silent this long is gone
INTERRUPTED = "dangjian.core.tasks.Interrupted"


class Interrupted(Exception):
    """What a task cut off by a restart is marked failed with."""


@dataclass(frozen=True)
class Policy:
    retries: int
    on_interrupt: Callable[..., None] | None


_policies: dict[str, Policy] = {}


def background(
    *,
    retries: int = 0,
    on_interrupt: Callable[..., None] | None = None,
    priority: int = 0,
) -> Callable[[Callable[P, T]], Task[P, T]]:
    """Make a function a background task. A run cut off by a restart is enqueued again up to
    `retries` times (only for work that is safe to repeat), then marked failed and handed to
    `on_interrupt`, called with the task's arguments inside the transaction that marks it."""

    def declare(func: Callable[P, T]) -> Task[P, T]:
        declared: Task[P, T] = task(priority=priority)(func)
        _policies[declared.module_path] = Policy(retries, on_interrupt)
        return declared

    return declare


# ---- progress -------------------------------------------------------------------------------

_in_worker = False
_last_write: dict[str, float] = {}


def mark_worker_process() -> None:
    """Called by `run_worker`: from now on progress written inside a transaction goes through
    the side connection (it would be invisible in the task's own transaction until commit)."""
    global _in_worker
    _in_worker = True


def report_progress(key: str, done: int, total: int) -> None:
    """Record that `done` of `total` are done, at most once a second (and always the last)."""
    now = time.monotonic()
    last = _last_write.get(key)
    if last is not None and now - last < PROGRESS_EVERY and done < total:
        return
    alias = _progress_alias()
    if alias is None:
        return
    _last_write[key] = now
    TaskProgress.objects.using(alias).update_or_create(
        key=key, defaults={"done": done, "total": total, "updated_at": timezone.now()}
    )


def _progress_alias() -> str | None:
    """The default connection, unless a worker's task is inside its own transaction: then the
    side connection where there is one (PostgreSQL); SQLite lets no second writer in while a
    transaction writes, so progress pauses there until it commits."""
    if not (_in_worker and connection.in_atomic_block):
        return DEFAULT_DB_ALIAS
    return PROGRESS_ALIAS if PROGRESS_ALIAS in settings.DATABASES else None


def read_progress(key: str) -> tuple[int, int] | None:
    """(done, total) of a running task, or None before its first report."""
    row = TaskProgress.objects.filter(key=key).values_list("done", "total").first()
    return (row[0], row[1]) if row else None


def clear_progress(key: str) -> None:
    _last_write.pop(key, None)
    TaskProgress.objects.filter(key=key).delete()


# ---- workers and interrupted tasks ------------------------------------------------------------


def beat(worker_id: str) -> None:
    """This worker is alive (called every few seconds by run_worker's scheduler thread)."""
    now = timezone.now()
    defaults = {"host": socket.gethostname(), "pid": os.getpid(), "beat_at": now}
    WorkerBeat.objects.update_or_create(
        worker_id=worker_id, defaults=defaults, create_defaults={**defaults, "started_at": now}
    )


def forget_worker(worker_id: str) -> None:
    WorkerBeat.objects.filter(worker_id=worker_id).delete()


def live_workers(now: Any = None) -> set[str]:
    """Workers that are running: on this host, those whose process exists; elsewhere, those
    that beat within DEAD_AFTER."""
    now = now or timezone.now()
    here = socket.gethostname()
    alive = set()
    for beat_row in WorkerBeat.objects.all():
        if beat_row.host == here:
            if _pid_alive(beat_row.pid) and not _reused(beat_row.pid, beat_row.started_at):
                alive.add(beat_row.worker_id)
        elif now - beat_row.beat_at < DEAD_AFTER:
            alive.add(beat_row.worker_id)
    return alive


def worker_running() -> bool:
    """Whether any worker is running now (for pages that wait on one)."""
    return bool(live_workers())


def _reused(pid: int, since: datetime) -> bool:
    """Whether process `pid` started after `since` (its worker's first beat): then it is
    another process that got the dead worker's pid, as a restarted container's worker does
    (same host name, same small pid) — else that worker's tasks would stay running for ever.
    False where the start time cannot be read (only Linux's /proc says it)."""
    started = _process_start(pid)
    return started is not None and started > since + REUSE_SLACK


REUSE_SLACK = timedelta(seconds=2)  # /proc/stat's boot time is whole seconds


def _process_start(pid: int) -> datetime | None:
    try:
        # Field 22 (starttime, clock ticks after boot); the name before it may hold spaces.
        ticks = int(Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[19])
        boot = next(
            int(line.split()[1])
            for line in Path("/proc/stat").read_text().splitlines()
            if line.startswith("btime ")
        )
        return datetime.fromtimestamp(boot + ticks / os.sysconf("SC_CLK_TCK"), tz=UTC)
    except (OSError, ValueError, IndexError, StopIteration):
        return None


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def recover_interrupted() -> list[str]:
    """Tasks marked running by a worker that is gone: retried or marked interrupted (see the
    module docstring). Returns the ids of the tasks handled."""
    from django_tasks_db.models import DBTaskResult

    alive = live_workers()
    handled = []
    for result in DBTaskResult.objects.running().only("id", "worker_ids"):
        owner = result.worker_ids[-1] if result.worker_ids else None
        if owner not in alive and _recover(result.pk):
            handled.append(str(result.pk))
    WorkerBeat.objects.filter(beat_at__lt=timezone.now() - 10 * DEAD_AFTER).delete()
    return handled


def _policy(task_path: str) -> Policy:
    if task_path not in _policies:
        try:
            import_string(task_path)  # declares the task, and so its policy
        except ImportError:
            log.warning("interrupted task %s no longer exists", task_path)
    return _policies.get(task_path, Policy(0, None))


def _recover(pk: Any) -> bool:
    from django_tasks_db.models import DBTaskResult

    with transaction.atomic():
        result = DBTaskResult.objects.select_for_update().filter(pk=pk).first()
        if result is None or result.status != TaskResultStatus.RUNNING:
            return False  # another worker got there first
        policy = _policy(result.task_path)
        attempts = len(result.worker_ids)
        if attempts <= policy.retries:
            log.warning("task %s (%s) was interrupted; running it again", pk, result.task_path)
            result.status, result.started_at = TaskResultStatus.READY, None
            result.save(update_fields=["status", "started_at"])
            return True
        log.warning("task %s (%s) was interrupted; marked failed", pk, result.task_path)
        result.status, result.finished_at = TaskResultStatus.FAILED, timezone.now()
        result.exception_class_path = INTERRUPTED
        result.traceback = f"worker {result.worker_ids[-1:]} stopped while running the task"
        result.save(update_fields=["status", "finished_at", "exception_class_path", "traceback"])
        if policy.on_interrupt is not None:
            args = result.args_kwargs
            policy.on_interrupt(*args.get("args", []), **args.get("kwargs", {}))
    return True


def run_queued(worker_id: str = "inline") -> int:
    """Run every task waiting in the database now, in this process, as a worker would (tests
    on the database backend); returns how many ran. Unlike the worker's loop it never closes
    the connection, so it also works inside a test's transaction."""
    from django_tasks_db.management.commands.db_worker import Worker
    from django_tasks_db.models import DBTaskResult
    from django_tasks_db.utils import exclusive_transaction

    worker = Worker(
        queue_names=["*"],
        interval=0,
        batch=True,
        backend_name="default",
        startup_delay=False,
        max_tasks=None,
        worker_id=worker_id,
        excluded_queue_names=[],
    )
    ran = 0
    while True:
        with exclusive_transaction():
            result = DBTaskResult.objects.ready().get_locked()
            if result is None:
                return ran
            result.claim(worker_id)
        worker.run_task(result)
        ran += 1
