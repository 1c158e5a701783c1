"""`manage.py backup`: one archive of the database and the documents (docs/zh/backup.md).

    backup --key-file /media/keys/dangjian-keys.json    also write the keys to a separate file
    backup --key-kept-elsewhere                         the keys are already kept elsewhere
    backup --output /backup/dangjian.tar --keep 14      name the archive; keep the newest 14

One of --key-file and --key-kept-elsewhere is required: the archive never holds the keys, and
an operator who has not thought about where they are has no restorable backup.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from dangjian.core.backup import BackupError, create_backup, prune_backups, short

LABELS = {
    "members": "党员",
    "member_events": "党籍变动",
    "spells": "党籍区间",
    "audit": "审计记录",
    "documents": "档案材料",
}


class Command(BaseCommand):
    help = "备份数据库和档案材料到一个文件（不含密钥；密钥用 --key-file 另存或另行保管）。"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--output",
            type=Path,
            help="备份文件或目录（默认 DANGJIAN_BACKUP_DIR，文件名 dangjian-日期-时间.tar）",
        )
        keys = parser.add_mutually_exclusive_group()
        keys.add_argument(
            "--key-file", type=Path, help="把字段加密密钥和签名密钥另存到这个文件（权限 0600）"
        )
        keys.add_argument(
            "--key-kept-elsewhere",
            action="store_true",
            help="确认密钥已另行妥善保管（不导出密钥）",
        )
        parser.add_argument(
            "--keep",
            type=int,
            default=0,
            help="备份完成后，只保留同一目录中最新的这么多份 dangjian-*.tar（默认不删除）",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        key_file: Path | None = options["key_file"]
        if key_file is None and not options["key_kept_elsewhere"]:
            raise CommandError(
                "请说明密钥如何保管：备份文件不含字段加密密钥，没有密钥的备份无法恢复。"
                "加 --key-file 文件路径 把密钥另存（与备份分开保管），"
                "或加 --key-kept-elsewhere 确认密钥已另行保管。"
            )
        stamp = timezone.localtime().strftime("%Y%m%d-%H%M%S")
        output: Path = options["output"] or Path(settings.DANGJIAN_BACKUP_DIR)
        if options["output"] is None or output.is_dir():
            output = output / f"dangjian-{stamp}.tar"
        if key_file is not None and key_file.resolve().parent == output.resolve().parent:
            raise CommandError(
                "密钥文件不能和备份文件放在同一个目录：两者放在一起，谁拿到备份谁就能解密。"
                "请把 --key-file 指到另一个位置（如单独保管的加密U盘）。"
            )
        try:
            result = create_backup(output, key_file=key_file)
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        manifest = result.manifest
        size = result.path.stat().st_size
        counts = "，".join(f"{LABELS[k]} {v:,}" for k, v in manifest["counts"].items())
        self.stdout.write(
            f"已备份到 {result.path}（{size / 1024 / 1024:.1f} MB，{result.seconds:.1f} 秒）。\n"
            f"{counts}；档案材料文件 {manifest['documents']['files']:,} 个。\n"
            f"字段加密密钥指纹：{short(manifest['keys']['field_key'])}"
        )
        if key_file is not None:
            self.stdout.write(
                f"密钥已写入 {key_file}（权限 0600）。请立即把它复制到与备份文件不同的地方"
                "保管（例如加密U盘，锁入保密柜），并从本机删除这份副本；恢复时用 "
                "restore --key-file 指定它。密钥文件丢失，备份中的身份证号码和档案材料将无法解密；"
                "密钥文件和备份一起泄露，等于数据泄露。"
            )
        else:
            self.stdout.write(
                "本次未导出密钥：请确认上面指纹对应的密钥已另行保管（恢复时要核对该指纹）。"
            )
        if options["keep"] > 0:
            for removed in prune_backups(result.path.parent, options["keep"]):
                self.stdout.write(f"已删除较早的备份 {removed.name}")
