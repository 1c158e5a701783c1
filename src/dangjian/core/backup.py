"""备份与恢复 (issue 16, part 4): one archive per backup, restored only when it can be proven whole.

An archive is an uncompressed tar (the parts are a database dump, already compressed by pg_dump
or not worth compressing, and encrypted documents, which do not compress):

  database.sqlite3 | database.pgdump   the database: SQLite through the online backup API (a
                                       consistent copy while the site runs), PostgreSQL through
                                       `pg_dump --format=custom` on an exported snapshot
  documents/<xx>/<name>                the encrypted scans under DANGJIAN_DOCUMENT_DIR, as stored
  manifest.json                        written last: format, time, engine, version, the latest
                                       migration per app, counts, the SHA-256 of every part, the
                                       fingerprints of the data, and the fingerprints (never the
                                       value) of the field-encryption key and the signing key

The keys never go into the archive: `backup --key-file OUT` writes them to a separate file (0600)
to be kept apart, or the operator says they keep them elsewhere (`--key-kept-elsewhere`).
`restore` refuses an archive whose field key is not the key in force (or the one in
`--key-file`): data that cannot be decrypted is worse than no restore.

Fingerprints: a SHA-256 per table over members, member events, spells, the audit log and the
documents (their rows and the stored bytes of their files), rows in primary-key order, every value
normalised (dates, times in UTC, decimals, JSON with sorted keys), so that the same data gives the
same fingerprint on SQLite and on PostgreSQL, and on a plain sqlite3 connection (strings) as on
Django's (parsed values). The backup computes them on exactly the data it dumps (the copy for
SQLite, the exported snapshot for PostgreSQL); the restore recomputes them and fails loudly on a
difference.

core sits below the apps, so the models are reached by name (apps.get_model), and the signing
key's fingerprint is computed here as exchange.signing computes it (SHA-256 of the raw key).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.apps import apps
from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections, models, transaction
from django.db.migrations.loader import MigrationLoader
from django.utils import timezone

FORMAT_VERSION = 1
MANIFEST = "manifest.json"
SQLITE_PART = "database.sqlite3"
PG_PART = "database.pgdump"
DOCUMENTS = "documents/"
KEY_FILE_FORMAT = "dangjian-keys/1"
CHUNK = 1024 * 1024

# (name in the manifest, model) of the tables a fingerprint covers, in this order.
FINGERPRINTED = (
    ("members", "members.Member"),
    ("member_events", "members.MemberEvent"),
    ("spells", "members.MemberSpell"),
    ("audit", "audit.AuditEvent"),
    ("documents", "core.Document"),
)


class BackupError(Exception):
    """A backup or restore refused or failed; the message is Chinese, for the operator."""


# ---------------------------------------------------------------------------------- the keys


def field_key_in_force() -> bytes | None:
    """The field-encryption master secret this installation uses now, or None (never created
    here: crypto creates one on first use outside production, which a restore must not do)."""
    if settings.FIELD_ENCRYPTION_KEY:
        return str(settings.FIELD_ENCRYPTION_KEY).encode()
    path = Path(settings.FIELD_ENCRYPTION_KEY_FILE)
    return path.read_bytes().strip() if path.exists() else None


def field_key_fingerprint(master: bytes) -> str:
    """Names the key without revealing it: HKDF of the secret for this purpose only (the same
    derivation crypto uses for its working keys, with an info of its own)."""
    derived = HKDF(
        algorithm=hashes.SHA256(), length=32, salt=None, info=b"dangjian key fingerprint"
    ).derive(master)
    return derived.hex()


def signing_key_in_force() -> bytes | None:
    path = Path(settings.DANGJIAN_SIGNING_KEY_FILE)
    return path.read_bytes() if path.exists() else None


def signing_key_fingerprint(pem: bytes) -> str:
    """SHA-256 of the raw public key: the fingerprint other installations trust (exchange)."""
    key = serialization.load_pem_private_key(pem, password=None)
    if not isinstance(key, Ed25519PrivateKey):
        raise BackupError("签名密钥文件不是 Ed25519 私钥。")
    raw = key.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return hashlib.sha256(raw).hexdigest()


def key_fingerprints() -> dict[str, str | None]:
    field_key, signing = field_key_in_force(), signing_key_in_force()
    return {
        "field_key": field_key_fingerprint(field_key) if field_key else None,
        "signing_key": signing_key_fingerprint(signing) if signing else None,
    }


def short(fingerprint: str | None) -> str:
    """The first 16 hex digits in groups of 4, to read aloud or compare by eye."""
    if not fingerprint:
        return "（无）"
    return " ".join(fingerprint[i : i + 4] for i in range(0, 16, 4))


@dataclass(frozen=True)
class KeyBundle:
    """The keys as written by `backup --key-file` (the values, so kept apart and 0600)."""

    field_key: bytes
    signing_key: bytes | None

    def fingerprints(self) -> dict[str, str | None]:
        return {
            "field_key": field_key_fingerprint(self.field_key),
            "signing_key": signing_key_fingerprint(self.signing_key) if self.signing_key else None,
        }


def write_key_file(path: Path) -> dict[str, str | None]:
    """Write the keys in force to `path` (created 0600; an existing file is replaced atomically)."""
    field_key = field_key_in_force()
    if field_key is None:
        raise BackupError("本机还没有字段加密密钥，没有可导出的密钥。")
    signing = signing_key_in_force()
    bundle = KeyBundle(field_key, signing)
    content = {
        "format": KEY_FILE_FORMAT,
        "note": "党建工作平台密钥文件：与备份分开保管，切勿与备份文件放在同一处。",
        "created_at": timezone.now().isoformat(),
        "field_key": field_key.decode(),
        "signing_key_pem": signing.decode() if signing else None,
        "fingerprints": bundle.fingerprints(),
    }
    _write_private(path, json.dumps(content, ensure_ascii=False, indent=2).encode() + b"\n")
    return bundle.fingerprints()


def read_key_file(path: Path) -> KeyBundle:
    try:
        content = json.loads(path.read_bytes())
        if content.get("format") != KEY_FILE_FORMAT:
            raise ValueError(content.get("format"))
        pem = content.get("signing_key_pem")
        return KeyBundle(content["field_key"].encode(), pem.encode() if pem else None)
    except FileNotFoundError as exc:
        raise BackupError(f"找不到密钥文件 {path}。") from exc
    except (ValueError, KeyError, AttributeError, TypeError) as exc:
        raise BackupError(f"{path} 不是本系统 backup --key-file 导出的密钥文件。") from exc


def _write_private(path: Path, data: bytes) -> None:
    """Write `data` to `path`, mode 0600 from the start, atomically (beside, fsync, rename)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.{uuid.uuid4().hex[:8]}.part")
    fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as fh:
        fh.write(data)
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(temporary, path)
    _fsync_dir(path.parent)


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


