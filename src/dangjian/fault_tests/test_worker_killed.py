"""The task worker SIGKILLed while it checks, then while it writes, a 15,000-row roster import
(issue 16, part 7).

django-tasks-db leaves a task whose worker died RUNNING for ever; core.tasks.recover_interrupted
(run by every worker at start and then every tick) finds tasks whose worker is gone: a check,
which writes nothing until it ends, is run again; an apply is handed to rosters (never repeated
unasked): the batch goes back to 待确认 with a Chinese message, and the user confirms it again
from the page. The apply writes in one
transaction, which PostgreSQL rolls back when the worker's connection dies: 0 or 15,000.
"""

from __future__ import annotations

import signal
from typing import Any

import pytest

from dangjian import pgtest
from dangjian.fault_tests.rosters import ROWS

pytestmark = [
    pytest.mark.faults,
    pytest.mark.skipif(not pgtest.available(), reason="no PostgreSQL server binaries"),
]

NOTHING = {"members": 0, "history": 0, "events": 0, "spells": 0, "changes": 0, "orphans": 0}


def written(state: dict[str, Any]) -> dict[str, int]:
    return {key: state[key] for key in NOTHING}


def test_a_worker_killed_mid_import_leaves_nothing_half_applied(ground: Any, big_roster_file: Any):
    # Killed half-way through the check (校验, which writes nothing but the preview): the next
    # worker runs the check again (core.tasks retries it once) and the batch gets its preview.
    zeroth = ground.worker("worker-0.log")
    cut = ground.step("upload", big_roster_file, zeroth.pid)
    assert zeroth.wait(10) == -signal.SIGKILL
    assert cut["status"] == "checking" and "check_batch:RUNNING:" in cut["tasks"], cut
    batch = cut["batch"]
    first = ground.worker("worker-1.log")
    checked = ground.step("wait", batch, "settled")
    assert checked["status"] == "ready", (checked, ground.log("worker-1.log"))
    assert checked["tasks"].count("check_batch:SUCCESSFUL:") == 1, checked
    assert written(checked) == NOTHING

    # Killed once the apply has handed the writer 5,000 rows: at least one flush of 5,000
    # members, their events and spells is in the open transaction (progress is written from
    # a second connection, so the test sees it while the transaction is open).
    killed = ground.step("confirm", batch, first.pid, 5000)
    assert first.wait(10) == -signal.SIGKILL
    assert killed["status"] == "applying" and 5000 <= killed["progress"][0] <= ROWS, killed

    after = ground.step("state", batch)
    assert written(after) == NOTHING  # rolled back: not one member, event, spell or change
    assert "apply_batch:RUNNING:" in after["tasks"]  # django-tasks-db alone: running for ever
    assert after["page"]["busy"] and after["page"]["waiting"], after  # says: no worker running

    second = ground.worker("worker-2.log")
    recovered = ground.step("wait", batch, "settled")
    assert recovered["status"] == "ready", (recovered, ground.log("worker-2.log"))
    assert "已中断" in recovered["message"] and "未写入任何数据" in recovered["message"]
    assert written(recovered) == NOTHING and recovered["progress"] is None
    assert "apply_batch:FAILED:dangjian.core.tasks.Interrupted" in recovered["tasks"]
    shown = recovered["page"]
    assert shown["code"] == 200 and shown["message"] and shown["confirm_form"], shown
    assert not shown["busy"] and not shown["waiting"]

    applied = ground.step("reconfirm", batch)  # the user confirms again on the page
    assert applied["status"] == "applied", (applied, ground.log("worker-2.log"))
    assert written(applied) == {
        "members": ROWS,
        "history": ROWS,
        "events": 2 * ROWS,  # 接收预备党员 and 转正 of each
        "spells": 2 * ROWS,
        "changes": ROWS,
        "orphans": 0,
    }
    second.send_signal(signal.SIGTERM)
    assert second.wait(30) == 0  # stops cleanly between tasks
