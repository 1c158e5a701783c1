"""manage.py purge_documents [--today 2036-03-01]: delete documents past their 保存期满日期.

The background worker runs `purge_expired_documents` daily; this command is the same call for
cron or by hand.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.utils import timezone

from dangjian.documents.services import purge_expired_documents


class Command(BaseCommand):
    help = "删除保存期满的档案材料（文件和记录），每份记入审计日志。"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--today", type=dt.date.fromisoformat, default=None)

    def handle(self, *args: Any, **options: Any) -> None:
        count = purge_expired_documents(options["today"] or timezone.localdate())
        self.stdout.write(f"已删除 {count} 份保存期满的档案材料。")