# -------------------------------------------------------------------------- the fingerprints


def _utc_text(value: dt.datetime) -> str:
    if value.tzinfo is None:  # SQLite keeps UTC without an offset (USE_TZ)
        value = value.replace(tzinfo=dt.UTC)
    return value.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def normalise(kind: str, value: Any, decimal_places: int | None = None) -> Any:
    """One engine-independent form of a column's value: `kind` is the model field's internal
    type ("" for a column the model does not know), `value` as a cursor returned it (a string
    from plain sqlite3, a date, datetime, Decimal, bool … from Django's or psycopg's)."""
    if value is None:
        return None
    if kind == "DateField":
        return value[:10] if isinstance(value, str) else value.isoformat()[:10]
    if kind == "DateTimeField":
        if isinstance(value, str):
            value = dt.datetime.fromisoformat(value.replace(" ", "T"))
        return _utc_text(value)
    if kind == "TimeField":
        if isinstance(value, str):
            value = dt.time.fromisoformat(value)
        return value.isoformat(timespec="microseconds")
    if kind in ("BooleanField", "NullBooleanField"):
        return bool(int(value)) if isinstance(value, str) else bool(value)
    if kind == "DecimalField":
        number = Decimal(str(value))
        return f"{number:.{decimal_places}f}" if decimal_places is not None else str(number)
    if kind == "FloatField":
        return repr(float(value))
    if kind == "JSONField":
        data = json.loads(value) if isinstance(value, str | bytes) else value
        return json.dumps(data, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    if kind == "UUIDField":
        return uuid.UUID(str(value)).hex
    if kind == "DurationField":
        if isinstance(value, dt.timedelta):
            return value // dt.timedelta(microseconds=1)
        return int(value)
    if isinstance(value, bytes | memoryview | bytearray):
        return bytes(value).hex()
    if isinstance(value, bool):
        return int(value) if kind.endswith("IntegerField") else value
    if isinstance(value, int | str):
        return value
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, float):
        return repr(value)
    if isinstance(value, dt.datetime):
        return _utc_text(value)
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


