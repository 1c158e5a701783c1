"""`manage.py seed_scale --members 5000000`: a synthetic province for the statistics benchmarks.

Meant for PostgreSQL (COPY); refuses more than 200,000 members on SQLite unless --force.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connection
from django.utils import timezone

from dangjian.demo.scale import load_scale


class Command(BaseCommand):
    help = "Generate a province-size dataset (cities → counties → branches → members)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--members", type=int, default=5_000_000, help="党员人数")
        parser.add_argument("--seed", type=int, default=1, help="随机种子")
        parser.add_argument("--force", action="store_true", help="SQLite 上也生成大数据量")

    def handle(self, *args: Any, **opts: Any) -> None:
        if connection.vendor != "postgresql" and opts["members"] > 200_000 and not opts["force"]:
            raise CommandError(
                "省级规模的数据请在 PostgreSQL 上生成（DATABASE_URL），或加 --force。"
            )
        data = load_scale(opts["members"], seed=opts["seed"], today=timezone.localdate())
        self.stdout.write(
            self.style.SUCCESS(
                f"已生成：{data.organizations:,} 个组织（{data.seconds_tree:.0f} 秒），"
                f"{data.members:,} 名党员（{data.seconds_members:.0f} 秒，"
                f"{data.members / max(data.seconds_members, 0.001):,.0f} 人/秒）。"
            )
        )
