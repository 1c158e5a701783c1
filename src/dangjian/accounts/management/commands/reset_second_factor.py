"""重置两步验证 on the server: for the security administrator's own account (which nobody can
reset on a page), or when no security administrator can log in."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError, CommandParser

from dangjian.accounts.otp import reset_second_factor
from dangjian.core.actors import Actor


class Command(BaseCommand):
    help = "重置一个账号的两步验证（验证器、恢复码和接口令牌作废，本人下次使用时重新启用）"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username")

    def handle(self, *args: Any, **options: Any) -> None:
        user = get_user_model().objects.filter(username=options["username"]).first()
        if user is None:
            raise CommandError(f"没有用户名为「{options['username']}」的账号。")
        reset_second_factor(actor=Actor.system(), user=user)
        self.stdout.write(f"已重置账号 {user.username} 的两步验证。")