def _columns(cursor: Any, vendor: str, table: str) -> list[str]:
    """The table's columns as the database has them (an older archive restored before
    `migrate` has the columns of its own version), sorted by name: the order does not depend
    on the order in which migrations added them."""
    if vendor == "sqlite":
        cursor.execute(f'PRAGMA table_info("{table}")')
        names = [row[1] for row in cursor.fetchall()]
    else:
        cursor.execute(
            "SELECT column_name FROM information_schema.columns "
            f"WHERE table_schema = current_schema() AND table_name = '{table}'"
        )
        names = [row[0] for row in cursor.fetchall()]
    return sorted(names)


def table_fingerprint(
    cursor: Any,
    vendor: str,
    model: type[models.Model],
    extra: Callable[[dict[str, Any]], Any] | None = None,
) -> dict[str, Any]:
    """Count and SHA-256 of one table's rows in primary-key order; `extra(row)` adds a value
    computed from the row (a document's file) to each line."""
    table, pk = model._meta.db_table, model._meta.pk
    assert pk is not None
    columns = _columns(cursor, vendor, table)
    by_column = {f.column: f for f in model._meta.concrete_fields}
    converters: list[Callable[[Any], Any] | None] = []
    for column in columns:
        known = by_column.get(column)
        internal = known.get_internal_type() if known else ""
        if isinstance(known, models.ForeignKey):
            internal = known.target_field.get_internal_type()
        converters.append(_converter(internal, getattr(known, "decimal_places", None)))
    hasher = hashlib.sha256(_line(columns))
    count = 0
    quoted = ", ".join(f'"{c}"' for c in columns)
    cursor.execute(f'SELECT {quoted} FROM "{table}" ORDER BY "{pk.column}"')
    while rows := cursor.fetchmany(5000):
        lines = []
        for row in rows:
            values = [v if c is None else c(v) for c, v in zip(converters, row, strict=True)]
            if extra is not None:
                values.append(extra(dict(zip(columns, row, strict=True))))
            lines.append(_line(values))
        hasher.update(b"".join(lines))
        count += len(rows)
    return {"count": count, "sha256": hasher.hexdigest()}


_ENCODER = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"), default=str)


def _line(values: list[Any]) -> bytes:
    return _ENCODER.encode(values).encode() + b"\n"


def _date(value: Any) -> Any:
    if value is None:
        return None
    return value[:10] if isinstance(value, str) else value.isoformat()[:10]


def _datetime(value: Any) -> Any:
    if value is None:
        return None
    return normalise("DateTimeField", value)


def _boolean(value: Any) -> Any:
    return None if value is None else normalise("BooleanField", value)


# Columns whose values every engine returns alike (text, integers): hashed as returned.
_AS_RETURNED = {
    "CharField", "TextField", "SlugField", "EmailField", "URLField", "IntegerField",
    "BigIntegerField", "SmallIntegerField", "PositiveIntegerField", "PositiveBigIntegerField",
    "PositiveSmallIntegerField", "AutoField", "BigAutoField", "SmallAutoField",
}  # fmt: skip


def _converter(kind: str, decimal_places: int | None) -> Callable[[Any], Any] | None:
    if kind in _AS_RETURNED:
        return None
    fast = {"DateField": _date, "DateTimeField": _datetime, "BooleanField": _boolean}.get(kind)
    return fast or (lambda value: normalise(kind, value, decimal_places))


FileHasher = Callable[[str], str | None]  # storage name → SHA-256 of the stored bytes, or None


def documents_on_disk(root: Path) -> FileHasher:
    """Hash a stored document's bytes from a document directory (None: the file is missing)."""

    def sha(storage_name: str) -> str | None:
        path = root / storage_name[:2] / storage_name
        try:
            return file_sha256(path)
        except FileNotFoundError:
            return None

    return sha


def fingerprints(cursor: Any, vendor: str, files: FileHasher) -> dict[str, dict[str, Any]]:
    """The fingerprints of the data behind `cursor` (any DB-API cursor on a dangjian database)."""
    result = {}
    for name, label in FINGERPRINTED:
        model = apps.get_model(label)
        extra = (lambda row: files(row["storage_name"])) if name == "documents" else None
        result[name] = table_fingerprint(cursor, vendor, model, extra)
    return result


def current_fingerprints() -> dict[str, dict[str, Any]]:
    """The fingerprints of this installation's database and documents now."""
    connection = connections[DEFAULT_DB_ALIAS]
    files = documents_on_disk(Path(settings.DANGJIAN_DOCUMENT_DIR))
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:  # one snapshot for every table
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        with connection.cursor() as cursor:
            return fingerprints(cursor, connection.vendor, files)


def file_sha256(path: Path) -> str:
    hasher = hashlib.sha256()
    with open(path, "rb") as fh:
        while chunk := fh.read(CHUNK):
            hasher.update(chunk)
    return hasher.hexdigest()


