"""A gunicorn worker SIGKILLed while it handles a transfer's 确认报到 (issue 16, part 7).

Making the kill land inside the request deterministically: the test holds, from a connection
of its own, a row lock on the member's open 流动党员 stay. 确认报到 writes the member's move
(the arrival event, the member's organization, the spells), then closes that stay in the same
transaction (mobile.close_for_transfer), so it blocks there with the move written and not
committed; the test sees it waiting (pg_stat_activity) and kills the worker then. A lock,
not a failpoint: nothing in the application changes for the test, and so nothing a production
setting could switch on.

After the kill the transfer is untouched (still waiting for 报到, the member where they were),
and the receiving secretary's retry, on the worker gunicorn starts in its place, succeeds.
"""

from __future__ import annotations

import json
import signal
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

import pytest

from dangjian import pgtest

pytestmark = [
    pytest.mark.faults,
    pytest.mark.skipif(not pgtest.available(), reason="no PostgreSQL server binaries"),
]


def post(url: str, token: str, body: dict[str, Any]) -> tuple[int, dict[str, Any]]:
    request = urllib.request.Request(
        url,
        data=json.dumps(body).encode(),
        headers={"Authorization": f"Token {token}", "Content-Type": "application/json"},
        method="POST",
    )
    try:
        with urllib.request.urlopen(request, timeout=120) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as exc:
        return exc.code, json.loads(exc.read() or b"{}")


def get(url: str) -> int:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return int(response.status)
    except (urllib.error.URLError, ConnectionError, TimeoutError):
        return 0


def workers_of(master: int) -> set[int]:
    children = Path(f"/proc/{master}/task/{master}/children")
    return {int(pid) for pid in children.read_text().split()} if children.exists() else set()


def until(condition: Any, what: str, timeout: float = 60) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = condition()
        if found:
            return found
        time.sleep(0.02)
    raise AssertionError(f"timed out waiting for {what}")


def test_a_web_worker_killed_mid_transfer_leaves_it_undone_and_retryable(ground: Any) -> None:
    import psycopg

    setup = ground.step("transfer")
    before = ground.step("transfer_state", setup["transfer"])
    assert before["status"] == "issued" and before["org"] == "东街社区党支部", before

    port = pgtest.free_port()
    base = f"http://127.0.0.1:{port}"
    # The production configuration (scripts/serve, the systemd unit), with one worker process
    # and a timeout the held request cannot reach on a slow machine.
    master = ground.start(
        "-m", "gunicorn", "-c", "python:dangjian.gunicorn_conf", "dangjian.wsgi",
        log="gunicorn.log",
        env={"PORT": str(port), "DANGJIAN_WEB_WORKERS": "1", "DANGJIAN_WEB_TIMEOUT": "300"},
    )  # fmt: skip
    until(lambda: get(f"{base}/health/live/") == 200, "gunicorn to answer", timeout=90)
    first = until(lambda: workers_of(master.pid), "gunicorn's worker")
    arrive = f"{base}/api/transfers/{setup['transfer']}/arrive/"
    outcome: dict[str, Any] = {}

    def confirm_arrival() -> None:
        try:
            outcome["answer"] = post(arrive, setup["token"], {"version": setup["version"]})
        except Exception as exc:  # the worker died under the request: the connection breaks
            outcome["error"] = exc

    url = ground.pg.url(ground.db)
    with psycopg.connect(url) as lock, psycopg.connect(url, autocommit=True) as watch:
        lock.execute("SELECT 1 FROM mobile_mobilestay WHERE id = %s FOR UPDATE", [setup["stay"]])
        request = threading.Thread(target=confirm_arrival)
        request.start()
        blocked = until(
            lambda: watch.execute(
                "SELECT pid, backend_xid IS NOT NULL, query FROM pg_stat_activity"
                " WHERE datname = %s AND wait_event_type = 'Lock' AND pid <> pg_backend_pid()",
                [ground.db],
            ).fetchone(),
            "确认报到 to wait on the stay's lock",
        )
        backend, has_written, query = blocked
        assert "mobile_mobilestay" in query and has_written, blocked  # the move is written
        (worker,) = first
        ground.kill(worker)
        request.join(60)
        assert "answer" not in outcome, outcome  # no answer: the kill landed in the request
        lock.rollback()  # the blocked transaction goes on, finds its client gone, rolls back
        until(
            lambda: (
                not watch.execute(
                    "SELECT 1 FROM pg_stat_activity WHERE pid = %s", [backend]
                ).fetchone()
            ),
            "the killed request's session to end",
        )

    after = ground.step("transfer_state", setup["transfer"])
    assert after == before  # nothing of the step: status, version, organization, events, stay

    until(lambda: workers_of(master.pid) - first, "gunicorn to start another worker")
    until(lambda: get(f"{base}/health/live/") == 200, "the new worker to answer")
    code, body = post(arrive, setup["token"], {"version": setup["version"]})
    assert code == 200 and body["status"] == "arrived", (code, body, ground.log("gunicorn.log"))
    done = ground.step("transfer_state", setup["transfer"])
    assert done["status"] == "arrived" and done["org"] == "远山村党支部", done
    assert done["open_spell"] == ["远山村党支部"] and done["stay"] == "transferred", done
    assert len(done["events"]) == len(before["events"]) + 1, (before, done)
    master.send_signal(signal.SIGTERM)
    assert master.wait(30) == 0
