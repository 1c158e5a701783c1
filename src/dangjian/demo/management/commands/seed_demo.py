"""`manage.py seed_demo` (alias `dangjian demo`): load the demo county and its demo logins.

    seed_demo [--members N] [--seed S]   load into a database without organizations
    seed_demo --if-empty                 the same, but a database with organizations is left
                                         alone with a note and exit code 0 (`make run`)
    seed_demo --force                    clear organizations, members, polls and role grants first
                                         (accounts and the audit log stay; not in production)
    seed_demo --print-logins             only print the demo logins; touches no database

Without --if-empty or --force, a database that already has organizations is refused with an
error (exit code 1): demo data never mixes with real data by accident.
"""

from __future__ import annotations

import unicodedata
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction

from dangjian.core.exceptions import DomainError
from dangjian.demo.generator import DEMO_PASSWORD
from dangjian.demo.services import clear_demo_data, load_demo, login_rows, organizations_exist


class Command(BaseCommand):
    help = "生成演示数据：一个县的党组织和党员，以及各角色的演示账号。"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--members", type=int, default=400, help="党员人数（默认 400）")
        parser.add_argument("--seed", type=int, default=2026, help="随机种子（相同种子结果相同）")
        parser.add_argument("--batch-size", type=int, default=2000, help="每批写入的党员数")
        mode = parser.add_mutually_exclusive_group()
        mode.add_argument(
            "--print-logins", action="store_true", help="只打印演示账号，不读写数据库"
        )
        mode.add_argument(
            "--if-empty", action="store_true", help="已有组织数据时不做任何事（退出码 0）"
        )
        mode.add_argument(
            "--force",
            action="store_true",
            help="先清空组织、党员、表决和组织授权再生成（保留账号和审计日志；生产环境不可用）",
        )

    def handle(self, *args: Any, **opts: Any) -> None:
        if opts["print_logins"]:
            self.print_logins()
            return
        try:
            with transaction.atomic():  # with --force: cleared and reloaded, or left as it was
                if organizations_exist():
                    if opts["if_empty"]:
                        self.stdout.write("数据库中已有组织数据，未重新生成演示数据。")
                        return
                    if not opts["force"]:
                        raise CommandError(
                            "数据库中已有组织数据，未生成演示数据。如要清空后重新生成，"
                            "请加 --force（会删除全部组织、党员、表决和组织授权）。"
                        )
                    clear_demo_data()
                    self.stdout.write("已清空原有组织、党员、表决和组织授权。")
                county = load_demo(
                    members=opts["members"], seed=opts["seed"], batch_size=opts["batch_size"]
                )
        except DomainError as exc:
            raise CommandError(exc.message) from exc
        self.stdout.write(
            self.style.SUCCESS(
                f"已生成演示数据：{county.root.name}，{county.organizations} 个组织，"
                f"{county.members} 名党员，{county.events} 条后续党籍变动，"
                f"用时 {county.seconds:.1f} 秒。"
            )
        )
        # make run prints the table itself, after this (seed_demo --print-logins).
        self.stdout.write(
            f"演示账号（密码均为 {DEMO_PASSWORD}）：manage.py seed_demo --print-logins"
        )

    def print_logins(self) -> None:
        rows = [("角色", "用户名", "密码", "可见范围"), *login_rows()]
        widths = [max(_width(row[i]) for row in rows) + 2 for i in range(3)]
        self.stdout.write("\n  演示账号：")
        for row in rows:
            cells = [_pad(cell, width) for cell, width in zip(row, widths, strict=False)]
            self.stdout.write("  " + "".join(cells) + row[3])
        self.stdout.write("")


def _width(text: str) -> int:
    """Terminal columns: a Chinese character takes two."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _pad(text: str, width: int) -> str:
    return text + " " * max(1, width - _width(text))