# ------------------------------------------------------------------------------ migrations


def _applied_latest(cursor: Any) -> dict[str, str]:
    """The latest applied migration per app (migration names start with their number)."""
    cursor.execute("SELECT app, name FROM django_migrations")
    latest: dict[str, str] = {}
    for app, name in cursor.fetchall():
        if app not in latest or name > latest[app]:
            latest[app] = name
    return dict(sorted(latest.items()))


@dataclass(frozen=True)
class SchemaCheck:
    newer: list[str]  # "app.migration" the code does not know: refuse
    older: bool  # the code has migrations the archive had not applied: migrate after


def check_schema(archived: Mapping[str, str]) -> SchemaCheck:
    graph = MigrationLoader(None, ignore_no_migrations=True).graph
    newer = [f"{app}.{name}" for app, name in archived.items() if (app, name) not in graph.nodes]
    older = False
    for app, name in archived.items():
        if (app, name) in graph.nodes:
            leaves = [leaf for leaf in graph.leaf_nodes(app)]
            older = older or any((app, name) != leaf for leaf in leaves)
    known_apps = {app for app, _ in graph.leaf_nodes()}
    older = older or bool(known_apps - set(archived))
    return SchemaCheck(newer, older)


# ---------------------------------------------------------------------------------- backup


@dataclass
class BackupResult:
    path: Path
    manifest: dict[str, Any]
    seconds: float


def _database() -> Any:
    return connections[DEFAULT_DB_ALIAS]


def engine() -> str:
    vendor = _database().vendor
    if vendor not in ("sqlite", "postgresql"):
        raise BackupError(f"不支持备份 {vendor} 数据库（只支持 SQLite 和 PostgreSQL）。")
    return str(vendor)


def app_version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("dangjian")
    except PackageNotFoundError:
        return "unknown"


def pg_program(name: str) -> str:
    """pg_dump / pg_restore: from $DANGJIAN_PG_BIN, else PATH, else the newest server install.
    The client must be at least as new as the server (pg_dump refuses an older one)."""
    if os.environ.get("DANGJIAN_PG_BIN"):
        return str(Path(os.environ["DANGJIAN_PG_BIN"]) / name)
    found = shutil.which(name)
    if found:
        return found
    installed = sorted(
        Path("/usr/lib/postgresql").glob(f"*/bin/{name}"),
        key=lambda p: [int(x) for x in p.parent.parent.name.split(".") if x.isdigit()],
    )
    if installed:
        return str(installed[-1])
    raise BackupError(f"找不到 {name}（请安装 PostgreSQL 客户端，或设置 DANGJIAN_PG_BIN）。")


def pg_connection_args() -> tuple[list[str], dict[str, str]]:
    """Arguments and environment for pg_dump/pg_restore from settings.DATABASES: the password
    goes in PGPASSWORD, never on the command line (where `ps` shows it to every user)."""
    db = _database().settings_dict  # the test database's name in tests
    args = ["--no-password", "--dbname", str(db["NAME"])]
    if db.get("HOST"):
        args += ["--host", str(db["HOST"])]
    if db.get("PORT"):
        args += ["--port", str(db["PORT"])]
    if db.get("USER"):
        args += ["--username", str(db["USER"])]
    env = {k: v for k, v in os.environ.items() if not k.startswith("PG")}
    if db.get("PASSWORD"):
        env["PGPASSWORD"] = str(db["PASSWORD"])
    sslmode = db.get("OPTIONS", {}).get("sslmode")
    if sslmode:
        env["PGSSLMODE"] = str(sslmode)
    return args, env


def _run(command: list[str], env: dict[str, str], what: str) -> None:
    done = subprocess.run(command, env=env, capture_output=True, text=True)
    if done.returncode != 0:
        raise BackupError(
            f"{what}失败（退出码 {done.returncode}）：\n{done.stderr.strip()[-3000:]}"
        )


@dataclass
class _View:
    """The database as dumped: the dump's file, and a cursor on exactly the data it holds."""

    path: Path
    part: str
    cursor: Any
    vendor: str
    server: str


@contextmanager
def _sqlite_view(scratch: Path) -> Iterator[_View]:
    """The online backup API: a consistent copy while the site keeps reading and writing; the
    fingerprints are then read from the copy through plain sqlite3 (strings, not Django's types)."""
    connection = _database()
    copy = scratch / SQLITE_PART
    target = sqlite3.connect(copy)
    try:
        connection.ensure_connection()
        connection.connection.backup(target)
        target.execute("PRAGMA journal_mode=DELETE")  # one self-contained file
    finally:
        target.close()
    plain = sqlite3.connect(f"file:{copy}?mode=ro", uri=True)
    try:
        version = plain.execute("SELECT sqlite_version()").fetchone()[0]
        yield _View(copy, SQLITE_PART, plain.cursor(), "sqlite", f"SQLite {version}")
    finally:
        plain.close()


