"""A real worker process killed with SIGKILL in the middle of a roster import, then started
again: nothing is half written, the import is marked interrupted and can be confirmed again.

The import is prepared here (checked and confirmed, so it waits in the queue), the database
copied to a file (SQLite) or a database of its own (PostgreSQL, under scripts/with-postgres),
and every later step runs in its own process on that copy (worker_scenario.py)."""

from __future__ import annotations

import datetime as dt
import json
import os
import signal
import sqlite3
import subprocess
import sys
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.db import connection, connections

from dangjian.conftest import build_cast
from dangjian.core.tasks import run_queued
from dangjian.rosters import services
from dangjian.rosters.models import ImportBatch
from dangjian.rosters.testing import roster_row, xlsx

# The import must outlast the polling process's start-up (a second or two on a busy 2-core
# machine, where 300 rows were once applied before the first poll): the kill lands inside it.
ROWS = 1500


def prepare_import(rows: int) -> int:
    """A roster of `rows` new members, checked and confirmed: the import waits in the queue."""
    cast = build_cast()
    first = dt.date(1960, 1, 1)
    digits = "零一二三四五六七八九"
    roster = [
        roster_row("重启" + "".join(digits[int(d)] for d in str(i)), birth=first + dt.timedelta(i))
        for i in range(rows)
    ]
    batch = services.start_import(
        actor=cast.county_admin, org=cast.township, file_name="花名册.xlsx", data=xlsx(roster)
    )
    run_queued("prepare")
    batch.refresh_from_db()
    assert batch.status == ImportBatch.Status.READY, batch.message
    services.confirm_import(actor=cast.county_admin, batch=batch, expected_version=batch.version)
    return batch.pk


@contextmanager
def database_copy(tmp_path: Path) -> Iterator[dict[str, str]]:
    """The environment for the subprocesses: DATABASE_URL naming a copy of the test database
    as it is now, and this process's field key (the roster file is encrypted with it)."""
    env = {k: v for k, v in os.environ.items() if k != "DANGJIAN_JOBS_INLINE"}
    env.update(
        DANGJIAN_VAR_DIR=str(tmp_path),
        DANGJIAN_FIELD_KEY=settings.FIELD_ENCRYPTION_KEY,
        DANGJIAN_FIELD_KEY_FILE=str(settings.FIELD_ENCRYPTION_KEY_FILE),
        DJANGO_SETTINGS_MODULE="dangjian.settings",
    )
    if connection.vendor == "sqlite":
        path = tmp_path / "db.sqlite3"
        target = sqlite3.connect(path)
        connection.connection.backup(target)
        target.close()
        env["DATABASE_URL"] = f"sqlite:///{path}"
        yield env
        return
    import psycopg

    source, copy = connection.settings_dict["NAME"], f"worker_test_{uuid.uuid4().hex[:8]}"
    connections.close_all()  # a template database must have no other session
    admin_url = os.environ["DATABASE_URL"]
    with psycopg.connect(admin_url, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{copy}" TEMPLATE "{source}"')
    env["DATABASE_URL"] = admin_url.rsplit("/", 1)[0] + "/" + copy
    try:
        yield env
    finally:
        with psycopg.connect(admin_url, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{copy}" WITH (FORCE)')


def step(env: dict[str, str], *args: Any) -> dict[str, Any]:
    done = subprocess.run(
        [sys.executable, "-m", "dangjian.core.tests.worker_scenario", *map(str, args)],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def worker(env: dict[str, str]) -> subprocess.Popen[bytes]:
    command = ["run_worker", "--interval", "0.1", "--tick", "0.5", "--no-startup-delay", "-v", "0"]
    return subprocess.Popen(
        [sys.executable, "-m", "dangjian", *command], env=env, stdout=subprocess.DEVNULL
    )


@pytest.mark.django_db(transaction=True)  # committed data, to be copied for other processes
def test_an_import_killed_mid_run_leaves_nothing_half_done(tmp_path: Path, settings: Any) -> None:
    settings.TASKS = settings.TASKS_DATABASE
    batch = prepare_import(ROWS)
    with database_copy(tmp_path) as env:
        first = worker(env)
        try:
            running = step(env, "wait", batch, "running", first.pid)  # SIGKILLs it at once
        finally:
            first.kill()
            first.wait(10)
        assert running["status"] == "applying" and running["members"] == 0

        second = worker(env)
        try:
            recovered = step(env, "wait", batch, "settled")
            assert recovered["status"] == "ready" and "已中断" in recovered["message"]
            assert (recovered["members"], recovered["changes"]) == (0, 0)  # nothing half done
            assert "apply_batch:FAILED:dangjian.core.tasks.Interrupted" in recovered["tasks"]
            applied = step(env, "confirm", batch)  # the user confirms again; the worker imports
            assert applied["status"] == "applied" and applied["members"] == ROWS
        finally:
            second.send_signal(signal.SIGTERM)
            assert second.wait(15) == 0  # stops cleanly between tasks
