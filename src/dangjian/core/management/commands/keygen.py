"""`manage.py keygen` (`dangjian keygen`): create the field-encryption key file once, at the first
install (docs/zh/deploy.md, 第四节). Production never creates it by itself (core/crypto.py).

Writes a new secret to DANGJIAN_FIELD_KEY_FILE (mode 0600; its directory 0700 when created
here), never over an existing file, and prints the key's fingerprint as `backup` prints it, for
the key register (密钥保管登记).
"""

from __future__ import annotations

import stat
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from dangjian.core.backup import field_key_fingerprint, short
from dangjian.core.crypto import create_key_file


class Command(BaseCommand):
    help = "生成字段加密密钥文件（DANGJIAN_FIELD_KEY_FILE，权限 0600）；已有密钥时拒绝覆盖。"
    # The first step of an install: nothing else (static files, the database) need be ready.
    requires_system_checks: list[str] = []

    def handle(self, *args: Any, **options: Any) -> None:
        if settings.FIELD_ENCRYPTION_KEY:
            raise CommandError(
                "已用环境变量 DANGJIAN_FIELD_KEY 给出字段加密密钥，密钥文件不会被使用，"
                "无需生成。要改用密钥文件，请先去掉该变量（原有数据仍须用原来的密钥才能读取）。"
            )
        path = Path(settings.FIELD_ENCRYPTION_KEY_FILE)
        try:
            key = create_key_file(path)
        except FileExistsError:
            raise CommandError(
                f"密钥文件 {path} 已经存在，不能覆盖：丢失原有密钥，所有加密的身份证号码和"
                "档案材料都将无法读取。如果确实要换用新密钥（例如这是一台从未存过数据的新服务器），"
                "请先把原文件另行保管或确认其无用后自行移走，再运行本命令。"
            ) from None
        except OSError as exc:
            raise CommandError(f"无法写入密钥文件 {path}：{exc.strerror}") from exc
        self.stdout.write(
            f"已生成字段加密密钥：{path}（权限 0600）。\n"
            f"字段加密密钥指纹：{short(field_key_fingerprint(key))}\n"
            "请立即把这把密钥与数据库备份分开备份（例如 dangjian backup --key-file "
            "导出到加密U盘，锁入保密柜），并把指纹记在密钥保管登记上；"
            "密钥丢失，所有身份证号码和档案材料永久无法读取（见 docs/zh/backup.md 第二节）。"
        )
        mode = stat.S_IMODE(path.parent.stat().st_mode)
        if mode & 0o077:
            self.stderr.write(
                f"注意：密钥所在目录 {path.parent} 的权限是 {mode:04o}，其他用户可以进入；"
                f"建议只给运行本系统的用户：chmod 700 {path.parent}"
            )