@contextmanager
def _postgresql_view(scratch: Path) -> Iterator[_View]:
    """pg_dump on a snapshot exported by a repeatable-read transaction that stays open while
    the documents are archived and the fingerprints computed: all see exactly the same rows."""
    connection = _database()
    dump = scratch / PG_PART
    args, env = pg_connection_args()
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        cursor.execute("SELECT pg_export_snapshot(), current_setting('server_version')")
        snapshot, version = cursor.fetchone()
        command = [pg_program("pg_dump"), "--format=custom", f"--snapshot={snapshot}", *args]
        _run([*command, "--file", str(dump)], env, "pg_dump 导出数据库")
        yield _View(dump, PG_PART, cursor, "postgresql", f"PostgreSQL {version}")


def _document_files(root: Path) -> Iterator[tuple[str, Path]]:
    """(name in the archive, path) of every stored document file, in a stable order."""
    if not root.is_dir():
        return
    for path in sorted(root.rglob("*")):
        if path.is_file() and not path.name.endswith(".part"):
            yield DOCUMENTS + path.relative_to(root).as_posix(), path


def _document_part(storage_name: str) -> str:
    return f"{DOCUMENTS}{storage_name[:2]}/{storage_name}"


def create_backup(output: Path, *, key_file: Path | None = None) -> BackupResult:
    """Write one archive to `output` (0600, written beside and renamed when complete), and the
    keys to `key_file` when given."""
    started = time.monotonic()
    vendor = engine()
    document_root = Path(settings.DANGJIAN_DOCUMENT_DIR)
    output = output.resolve()
    output.parent.mkdir(parents=True, exist_ok=True)
    keys = key_fingerprints()
    if keys["field_key"] is None:
        raise BackupError("本机还没有字段加密密钥：没有密钥的备份无法恢复加密的数据。")
    view = _sqlite_view if vendor == "sqlite" else _postgresql_view
    temporary = output.with_name(f".{output.name}.{uuid.uuid4().hex[:8]}.part")
    try:
        with tempfile.TemporaryDirectory(prefix=".backup-", dir=output.parent) as scratch:
            fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with (
                os.fdopen(fd, "wb") as raw,
                tarfile.open(fileobj=raw, mode="w|", format=tarfile.PAX_FORMAT) as tar,
                view(Path(scratch)) as dump,
            ):
                parts = {dump.part: _add_file(tar, dump.part, dump.path)}
                # After the database's snapshot: every row it holds has its file (a file is
                # written before its row and removed after it).
                documents, documents_bytes = 0, 0
                for name, path in _document_files(document_root):
                    try:
                        data = path.read_bytes()
                    except FileNotFoundError:  # purged while the backup ran
                        continue
                    parts[name] = _add_bytes(tar, name, data)
                    documents, documents_bytes = documents + 1, documents_bytes + len(data)

                def archived(storage_name: str) -> str | None:
                    part = parts.get(_document_part(storage_name))
                    return part["sha256"] if part else None

                found = fingerprints(dump.cursor, dump.vendor, archived)
                manifest = {
                    "format": FORMAT_VERSION,
                    "created_at": timezone.now().isoformat(),
                    "engine": vendor,
                    "server": dump.server,
                    "app_version": app_version(),
                    "migrations": _applied_latest(dump.cursor),
                    "counts": {name: value["count"] for name, value in found.items()},
                    "documents": {"files": documents, "bytes": documents_bytes},
                    "parts": parts,
                    "fingerprints": found,
                    "keys": keys,
                    "keys_exported_to_separate_file": key_file is not None,
                }
                body = json.dumps(manifest, ensure_ascii=False, indent=2).encode()
                _add_bytes(tar, MANIFEST, body)
            with open(temporary, "rb+") as written:
                os.fsync(written.fileno())
            os.replace(temporary, output)
            _fsync_dir(output.parent)
    finally:
        temporary.unlink(missing_ok=True)
    if key_file is not None:
        write_key_file(key_file)
    return BackupResult(output, manifest, time.monotonic() - started)


def _tarinfo(name: str, size: int) -> tarfile.TarInfo:
    info = tarfile.TarInfo(name)
    info.size, info.mode, info.mtime = size, 0o600, int(time.time())
    return info


