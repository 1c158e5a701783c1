"""`manage.py run_poll_schedule`: open and close the polls whose scheduled time has come.

The worker (`manage.py run_worker`) does this every 30 seconds (votes/schedules.py); this
command does it once, now, e.g. where no worker runs or to move a poll at once."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from dangjian.votes.services import run_schedule


class Command(BaseCommand):
    help = "按定时设置开始或结束到时的表决"

    def handle(self, *args: Any, **options: Any) -> None:
        moved = run_schedule()
        self.stdout.write(f"{moved} 项表决按定时开始或结束")
