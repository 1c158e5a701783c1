"""exchange_trust: list, add or revoke the installations whose transfer packets are imported
(the operator's twin of the 受信任的系统 page)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from dangjian.core.exceptions import DomainError
from dangjian.exchange import services, signing
from dangjian.exchange.models import TrustedInstallation


class Command(BaseCommand):
    help = "管理受信任的系统：--list；--name 名称 --public-key 公钥；--revoke 指纹 --reason 原因"

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--list", action="store_true")
        parser.add_argument("--name", default="")
        parser.add_argument("--public-key", default="")
        parser.add_argument("--note", default="")
        parser.add_argument("--revoke", default="", metavar="FINGERPRINT")
        parser.add_argument("--reason", default="")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            if options["revoke"]:
                wanted = options["revoke"].replace(" ", "").lower()
                live = TrustedInstallation.objects.filter(
                    fingerprint=wanted, revoked_at__isnull=True
                ).first()
                if live is None:
                    raise CommandError("没有该公钥指纹的受信任系统。")
                services.revoke_trust(actor=None, installation=live, reason=options["reason"])
                self.stdout.write(f"已撤销对「{live.name}」的信任。")
            elif options["public_key"]:
                added = services.trust_installation(
                    actor=None,
                    name=options["name"],
                    public_key=options["public_key"],
                    note=options["note"],
                )
                printed = signing.grouped(added.fingerprint)
                self.stdout.write(f"已添加受信任的系统「{added.name}」，公钥指纹 {printed}")
        except DomainError as exc:
            raise CommandError(exc.message) from exc
        for t in TrustedInstallation.objects.all():
            state = f"已撤销 {t.revoked_at:%Y-%m-%d}" if t.revoked_at else "受信任"
            self.stdout.write(f"{t.name}\t{t.fingerprint}\t{state}")
