"""`manage.py rebuild_cadence_tally [--year Y ...]`: recount the 会议频次台账 from the meetings.

Default: every year with a meeting, and the current year. Idempotent: rows already right are
left alone.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.utils import timezone

from dangjian.meetings.cadence import refresh_year
from dangjian.meetings.models import Meeting


def default_years() -> list[int]:
    years = {d.year for d in Meeting.objects.dates("date", "year")}
    return sorted(years | {timezone.localdate().year})


class Command(BaseCommand):
    help = "Recount the cadence tally (会议频次台账) from the meetings."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--year", action="append", type=int, help="年度 (default: all)")

    def handle(self, *args: Any, **options: Any) -> None:
        for year in options["year"] or default_years():
            written = refresh_year(year)
            self.stdout.write(f"{year} 年：更新 {written} 行")
