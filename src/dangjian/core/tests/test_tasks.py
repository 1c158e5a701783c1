"""Background tasks (core.tasks): stored progress, workers that are gone, interrupted tasks."""

from __future__ import annotations

import datetime as dt
import os
import socket
import subprocess
import sys
from typing import Any

import pytest
import time_machine
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from dangjian.core import tasks
from dangjian.core.models import TaskProgress, WorkerBeat

pytestmark = pytest.mark.django_db

calls: list[tuple[str, Any]] = []


def _interrupted(n: int) -> None:
    calls.append(("interrupted", n))


@tasks.background(retries=1, on_interrupt=_interrupted)
def repeatable(n: int) -> int:
    calls.append(("ran", n))
    return n


@tasks.background(on_interrupt=_interrupted)
def once_only(n: int) -> None:
    calls.append(("ran", n))


def queued_running(declared: Any, settings: Any, *args: Any, worker: str = "gone") -> Any:
    """The task as a killed worker leaves it: claimed, marked running, never finished."""
    settings.TASKS = settings.TASKS_DATABASE
    result = declared.enqueue(*args)
    DBTaskResult.objects.filter(pk=result.id).update(status="RUNNING", worker_ids=[worker])
    return result


def test_progress_is_stored_and_read_back_from_the_database() -> None:
    tasks.report_progress("t:1", 5, 10)
    assert tasks.read_progress("t:1") == (5, 10)
    assert TaskProgress.objects.get(key="t:1").done == 5
    tasks.clear_progress("t:1")
    assert tasks.read_progress("t:1") is None


def test_progress_is_written_at_most_once_a_second_but_always_the_last_step() -> None:
    with time_machine.travel(timezone.now(), tick=False):
        tasks.report_progress("t:2", 1, 100)
        tasks.report_progress("t:2", 2, 100)  # within the second: not written
        assert tasks.read_progress("t:2") == (1, 100)
        tasks.report_progress("t:2", 100, 100)
        assert tasks.read_progress("t:2") == (100, 100)
    tasks.clear_progress("t:2")


def test_a_task_cut_off_is_run_again_while_it_has_retries_left(settings: Any) -> None:
    result = queued_running(repeatable, settings, 7)
    assert tasks.recover_interrupted() == [str(result.id)]
    assert DBTaskResult.objects.get(pk=result.id).status == "READY"
    tasks.run_queued()
    assert DBTaskResult.objects.get(pk=result.id).return_value == 7


def test_a_task_cut_off_with_no_retries_left_is_marked_and_its_hook_called(settings: Any) -> None:
    calls.clear()
    result = queued_running(once_only, settings, 3)
    tasks.recover_interrupted()
    row = DBTaskResult.objects.get(pk=result.id)
    assert row.status == "FAILED" and row.exception_class_path == tasks.INTERRUPTED
    assert calls == [("interrupted", 3)]  # never run again unasked
    assert tasks.recover_interrupted() == []  # handled once


def test_a_running_task_of_a_live_worker_is_left_alone(settings: Any) -> None:
    tasks.beat("alive")  # this test process: its pid exists
    result = queued_running(once_only, settings, 1, worker="alive")
    assert tasks.recover_interrupted() == []
    assert DBTaskResult.objects.get(pk=result.id).status == "RUNNING"


def test_a_worker_is_gone_when_its_process_is_gone_or_it_fell_silent_elsewhere() -> None:
    ended = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"],
        check=True,
        capture_output=True,
        text=True,
    )
    now = timezone.now()
    here, pid = socket.gethostname(), os.getpid()
    WorkerBeat.objects.create(worker_id="me", host=here, pid=pid, started_at=now, beat_at=now)
    dead_pid = int(ended.stdout)
    WorkerBeat.objects.create(
        worker_id="dead", host=here, pid=dead_pid, started_at=now, beat_at=now
    )
    for name, silent in (("quiet", tasks.DEAD_AFTER), ("recent", tasks.DEAD_AFTER / 2)):
        beat_at = now - silent
        WorkerBeat.objects.create(
            worker_id=name, host="other", pid=1, started_at=now, beat_at=beat_at
        )
    assert tasks.live_workers(now) == {"me", "recent"}


def test_a_worker_whose_pid_another_process_got_is_gone() -> None:
    """A restarted container's worker often gets the dead one's pid (same host name too):
    that pid's process started after the dead worker's first beat, so it is not that worker."""
    here, pid = socket.gethostname(), os.getpid()
    started = tasks._process_start(pid)
    assert started is not None and started <= timezone.now()
    for name, first_beat in (
        ("mine", started + tasks.REUSE_SLACK),  # this process: began before its first beat
        ("before-me", started - dt.timedelta(hours=1)),  # a worker that had this pid before
    ):
        WorkerBeat.objects.create(
            worker_id=name, host=here, pid=pid, started_at=first_beat, beat_at=timezone.now()
        )
    assert tasks.live_workers() == {"mine"}
