"""档案材料 storage: what a scanned file may be, and keeping it encrypted on disk.

No scope here (core sits below accounts): the documents app checks abilities, writes the audit
log and calls these. A file is accepted when its *content* is a PDF, JPEG or PNG (magic bytes,
read by puremagic), its name's extension agrees, and it is within DANGJIAN_DOCUMENT_MAX_BYTES.
Stored files are AES-GCM ciphertext under DANGJIAN_DOCUMENT_DIR (decision 41): never the plain
file, and the storage name tells nothing about the content.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import pathlib
import secrets
from dataclasses import dataclass

import puremagic
from dateutil.relativedelta import relativedelta
from django.conf import settings

from dangjian.core.crypto import open_document, seal_document
from dangjian.core.exceptions import DomainError

# MIME type → (name in messages, extensions a file of that type may carry)
ALLOWED_TYPES: dict[str, tuple[str, tuple[str, ...]]] = {
    "application/pdf": ("PDF", ("pdf",)),
    "image/jpeg": ("JPG 图片", ("jpg", "jpeg")),
    "image/png": ("PNG 图片", ("png",)),
}
ACCEPT = ",".join(f".{ext}" for _, exts in ALLOWED_TYPES.values() for ext in exts)


@dataclass(frozen=True)
class CheckedFile:
    """A file that passed the checks, with what the row records about it."""

    name: str
    data: bytes
    mime_type: str
    sha256: str

    @property
    def size(self) -> int:
        return len(self.data)


def max_bytes() -> int:
    return int(settings.DANGJIAN_DOCUMENT_MAX_BYTES)


def size_label(size: int) -> str:
    """1536 → 1.5 KB, 10485760 → 10 MB (binary units, as the limit is set)."""
    for unit, factor in (("MB", 1024 * 1024), ("KB", 1024)):
        if size >= factor:
            return f"{size / factor:.1f}".removesuffix(".0") + f" {unit}"
    return f"{size} 字节"


def content_type_of(data: bytes) -> str | None:
    """The allowed MIME type the content's magic bytes say, or None."""
    try:
        matches = puremagic.magic_string(data)
    except puremagic.PureError:
        return None
    found = {m.mime_type for m in matches} & ALLOWED_TYPES.keys()
    return found.pop() if len(found) == 1 else None


def plain_name(name: str) -> str:
    """The file's own name, without any folders a browser sent along."""
    return pathlib.PurePath(name.replace("\\", "/")).name or "未命名文件"


def check_size(name: str, size: int) -> None:
    """Refuse a file above DANGJIAN_DOCUMENT_MAX_BYTES (exactly the limit is accepted)."""
    if size > max_bytes():
        raise DomainError(
            f"文件「{plain_name(name)}」大小为 {size_label(size)}，超过了 "
            f"{size_label(max_bytes())} 的上限，请压缩或分成几个文件后再上传。",
            field="file",
        )


def check_file(name: str, data: bytes) -> CheckedFile:
    """Accept `data` named `name`, or refuse with a message naming the file and the problem."""
    name = plain_name(name)
    if not data:
        raise DomainError(f"文件「{name}」是空文件，请重新选择。", field="file")
    check_size(name, len(data))
    mime = content_type_of(data)
    if mime is None:
        raise DomainError(
            f"文件「{name}」不是 PDF、JPG 或 PNG 文件（按文件内容判断），不能上传。", field="file"
        )
    label, extensions = ALLOWED_TYPES[mime]
    extension = name.rpartition(".")[2].lower() if "." in name else ""
    if extension not in extensions:
        raise DomainError(
            f"文件「{name}」的内容是 {label}，但扩展名不是 .{extensions[0]}，"
            "请改正扩展名后再上传。",
            field="file",
        )
    return CheckedFile(name, data, mime, hashlib.sha256(data).hexdigest())


def expiry_date(uploaded_on: dt.date, years: int | None) -> dt.date | None:
    """保存期满日期: `years` after the upload day (None: kept without a time limit)."""
    return None if years is None else uploaded_on + relativedelta(years=years)


# ---------------------------------------------------------------------------- the files


def _path(storage_name: str) -> pathlib.Path:
    root = pathlib.Path(settings.DANGJIAN_DOCUMENT_DIR)
    return root / storage_name[:2] / storage_name


def store_file(data: bytes) -> str:
    """Encrypt and write `data` under a new random name; returns the name. The write is atomic
    (a temporary file renamed), so a reader never sees half a file."""
    storage_name = secrets.token_hex(16)
    path = _path(storage_name)
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_suffix(".part")
    temporary.write_bytes(seal_document(storage_name, data))
    os.replace(temporary, path)
    return storage_name


def read_file(storage_name: str) -> bytes:
    """The plain content of a stored file."""
    return open_document(storage_name, _path(storage_name).read_bytes())


def remove_file(storage_name: str) -> None:
    _path(storage_name).unlink(missing_ok=True)


def raw_file(storage_name: str) -> bytes:
    """The bytes on disk, as stored (tests check they are not the plain file)."""
    return _path(storage_name).read_bytes()
