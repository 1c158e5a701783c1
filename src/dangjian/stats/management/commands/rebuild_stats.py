"""`manage.py rebuild_stats [--min N]`: choose the rollup nodes and rebuild their deltas."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from dangjian.stats.rollups import fold, rebuild


class Command(BaseCommand):
    help = "Rebuild the statistics rollups (after a subtree move, or to change the threshold)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--min", type=int, default=None, help="党员数不少于此数的组织保留汇总")
        parser.add_argument("--fold", action="store_true", help="只合并待处理的变动，不重建")

    def handle(self, *args: Any, **opts: Any) -> None:
        if opts["fold"]:
            total = 0
            while folded := fold():
                total += folded
            self.stdout.write(f"已合并 {total} 条待处理的统计变动。")
            return
        nodes = rebuild(opts["min"])
        self.stdout.write(f"已重建统计汇总：{nodes} 个组织。")
