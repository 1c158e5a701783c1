"""The point-in-time recovery drill (scripts/pitr-drill) on a throwaway server: a base backup and
the WAL archive restore the database to a moment between two writes: the first is there, the
second is not."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from dangjian import pgtest

pytestmark = [
    pytest.mark.faults,
    pytest.mark.skipif(not pgtest.available(), reason="no PostgreSQL server binaries"),
]

SCRIPT = Path(__file__).resolve().parents[4] / "scripts" / "pitr-drill"


def test_pitr_drill_restores_to_the_moment_between_two_writes() -> None:
    done = subprocess.run(
        [sys.executable, str(SCRIPT)], capture_output=True, text=True, timeout=300
    )
    assert done.returncode == 0, done.stdout[-4000:] + done.stderr[-2000:]
    assert "演练通过：恢复后有 A、没有 B" in done.stdout
