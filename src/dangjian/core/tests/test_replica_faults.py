"""只读副本 against a real streaming replica (core.replica; make test-faults).

A primary (wal_level=replica) and a standby made by pg_basebackup, Django in a driver process
(replica_driver) with DATABASE_URL and DATABASE_REPLICA_URL. The replica is made to lag by
pausing its replay (pg_wal_replay_pause) while the branch secretary registers a member:

* the county's report reads the replica and shows the old figure while the lag is under the
  limit; the secretary, within the sticky window after the write, sees the new one;
* over the limit, and with the replica stopped, reports read the primary: new figure, no error,
  /health/ 200 "degraded" with no figure;
* a background roster export reads the replica only once it has replayed the export's job;
* nothing but reads was ever sent to the replica (a write there would fail on a standby).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from dangjian import pgtest

pytestmark = [
    pytest.mark.faults,
    pytest.mark.skipif(not pgtest.available(), reason="no PostgreSQL server binaries"),
]

PROJECT = Path(__file__).resolve().parents[4]
SRC = PROJECT / "src"


class Driver:
    def __init__(self, env: dict[str, str]) -> None:
        self.process = subprocess.Popen(
            [sys.executable, "-m", "dangjian.core.tests.replica_driver"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=env,
            cwd=PROJECT,
        )

    def __call__(self, op: str, **args: Any) -> Any:
        assert self.process.stdin is not None and self.process.stdout is not None
        self.process.stdin.write(json.dumps({"op": op, **args}) + "\n")
        self.process.stdin.flush()
        line = self.process.stdout.readline()
        assert line, f"driver died: {self.stop()}"
        answer = json.loads(line)
        assert "error" not in answer, answer["error"]
        return answer

    def stop(self) -> str:
        """Ends the driver; returns what it logged (stderr)."""
        assert self.process.stdin is not None and self.process.stderr is not None
        self.process.stdin.close()
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()
        return self.process.stderr.read()


def _until(check: Any, what: str, timeout: float = 20) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if result := check():
            return result
        time.sleep(0.05)
    raise AssertionError(f"timed out waiting for {what}")


def _caught_up(drive: Driver) -> None:
    _until(lambda: drive("reading") == {"state": "ok", "lag": 0.0}, "the replica to catch up")


def test_reports_read_the_replica_until_it_lags_or_stops(tmp_path: Path) -> None:
    with pgtest.scratch_root() as root:
        # Commits need not wait for the disk here: this test is about where reads go.
        conf = {"wal_level": "replica", "synchronous_commit": "off"}
        primary = pgtest.PgServer(root, "primary", conf).init()
        replica = pgtest.PgServer(root, "replica").replica_of(primary)
        env = {
            **os.environ,
            "PYTHONPATH": str(SRC),
            "DATABASE_URL": primary.url(),
            "DATABASE_REPLICA_URL": replica.url(),
            "DANGJIAN_VAR_DIR": str(tmp_path),
            "DANGJIAN_EXPORT_INLINE_ROWS": "0",  # every export goes to the background worker
            "DANGJIAN_REPLICA_MAX_LAG_SECONDS": "600",
            "DANGJIAN_LOG_LEVEL": "WARNING",
        }
        env.pop("DANGJIAN_JOBS_INLINE", None)
        drive = Driver(env)
        log = ""
        try:
            drive("setup")
            _caught_up(drive)

            # Caught up: the county's report is read from the replica.
            seen = drive("report", who="viewer")
            assert seen["status"] == 200 and seen["total"] == 1
            assert seen["queries"]["replica"] > 0

            # The replica stops replaying; the secretary registers a member on the primary.
            replica.psql("SELECT pg_wal_replay_pause()")
            assert drive("add_member", name="孙丽")["status"] == 302
            drive("configure")  # a new lag reading: behind, but well within 600 s

            stale = drive("report", who="viewer")
            assert stale["total"] == 1 and stale["queries"]["replica"] > 0  # the old figure
            own = drive("report", who="writer")
            assert own["total"] == 2 and own["queries"]["replica"] == 0  # their own write
            drive("configure", DANGJIAN_REPLICA_STICKY_SECONDS=0)  # the window has passed
            assert drive("report", who="writer")["total"] == 1

            # Over the limit: the primary answers, /health/ says degraded with no figure.
            drive("configure", DANGJIAN_REPLICA_MAX_LAG_SECONDS=0.2)
            _until(lambda: drive("reading")["state"] == "lagging", "the lag to pass 0.2 s")
            fresh = drive("report", who="viewer")
            assert fresh["status"] == 200 and fresh["total"] == 2  # the paused replica has 1
            health = drive("health")
            assert health["status"] == 200
            body = json.loads(health["body"])
            assert body["status"] == "degraded" and body["checks"]["replica"]["ok"] is False
            assert "滞后" in body["checks"]["replica"]["detail"]
            assert not any(c.isdigit() for c in body["checks"]["replica"]["detail"])

            # A background export while the replica lags: its own job is not there yet, so it
            # reads the primary (the new member is in the file).
            drive("configure", DANGJIAN_REPLICA_MAX_LAG_SECONDS=600)
            behind = drive("export")
            assert behind["ran"] == 1 and behind["status"] == "done" and behind["rows"] == 2

            # Replay resumes: reports and exports read the replica again, with the new figure.
            replica.psql("SELECT pg_wal_replay_resume()")
            _caught_up(drive)
            again = drive("report", who="viewer")
            assert again["total"] == 2 and again["queries"]["replica"] > 0
            exported = drive("export", replica_has_job=True)
            assert exported["rows"] == 2 and exported["queries"]["replica"] > 1
            assert json.loads(drive("health")["body"])["status"] == "ok"

            # The replica stops: the primary answers, no error.
            replica.stop()
            # The reading still says "ok" and the open connection breaks mid-page: the page is
            # read again from the primary. Then the replica counts as down: primary only.
            down = drive("report", who="viewer")
            assert down["status"] == 200 and down["total"] == 2
            after = drive("report", who="viewer")
            assert after["status"] == 200 and after["total"] == 2
            assert after["queries"]["replica"] == 0
            body = json.loads(drive("health")["body"])
            assert (
                body["status"] == "degraded" and "无法连接" in body["checks"]["replica"]["detail"]
            )

            # Nothing but reads was ever sent to the replica.
            sent = drive("replica_statements")
            assert sent["total"] > 0 and sent["not_reads"] == []
        finally:
            log = drive.stop()
        assert "read replica is" in log and "behind" in log  # the fallback was logged
        assert "read replica does not answer" in log
