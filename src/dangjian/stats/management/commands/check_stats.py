"""`manage.py check_stats [--org CODE] [--on DATE ...]`: recount the reports from the events.

Exits with status 1 and lists every difference if a report disagrees with the events.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from dangjian.orgs.models import Organization
from dangjian.stats.checks import differences


class Command(BaseCommand):
    help = "Recount the statistics from the membership events and report any difference."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--org", action="append", help="组织代码 (default: every top node)")
        parser.add_argument(
            "--on",
            action="append",
            type=dt.date.fromisoformat,
            help="date YYYY-MM-DD (default: today and the last year-end)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        today = timezone.localdate()
        dates = options["on"] or [today, dt.date(today.year - 1, 12, 31)]
        codes = options["org"]
        orgs = (
            list(Organization.objects.filter(code__in=codes))
            if codes
            else list(Organization.get_root_nodes())
        )
        if codes and len(orgs) != len(set(codes)):
            raise CommandError("有组织代码不存在")
        problems = [line for org in orgs for on in dates for line in differences(org, on)]
        for line in problems:
            self.stdout.write(line)
        if problems:
            raise CommandError(f"{len(problems)} 处统计数与变动记录不一致")
        self.stdout.write(f"统计数与变动记录一致（{len(orgs)} 个组织 × {len(dates)} 个日期）")
