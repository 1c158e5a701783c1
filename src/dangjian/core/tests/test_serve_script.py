"""scripts/serve's supervision, with stand-ins for Python (no Django, except the real `manage.py
keygen` in the one test that checks the key files: about 2 s; the others well under a second):
either child dying stops the other and the script exits 1; SIGTERM stops both and it exits 0.
The real shape runs in test_serve.py (faults stage)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[4]
# Stands in for $PY: `-c` and keygen run the real Python (the key generation); manage.py's other
# set-up commands succeed at once; gunicorn and run_worker sleep until killed (301 and 302 s:
# told apart).
STAND_IN = f"""#!/bin/sh
case "$1" in
  -c) exec {sys.executable} "$@" ;;
esac
case "$*" in
  *keygen*) exec {sys.executable} "$@" ;;
  *gunicorn*) exec sleep 301 ;;
  *run_worker*) exec sleep 302 ;;
esac
exit 0
"""


def _children(pid: int) -> dict[str, int]:
    found = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if os.getsid(int(entry.name)) != pid or int(entry.name) == pid:
                    continue
                cmd = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode()
            except (ProcessLookupError, FileNotFoundError):
                continue
            if cmd.startswith("sleep 301"):
                found["web"] = int(entry.name)
            elif cmd.startswith("sleep 302"):
                found["worker"] = int(entry.name)
    return found


def _serve(tmp_path: Path, *, field_key: bool = False) -> subprocess.Popen[str]:
    """scripts/serve with the stand-in; `field_key`: with no DANGJIAN_FIELD_KEY, so the real
    `manage.py keygen` writes the key file (Django's start-up: about 2 s)."""
    stand_in = tmp_path / "python"
    stand_in.write_text(STAND_IN)
    stand_in.chmod(0o755)
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DANGJIAN_", "DATABASE_"))}
    env.update(PY=str(stand_in), DANGJIAN_VAR_DIR=str(tmp_path / "var"))
    if not field_key:
        env["DANGJIAN_FIELD_KEY"] = "stand-in field key, never used: no Django runs"
    proc = subprocess.Popen(
        [str(ROOT / "scripts" / "serve")],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )
    deadline = time.monotonic() + 30
    while len(_children(proc.pid)) < 2:
        assert proc.poll() is None and time.monotonic() < deadline, proc.communicate()
        time.sleep(0.05)
    return proc


def _stopped(proc: subprocess.Popen[str]) -> tuple[int, str, str]:
    try:
        out, err = proc.communicate(timeout=20)
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
    assert _children(proc.pid) == {}
    return proc.returncode, out, err


@pytest.mark.parametrize("dies", ["web", "worker"])
def test_a_child_dying_stops_the_other_and_fails(tmp_path: Path, dies: str) -> None:
    proc = _serve(tmp_path)
    os.kill(_children(proc.pid)[dies], signal.SIGKILL)
    code, _, err = _stopped(proc)
    assert code == 1
    name = "gunicorn (web)" if dies == "web" else "run_worker (task worker)"
    assert f"serve: {name} stopped unexpectedly" in err


def test_sigterm_stops_both_and_exits_0(tmp_path: Path) -> None:
    proc = _serve(tmp_path, field_key=True)
    proc.send_signal(signal.SIGTERM)
    code, out, _ = _stopped(proc)
    assert code == 0 and "serve: stopped" in out
    key = tmp_path / "var" / "secret_key"
    assert key.stat().st_mode & 0o777 == 0o600 and len(key.read_text().strip()) >= 50
    assert (tmp_path / "var" / "keys" / "field.key").stat().st_mode & 0o777 == 0o600
    assert "字段加密密钥指纹" in out  # from manage.py keygen
