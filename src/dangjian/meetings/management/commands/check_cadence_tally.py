"""`manage.py check_cadence_tally [--year Y ...]`: recount the 会议频次台账 and list every
difference; exits with status 1 if there is one."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from dangjian.meetings.cadence import check_cadence_tally
from dangjian.meetings.management.commands.rebuild_cadence_tally import default_years


class Command(BaseCommand):
    help = "Recount the cadence tally from the meetings and report any difference."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--year", action="append", type=int, help="年度 (default: all)")

    def handle(self, *args: Any, **options: Any) -> None:
        problems = check_cadence_tally(options["year"] or default_years())
        for line in problems:
            self.stdout.write(line)
        if problems:
            raise CommandError(f"会议频次台账有 {len(problems)} 处不一致")
        self.stdout.write("会议频次台账与会议记录一致")
