"""`manage.py restore ARCHIVE`: put a backup back, or refuse (docs/zh/backup.md).

    restore ARCHIVE                       the keys in force must be the archive's
    restore ARCHIVE --key-file KEYS.json  install the keys exported by backup --key-file
    restore ARCHIVE --force               overwrite a database that has data (else typed
                                          confirmation at a terminal, refusal otherwise)
    restore ARCHIVE --check-only          only verify the archive's checksums (on any machine:
                                          no database or key needed)

Stop the web and worker services first. After an archive from an older version: `migrate`.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from dangjian.core.backup import (
    BackupError,
    apply_restore,
    prepare_restore,
    short,
    verify_archive,
)

CONFIRM_WORD = "覆盖"


class Command(BaseCommand):
    help = (
        "从备份文件恢复数据库和档案材料（先校验，指纹不符即报错）。恢复前请停止网站和后台任务进程。"
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("archive", type=Path, help="backup 生成的备份文件")
        parser.add_argument("--key-file", type=Path, help="backup --key-file 导出的密钥文件")
        parser.add_argument("--force", action="store_true", help="当前数据库已有数据时也覆盖")
        parser.add_argument("--check-only", action="store_true", help="只校验备份文件，不恢复")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            if options["check_only"]:  # on any machine: no database, no key needed
                self._summary(verify_archive(options["archive"]))
                return
            plan = prepare_restore(options["archive"], key_file=options["key_file"])
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        self._summary(plan.manifest)
        for warning in plan.warnings:
            self.stdout.write(self.style.WARNING(warning))
        force = options["force"]
        if plan.target_has_data and not force and options.get("interactive", True):
            force = self._confirmed()
        try:
            result = apply_restore(plan, force=force)
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(
            self.style.SUCCESS(
                f"已恢复（{result.seconds:.1f} 秒），恢复后的数据指纹与备份清单一致。"
            )
        )
        if result.older_schema:
            self.stdout.write(
                self.style.WARNING(
                    "备份来自较早的软件版本：请现在运行 manage.py migrate 升级数据库结构，"
                    "再启动网站和后台任务进程。"
                )
            )

    def _summary(self, manifest: dict[str, Any]) -> None:
        self.stdout.write(
            f"备份文件校验通过：{manifest['created_at']} 备份，软件版本 {manifest['app_version']}，"
            f"{manifest['server']}，{len(manifest['parts'])} 个部分，"
            f"字段加密密钥指纹 {short(manifest['keys']['field_key'])}。"
        )

    def _confirmed(self) -> bool:
        if not sys.stdin.isatty():
            return False
        self.stdout.write(
            f"当前数据库或档案材料目录中已有数据，恢复会全部覆盖、无法撤销。"
            f"确认覆盖请输入「{CONFIRM_WORD}」："
        )
        return input().strip() == CONFIRM_WORD
