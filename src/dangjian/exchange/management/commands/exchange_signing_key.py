"""exchange_signing_key: create this installation's signing key (if missing) and show what
another installation needs to trust it: the name, the public key and its fingerprint."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from dangjian.exchange import signing


class Command(BaseCommand):
    help = "创建本系统的转接数据包签名密钥（如不存在），并显示系统名称、公钥和公钥指纹"

    def handle(self, *args: Any, **options: Any) -> None:
        created = signing.create_key_file()
        signing.reset_key_cache()
        if created:
            self.stderr.write(f"已创建签名密钥文件 {signing.key_path()}（权限 0600，请另行备份）")
        self.stdout.write(f"系统名称: {signing.installation_name()}")
        self.stdout.write(f"公钥: {signing.own_public_key()}")
        self.stdout.write(f"公钥指纹: {signing.grouped(signing.own_fingerprint())}")
