"""`manage.py fingerprint`: the data fingerprints a backup records (members, member events,
spells, audit log, documents), to compare two installations or a restore with its archive."""

from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from dangjian.core.backup import current_fingerprints


class Command(BaseCommand):
    help = "输出数据指纹（党员、党籍变动、党籍区间、审计记录、档案材料），用于核对恢复结果。"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--json", action="store_true", help="以 JSON 输出")

    def handle(self, *args: Any, **options: Any) -> None:
        found = current_fingerprints()
        if options["json"]:
            self.stdout.write(json.dumps(found, sort_keys=True))
            return
        for name, value in found.items():
            self.stdout.write(f"{name:14} {value['count']:>10,}  {value['sha256']}")
