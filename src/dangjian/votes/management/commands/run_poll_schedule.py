"""`manage.py run_poll_schedule`: open and close the polls whose scheduled time has come.

Pages apply a poll's schedule when it is looked at; run this every minute from cron (or a
systemd timer) so a poll also closes on time when nobody has its page open."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from dangjian.votes.services import run_schedule


class Command(BaseCommand):
    help = "按定时设置开始或结束到时的表决"

    def handle(self, *args: Any, **options: Any) -> None:
        moved = run_schedule()
        self.stdout.write(f"{moved} 项表决按定时开始或结束")
