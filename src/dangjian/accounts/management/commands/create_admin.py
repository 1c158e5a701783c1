"""`manage.py create_admin`: 建立三员账号 on the server (docs/zh/deploy.md, 第五节).

    create_admin --role system   USERNAME --name 显示名    系统管理员 (accounts)
    create_admin --role security USERNAME --name 显示名    安全管理员 (grants)
    create_admin --role audit    USERNAME --name 显示名    审计管理员 (the audit log)
    … --allow-second                                        a second holder of the role

The one-time password is printed once; the administrator changes it at first login, after
enrolling 两步验证 where it is required (DANGJIAN_2FA=required, production's default).
"""

from __future__ import annotations

import getpass
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from dangjian.accounts.models import Role
from dangjian.accounts.services import create_administrator
from dangjian.core.actors import Actor
from dangjian.core.exceptions import DomainError

ROLES = {"system": Role.SYSTEM_ADMIN, "security": Role.SECURITY_ADMIN, "audit": Role.AUDIT_ADMIN}


class Command(BaseCommand):
    help = "建立系统管理员、安全管理员或审计管理员账号（三员），显示一次性密码，首次登录须修改。"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username", help="登录用户名")
        parser.add_argument(
            "--role",
            required=True,
            choices=sorted(ROLES),
            help="system 系统管理员、security 安全管理员、audit 审计管理员",
        )
        parser.add_argument("--name", required=True, help="显示名（管理员的姓名）")
        parser.add_argument(
            "--allow-second",
            action="store_true",
            help="已有同一角色的管理员时，仍再建立一名（临时替岗或交接）",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        role = ROLES[options["role"]]
        try:
            user, password = create_administrator(
                actor=Actor.system(),
                username=options["username"],
                full_name=options["name"],
                role=role,
                allow_second=options["allow_second"],
                actor_name=f"命令行 create_admin（{_os_user()}）"[:150],
            )
        except DomainError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(
            f"已建立{role.label}账号 {user.username}（{user.first_name}）。\n"
            f"一次性密码：{password}\n"
            "这个密码只显示这一次，请当面交给本人（不要用短信、微信或电子邮件发送）。"
        )
        first_login = "首次登录后必须先修改密码。"
        if settings.DANGJIAN_2FA == "required":
            first_login = "首次登录时须先启用两步验证（手机验证器扫码），再修改密码。"
        self.stdout.write(first_login)


def _os_user() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):  # no name for the uid (a container)
        return "未知用户"