def _add_file(tar: tarfile.TarFile, name: str, path: Path) -> dict[str, Any]:
    sha, size = file_sha256(path), path.stat().st_size
    with open(path, "rb") as fh:
        tar.addfile(_tarinfo(name, size), fh)
    return {"sha256": sha, "size": size}


def _add_bytes(tar: tarfile.TarFile, name: str, data: bytes) -> dict[str, Any]:
    tar.addfile(_tarinfo(name, len(data)), io.BytesIO(data))
    return {"sha256": hashlib.sha256(data).hexdigest(), "size": len(data)}


# --------------------------------------------------------------------------------- restore


@dataclass
class RestorePlan:
    """An archive checked and found whole, with what restoring it means here."""

    archive: Path
    manifest: dict[str, Any]
    older_schema: bool
    keys: KeyBundle | None
    target_has_data: bool
    warnings: list[str] = field(default_factory=list)


@dataclass
class RestoreResult:
    manifest: dict[str, Any]
    older_schema: bool
    warnings: list[str]
    seconds: float


def _safe_part(name: str) -> bool:
    if name in (MANIFEST, SQLITE_PART, PG_PART):
        return True
    parts = name.split("/")
    return (
        name.startswith(DOCUMENTS)
        and len(parts) >= 2
        and all(p not in ("", ".", "..") for p in parts[1:])
    )


def read_manifest(archive: Path) -> dict[str, Any]:
    try:
        with tarfile.open(archive, "r:") as tar:
            member = tar.extractfile(MANIFEST)
            if member is None:
                raise KeyError(MANIFEST)
            manifest: dict[str, Any] = json.loads(member.read())
    except FileNotFoundError as exc:
        raise BackupError(f"找不到备份文件 {archive}。") from exc
    except (tarfile.TarError, KeyError, ValueError, OSError) as exc:
        raise BackupError(
            f"{archive} 不是本系统的备份文件，或已损坏（读不出清单 manifest.json）。"
        ) from exc
    if manifest.get("format") != FORMAT_VERSION:
        raise BackupError(
            f"备份文件格式为 {manifest.get('format')}，本版本只能恢复格式 {FORMAT_VERSION}。"
        )
    return manifest


def verify_archive(archive: Path) -> dict[str, Any]:
    """The manifest, after checking that the archive holds exactly its parts, each with the
    SHA-256 the manifest records."""
    manifest = read_manifest(archive)
    expected: dict[str, dict[str, Any]] = manifest["parts"]
    seen: set[str] = set()
    bad: list[str] = []
    try:
        with tarfile.open(archive, "r:") as tar:
            for member in tar:
                name = member.name
                if name == MANIFEST:
                    continue
                if not member.isfile() or not _safe_part(name) or name not in expected:
                    raise BackupError(f"备份文件中有清单未列出的内容「{name}」，拒绝恢复。")
                if name in seen:
                    raise BackupError(f"备份文件中「{name}」出现了两次，拒绝恢复。")
                seen.add(name)
                stream = tar.extractfile(member)
                assert stream is not None
                hasher = hashlib.sha256()
                while chunk := stream.read(CHUNK):
                    hasher.update(chunk)
                if hasher.hexdigest() != expected[name]["sha256"]:
                    bad.append(name)
    except (tarfile.TarError, OSError) as exc:
        raise BackupError(f"备份文件 {archive} 已损坏（{exc}），拒绝恢复。") from exc
    missing = sorted(set(expected) - seen)
    if missing:
        raise BackupError(
            f"备份文件不完整：缺少 {len(missing)} 个部分（如「{missing[0]}」），拒绝恢复。"
        )
    if bad:
        raise BackupError(
            f"备份文件已损坏：{len(bad)} 个部分的 SHA-256 校验值与清单不符（如「{bad[0]}」），"
            "拒绝恢复。请换用另一份备份。"
        )
    return manifest


