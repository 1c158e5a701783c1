"""exchange_import: verify and import a transfer packet file from the command line, as the
named user (who must keep the receiving organization's register)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from dangjian.core.exceptions import DomainError
from dangjian.exchange import services
from dangjian.orgs.models import Organization


class Command(BaseCommand):
    help = "校验并导入转接数据包：exchange_import 文件 --org 组织代码 --user 账号 [--date 报到日期]"

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("file")
        parser.add_argument("--org", required=True, help="接收党组织的组织代码")
        parser.add_argument("--user", required=True, help="办理人的登录账号")
        parser.add_argument("--date", default="", help="报到日期 YYYY-MM-DD（默认今天）")
        parser.add_argument("--overdue-note", default="", help="逾期接收的情况说明")
        parser.add_argument("--check", action="store_true", help="只校验和预览，不导入")

    def handle(self, *args: Any, **options: Any) -> None:
        user = get_user_model().objects.filter(username=options["user"], is_active=True).first()
        if user is None:
            raise CommandError(f"没有启用的账号「{options['user']}」。")
        org = Organization.objects.filter(code=options["org"]).first()
        if org is None:
            raise CommandError(f"没有组织代码为「{options['org']}」的党组织。")
        try:
            on = dt.date.fromisoformat(options["date"]) if options["date"] else timezone.localdate()
        except ValueError as exc:
            raise CommandError("报到日期格式应为 YYYY-MM-DD。") from exc
        data = Path(options["file"]).read_bytes()
        try:
            packet, letter, preview = services.preview_packet(
                actor=user, data=data, org=org, received_on=on
            )
            self.stdout.write(
                f"签名校验通过（{packet.installation.name}）：{letter.member.person.name}，"
                f"{preview.outcome.label}"
            )
            if options["check"]:
                return
            stored = services.import_packet(
                actor=user, data=data, org=org, received_on=on, overdue_note=options["overdue_note"]
            )
        except DomainError as exc:
            services.refuse_packet_audit(actor=user, reason=exc.message)
            raise CommandError(exc.message) from exc
        self.stdout.write(f"已导入：{stored.name}，编入「{org.name}」（介绍信 {stored.pk} 号记录）")
