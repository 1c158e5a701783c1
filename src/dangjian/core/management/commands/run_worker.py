"""`manage.py run_worker`: the background worker (后台服务). django-tasks-db's `db_worker`,
plus a scheduler thread that says the worker is alive, recovers tasks cut off by a restart and
enqueues the periodic jobs that are due (core.tasks, core.schedules). Run one or more.

Ctrl-C (SIGINT) or SIGTERM lets the running task finish, then stops; a second one stops at once
(the task's transaction is rolled back and the next worker to start recovers it)."""

from __future__ import annotations

import logging
import threading
from argparse import ArgumentParser
from typing import Any

from django.db import OperationalError, close_old_connections, connections
from django_tasks_db.management.commands.db_worker import Command as DbWorkerCommand

from dangjian.core import schedules, tasks

log = logging.getLogger(__name__)


class Scheduler(threading.Thread):
    """Beats, recovers interrupted tasks and enqueues due periodic jobs every `tick` seconds.
    Failures (SQLite busy while a long task writes) are logged and tried again next tick."""

    def __init__(self, worker_id: str, tick: float) -> None:
        super().__init__(name="scheduler", daemon=True)
        self.worker_id, self.tick = worker_id, tick
        self.stopped = threading.Event()

    def run(self) -> None:
        while not self.stopped.is_set():
            self.step()
            self.stopped.wait(self.tick)
        connections.close_all()

    def step(self) -> None:
        close_old_connections()
        for work in (
            lambda: tasks.beat(self.worker_id),
            tasks.recover_interrupted,
            schedules.enqueue_due,
        ):
            try:
                work()
            except OperationalError as exc:  # SQLite busy while a long task writes: next tick
                log.info("worker scheduler step skipped: %s", exc)
            except Exception:
                log.warning("worker scheduler step failed", exc_info=True)


class Command(DbWorkerCommand):
    help = "运行后台服务：执行后台任务（花名册校验、导入、导出等）和定时任务"

    def add_arguments(self, parser: ArgumentParser) -> None:
        super().add_arguments(parser)
        parser.add_argument(
            "--tick",
            type=float,
            default=5.0,
            help="seconds between the scheduler's rounds (default: %(default)s)",
        )
        # Reloading forks a child process; the scheduler thread belongs to one process only.
        parser.set_defaults(reload=False)

    def handle(self, *args: Any, **options: Any) -> None:
        tasks.mark_worker_process()
        worker_id = options["worker_id"]
        scheduler = Scheduler(worker_id, options.pop("tick"))
        scheduler.step()  # beat and recover before the first task is claimed
        scheduler.start()
        self.stdout.write(f"后台服务已启动（worker {worker_id[:8]}），按 Ctrl-C 停止。")
        try:
            super().handle(*args, **options)
        finally:
            scheduler.stopped.set()
            try:
                tasks.forget_worker(worker_id)
            except Exception:
                log.warning("could not remove the worker's beat", exc_info=True)
