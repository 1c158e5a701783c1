"""Steps of the worker-restart test (test_worker_restart.py), each run as its own process on
the database named by DATABASE_URL: `python -m dangjian.core.tests.worker_scenario STEP ...`.

  wait BATCH COND [PID]
                    polls until COND holds ("running": the import has started; "settled": the
                    batch is no longer being worked on), SIGKILLs process PID if given (at
                    once, so the kill lands inside the import), then prints the state as JSON
  state BATCH       prints the state as JSON now
  confirm BATCH     confirm the batch again, as the user does after an interruption, and
                    wait until it has settled
"""

from __future__ import annotations

import json
import os
import signal
import sys
import time
from typing import Any

import django

django.setup()

from dangjian.core.models import TaskProgress  # noqa: E402
from dangjian.members.models import Member  # noqa: E402
from dangjian.rosters import services  # noqa: E402
from dangjian.rosters.models import ImportBatch, ImportChange  # noqa: E402

PREFIX = "重启"  # the names of the members the import adds


def state(batch_id: int) -> dict[str, Any]:
    from django_tasks_db.models import DBTaskResult

    batch = ImportBatch.objects.get(pk=batch_id)
    return {
        "status": batch.status,
        "message": batch.message,
        "members": Member.objects.filter(name__startswith=PREFIX).count(),
        "changes": ImportChange.objects.filter(batch=batch).count(),
        "progress": TaskProgress.objects.filter(key=services.job_key(batch)).exists(),
        "tasks": sorted(
            f"{r.task_path.rsplit('.', 1)[-1]}:{r.status}:{r.exception_class_path}"
            for r in DBTaskResult.objects.all()
        ),
    }


def wait(batch_id: int, condition: str, kill: int = 0, timeout: float = 25.0) -> dict[str, Any]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        now = state(batch_id)
        running = now["status"] == ImportBatch.Status.APPLYING and now["progress"]
        settled = now["status"] != ImportBatch.Status.APPLYING
        if (condition == "running" and running) or (condition == "settled" and settled):
            if kill:
                os.kill(kill, signal.SIGKILL)
            return now
        time.sleep(0.01)
    raise SystemExit(f"timed out waiting for {condition}: {state(batch_id)}")


def confirm(batch_id: int) -> dict[str, Any]:
    batch = ImportBatch.objects.select_related("applied_by").get(pk=batch_id)
    services.confirm_import(actor=batch.applied_by, batch=batch, expected_version=batch.version)
    return wait(batch_id, "settled")


if __name__ == "__main__":
    step, *args = sys.argv[1:]
    if step == "wait":
        out = wait(int(args[0]), args[1], int(args[2]) if len(args) > 2 else 0)
    elif step == "state":
        out = state(int(args[0]))
    else:
        out = confirm(int(args[0]))
    print(json.dumps(out, ensure_ascii=False))
