"""`manage.py rundev [ADDRPORT]`: the development server and the background worker together
(`make run`). Ctrl-C stops both; if either stops by itself, the other is stopped too.

The children run in process groups of their own, so the terminal's Ctrl-C reaches only this
command, which then sends each child exactly one SIGINT: a second one would make the worker
abandon the task it is finishing."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand

STOP_WAIT = 15.0  # seconds the worker gets to finish its task after Ctrl-C


class Command(BaseCommand):
    help = "同时运行开发服务器和后台服务；按 Ctrl-C 一并停止"

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("addrport", nargs="?", default="127.0.0.1:8000")

    def handle(self, *args: Any, addrport: str, **options: Any) -> None:
        manage = [sys.executable, "-m", "dangjian"]
        children = {
            "后台服务（worker）": _start([*manage, "run_worker", "-v", "1"]),
            "网站（runserver）": _start([*manage, "runserver", addrport]),
        }
        pids = "、".join(f"{name} {child.pid}" for name, child in children.items())
        self.stdout.write(
            f"后台服务（worker）已随网站一起启动（进程 {pids}）；按 Ctrl-C 同时停止两者。"
        )
        signal.signal(signal.SIGTERM, _interrupt)
        failed = False
        try:
            while all(child.poll() is None for child in children.values()):
                time.sleep(0.5)
            ended = [name for name, child in children.items() if child.poll() is not None]
            self.stderr.write(f"{'、'.join(ended)}已退出，正在停止其余进程。")
            failed = True
        except KeyboardInterrupt:
            self.stdout.write("正在停止网站和后台服务……")
        finally:
            _stop(list(children.values()))
        if failed:
            sys.exit(1)


def _start(command: list[str]) -> subprocess.Popen[bytes]:
    return subprocess.Popen(command, process_group=0)


def _interrupt(signum: int, frame: object) -> None:
    raise KeyboardInterrupt


def _stop(children: list[subprocess.Popen[bytes]]) -> None:
    """SIGINT to each child's group (runserver's reloader has a child of its own; the worker
    finishes its task), then SIGKILL whatever has not stopped in time."""
    for child in children:
        _signal_group(child, signal.SIGINT)
    deadline = time.monotonic() + STOP_WAIT
    for child in children:
        try:
            child.wait(max(0.1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            _signal_group(child, signal.SIGKILL)
            child.wait()


def _signal_group(child: subprocess.Popen[bytes], signum: int) -> None:
    with contextlib.suppress(ProcessLookupError):  # already gone, with its group
        os.killpg(child.pid, signum)