def _check_keys(manifest: Mapping[str, Any], bundle: KeyBundle | None) -> list[str]:
    """Refuse when the field key that would be in force after the restore is not the archive's;
    a different or missing signing key is a warning (the data stays readable, other
    installations must trust the new key)."""
    wanted = manifest["keys"]
    have = bundle.fingerprints() if bundle else key_fingerprints()
    source = "密钥文件中的" if bundle else "本机当前使用的"
    if have["field_key"] != wanted["field_key"]:
        raise BackupError(
            f"{source}字段加密密钥（指纹 {short(have['field_key'])}）与备份时的密钥"
            f"（指纹 {short(wanted['field_key'])}）不一致：用错误的密钥恢复后，身份证号码和档案"
            "材料都无法解密，所以拒绝恢复。请用 --key-file 指定备份时用 backup --key-file 导出的"
            "密钥文件（指纹须为上面备份时的指纹），或把原密钥放回 DANGJIAN_FIELD_KEY_FILE 所指的"
            "位置后再恢复。"
        )
    env_key = str(settings.FIELD_ENCRYPTION_KEY).encode()
    if bundle and settings.FIELD_ENCRYPTION_KEY and env_key != bundle.field_key:
        raise BackupError(
            "环境变量 DANGJIAN_FIELD_KEY 设定了另一个字段加密密钥，会盖过密钥文件：请去掉"
            "该环境变量（或改为密钥文件中的值）后再恢复。"
        )
    warnings = []
    if wanted.get("signing_key") and have["signing_key"] != wanted["signing_key"]:
        warnings.append(
            f"签名密钥（指纹 {short(have['signing_key'])}）与备份时（指纹 "
            f"{short(wanted['signing_key'])}）不同：数据可以正常使用，但其他系统须重新信任本系统"
            "的签名密钥才能接收本系统签发的转接材料。用 --key-file 恢复可一并恢复签名密钥。"
        )
    return warnings


def database_has_data() -> bool:
    """Whether the database holds organizations, members or accounts (a database that was only
    migrated, or is new, is empty)."""
    connection = _database()
    labels = ("orgs.Organization", "members.Member", settings.AUTH_USER_MODEL)
    tables = set(connection.introspection.table_names())
    for label in labels:
        model = apps.get_model(label)
        if (
            model._meta.db_table in tables
            and model._default_manager.using(connection.alias).exists()
        ):
            return True
    return False


def documents_present() -> bool:
    return any(True for _ in _document_files(Path(settings.DANGJIAN_DOCUMENT_DIR)))


def prepare_restore(archive: Path, *, key_file: Path | None = None) -> RestorePlan:
    """Every check that can refuse, before anything is touched."""
    manifest = verify_archive(archive)
    vendor = engine()
    if manifest["engine"] != vendor:
        names = {"sqlite": "SQLite", "postgresql": "PostgreSQL"}
        raise BackupError(
            f"这是 {names.get(manifest['engine'], manifest['engine'])} 数据库的备份，本机配置的是 "
            f"{names[vendor]}：只能恢复到同一种数据库。"
        )
    schema = check_schema(manifest["migrations"])
    if schema.newer:
        raise BackupError(
            f"备份来自更新的软件版本（{manifest.get('app_version')}），其数据库结构包含本版本没有的"
            f"迁移（如 {schema.newer[0]}）：请先把本机软件升级到不低于备份时的版本，再恢复。"
        )
    bundle = read_key_file(key_file) if key_file else None
    warnings = _check_keys(manifest, bundle)
    has_data = database_has_data() or documents_present()
    return RestorePlan(archive, manifest, schema.older, bundle, has_data, warnings)


def apply_restore(plan: RestorePlan, *, force: bool = False) -> RestoreResult:
    """Replace the database and the documents with the archive's, install the keys from the key
    file, then recompute the fingerprints: a difference from the manifest is an error."""
    if plan.target_has_data and not force:
        raise BackupError(
            "当前数据库或档案材料目录中已有数据，恢复会全部覆盖。确认要覆盖时请加 --force。"
        )
    started = time.monotonic()
    stamp = timezone.now().strftime("%Y%m%d%H%M%S")
    documents_root = Path(settings.DANGJIAN_DOCUMENT_DIR)
    fresh = documents_root.with_name(f".{documents_root.name}.restore-{stamp}")
    previous = documents_root.with_name(f".{documents_root.name}.old-{stamp}")
    with tarfile.open(plan.archive, "r:") as tar, tempfile.TemporaryDirectory() as scratch:
        _extract_documents(tar, plan.manifest, fresh)
        connections.close_all()
        if plan.manifest["engine"] == "sqlite":
            _restore_sqlite(tar, plan.manifest)
        else:
            _restore_postgresql(tar, plan.manifest, Path(scratch))
    # Documents: the fresh directory replaces the old one by renames (a reader sees one or the
    # other); the old one is removed only once the fingerprints agree.
    documents_root.parent.mkdir(parents=True, exist_ok=True)
    if documents_root.exists():
        os.replace(documents_root, previous)
    os.replace(fresh, documents_root)
    _fsync_dir(documents_root.parent)
    if plan.keys is not None:
        _install_keys(plan.keys, stamp)
    connections.close_all()
    found = current_fingerprints()
    differ = [
        name for name, value in plan.manifest["fingerprints"].items() if found.get(name) != value
    ]
    if differ:
        kept = f"原档案材料目录保留在 {previous}。" if previous.exists() else ""
        raise BackupError(
            f"恢复后的数据指纹与备份清单不一致（{'、'.join(differ)}）：恢复结果不可信，请勿使用，"
            f"换用另一份备份重新恢复，并保留现场报告管理员。{kept}"
        )
    shutil.rmtree(previous, ignore_errors=True)
    return RestoreResult(
        plan.manifest, plan.older_schema, plan.warnings, time.monotonic() - started
    )


