"""`manage.py rundev` (make run): the web server and the worker start together and Ctrl-C
stops both."""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from dangjian.core.tests.test_worker_restart import database_copy


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _answers(port: int) -> bool:
    with socket.socket() as s:
        return s.connect_ex(("127.0.0.1", port)) == 0


@pytest.mark.django_db(transaction=True)
def test_ctrl_c_stops_the_server_and_the_worker_together(tmp_path: Path) -> None:
    port = _free_port()
    with database_copy(tmp_path) as env:
        rundev = subprocess.Popen(
            [sys.executable, "-m", "dangjian", "rundev", f"127.0.0.1:{port}"],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            text=True,
            process_group=0,
        )
        try:
            assert rundev.stdout is not None
            started = rundev.stdout.readline()
            assert "后台服务（worker）已随网站一起启动" in started
            pids = [int(p) for p in re.findall(r" (\d+)", started)]
            deadline = time.monotonic() + 90  # a loaded CI machine starts slowly
            while not _answers(port) and time.monotonic() < deadline:
                time.sleep(0.2)
            assert _answers(port)
            assert all(_alive(pid) for pid in pids)
            os.killpg(rundev.pid, signal.SIGINT)  # Ctrl-C in the terminal
            assert rundev.wait(30) == 0
        finally:
            if rundev.poll() is None:
                rundev.kill()
        assert not any(_alive(pid) for pid in pids) and not _answers(port)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True
