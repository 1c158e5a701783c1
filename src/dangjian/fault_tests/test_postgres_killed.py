"""PostgreSQL itself SIGKILLed during a burst of writes through the services (issue 16, part 7).

A few threads register 预备党员 and record their 转正 (members.services, with the statistics'
rollups on, so every write also logs its change for them); each write is acknowledged in a
file the moment the service returns, i.e. after its commit. The postmaster is killed as a
power cut would (no checkpoint), the server restarted (crash recovery from the WAL, fsync on):
every acknowledged write is there, whatever was in flight is there whole or not at all, and
`manage.py check_stats` finds the reports and the events in agreement.
"""

from __future__ import annotations

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

THREADS = 3
ACKED = 60  # acknowledged writes before the kill: some of every thread, well inside the burst


def acknowledged(path: Path) -> int:
    return len(path.read_text().splitlines()) if path.exists() else 0


def test_every_acknowledged_write_survives_a_postgres_kill(ground: Any) -> None:
    acks = ground.var / "acks.txt"
    burst = subprocess.Popen(
        [sys.executable, "-m", "dangjian.fault_tests.scenario", "burst", str(acks), str(THREADS)],
        env=ground.env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    ground.children.append(burst)
    deadline = time.monotonic() + 120
    while acknowledged(acks) < ACKED and burst.poll() is None and time.monotonic() < deadline:
        time.sleep(0.02)
    assert burst.poll() is None, burst.communicate()[1][-3000:]
    assert acknowledged(acks) >= ACKED, "the burst did not get going"
    ground.pg.kill()  # while the threads are writing: some commit is always in flight
    out, err = burst.communicate(timeout=60)
    assert burst.returncode == 0, err[-3000:]
    assert '"failures": []' in out, out  # every thread stopped because the server went away

    ground.pg.start()
    ground.pg.wait_ready()
    found = ground.step("audit", acks)
    assert found["acked"]["member"] >= ACKED // 2, found
    assert found["lost_members"] == [] and found["lost_converts"] == [], found
    assert found["members"] >= found["acked"]["member"]  # one in flight may have committed
    whole = ("without_events", "without_spells", "without_history", "orphans")
    assert {key: found[key] for key in whole} == dict.fromkeys(whole, 0), found
    assert found["state_differs"] == [], found

    assert found["check_stats"].startswith("统计数与变动记录一致"), found["check_stats"]