def _write_member(tar: tarfile.TarFile, name: str, sha256: str, path: Path) -> None:
    """Copy a part out of the archive to `path` (fsynced), checking its SHA-256 again."""
    stream = tar.extractfile(name)
    assert stream is not None
    hasher = hashlib.sha256()
    with open(path, "xb") as out:
        while chunk := stream.read(CHUNK):
            hasher.update(chunk)
            out.write(chunk)
        out.flush()
        os.fsync(out.fileno())
    if hasher.hexdigest() != sha256:
        raise BackupError(f"备份文件中「{name}」读出时校验不符（介质故障？），已停止恢复。")


def _extract_documents(tar: tarfile.TarFile, manifest: Mapping[str, Any], fresh: Path) -> None:
    if fresh.exists():
        shutil.rmtree(fresh)
    fresh.mkdir(parents=True)
    folders = {fresh}
    for name, part in manifest["parts"].items():
        if not name.startswith(DOCUMENTS):
            continue
        path = fresh / name.removeprefix(DOCUMENTS)
        path.parent.mkdir(parents=True, exist_ok=True)
        folders.add(path.parent)
        _write_member(tar, name, part["sha256"], path)
    for folder in folders:
        _fsync_dir(folder)


def _restore_sqlite(tar: tarfile.TarFile, manifest: Mapping[str, Any]) -> None:
    """Write the copy beside the database file, fsync, and rename it over the file."""
    name = str(settings.DATABASES[DEFAULT_DB_ALIAS]["NAME"])
    if name == ":memory:" or "mode=memory" in name:
        raise BackupError("内存数据库不能恢复。")
    path = Path(name)
    path.parent.mkdir(parents=True, exist_ok=True)
    beside = path.with_name(f".{path.name}.restore-{uuid.uuid4().hex[:8]}")
    try:
        _write_member(tar, SQLITE_PART, manifest["parts"][SQLITE_PART]["sha256"], beside)
        if path.exists():  # fold the old write-ahead log in, so none is left to apply later
            old = sqlite3.connect(path)
            try:
                old.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            finally:
                old.close()
        for suffix in ("-wal", "-shm", "-journal"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
        os.replace(beside, path)
        _fsync_dir(path.parent)
    finally:
        beside.unlink(missing_ok=True)


def _restore_postgresql(tar: tarfile.TarFile, manifest: Mapping[str, Any], scratch: Path) -> None:
    """pg_restore as the database's owner (not a superuser): --no-owner makes it the owner of
    what it creates, --clean --if-exists drops the objects the dump holds first, and one
    transaction means a failure leaves the database as it was."""
    dump = scratch / PG_PART
    _write_member(tar, PG_PART, manifest["parts"][PG_PART]["sha256"], dump)
    args, env = pg_connection_args()
    command = [
        pg_program("pg_restore"), "--clean", "--if-exists", "--no-owner", "--single-transaction",
        "--exit-on-error", *args, str(dump),
    ]  # fmt: skip
    _run(command, env, "pg_restore 恢复数据库")


def _install_keys(bundle: KeyBundle, stamp: str) -> None:
    """Put the key file's keys where settings look for them; a different key already there is
    kept beside (…before-restore-<time>), never silently lost."""
    from dangjian.core import crypto

    targets = [(Path(settings.FIELD_ENCRYPTION_KEY_FILE), bundle.field_key + b"\n")]
    if bundle.signing_key:
        targets.append((Path(settings.DANGJIAN_SIGNING_KEY_FILE), bundle.signing_key))
    for path, data in targets:
        if path.exists():
            if path.read_bytes().strip() == data.strip():
                continue
            _write_private(path.with_name(f"{path.name}.before-restore-{stamp}"), path.read_bytes())
        _write_private(path, data)
    crypto.reset_key_cache()


def prune_backups(directory: Path, keep: int) -> list[Path]:
    """Remove all but the newest `keep` archives named dangjian-*.tar in `directory`."""
    archives = sorted(directory.glob("dangjian-*.tar"), key=lambda p: p.stat().st_mtime)
    removed = archives[: max(len(archives) - keep, 0)]
    for path in removed:
        path.unlink()
    return removed
