"""manage.py calendar_year 2027 --source "国办发明电〔2026〕…号" --holidays … --workdays …"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from dangjian.core.exceptions import DomainError
from dangjian.core.workdays import enter_year, parse_days


class Command(BaseCommand):
    help = (
        "录入一年的节假日安排（国务院办公厅放假通知）：放假的日期和调休上班的周末。"
        "日期用逗号分隔，范围写作 2027-02-05..2027-02-11。"
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("year", type=int)
        parser.add_argument("--source", required=True, help="通知的文号")
        parser.add_argument("--holidays", default="", help="放假的日期（含周末也可以）")
        parser.add_argument("--workdays", default="", help="调休上班的周六、周日")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            row = enter_year(
                year=options["year"],
                source=options["source"],
                holidays=parse_days(options["holidays"]),
                workdays=parse_days(options["workdays"]),
            )
        except DomainError as exc:
            raise CommandError(exc.message) from exc
        self.stdout.write(f"已录入 {row}：{row.days.count()} 个调整的日期。")
