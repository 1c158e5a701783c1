"""Backups with restore drills (core.backup; `manage.py backup`, `restore`, `fingerprint`).

The drill fills the suite's database through the services (members, an event, a document),
copies it for other processes (SQLite file, or a PostgreSQL database of its own under
scripts/with-postgres), and there backs it up, wipes it, restores it and fingerprints it, each
step a process of its own, as an operator would run them. The refusals run in this process:
they refuse before anything is touched.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import os
import shutil
import subprocess
import sys
import tarfile
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
import time_machine
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.db.migrations.loader import MigrationLoader

from dangjian.conftest import build_cast
from dangjian.core import backup, crypto
from dangjian.core.tests.test_worker_restart import database_copy
from dangjian.documents.services import upload_document
from dangjian.members.services import record_event

PDF = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<<>>\n%%EOF\n"


def fill() -> None:
    """Members (the cast), an event and a document, all through the services."""
    cast = build_cast()
    record_event(
        actor=cast.county_admin, member=cast.neighbour, kind="out",
        effective_date=dt.date(2024, 3, 1), counterpart="外省某党支部",
    )  # fmt: skip
    upload_document(
        actor=cast.secretary, target=cast.member, kind="入党志愿书", name="志愿书.pdf",
        data=PDF + "入党志愿书 李明".encode() * 40,
    )  # fmt: skip


@pytest.fixture
def var_dir(tmp_path: Path, settings: Any) -> Path:
    """Documents and keys under tmp_path, where the subprocesses (DANGJIAN_VAR_DIR) look too."""
    settings.DANGJIAN_DOCUMENT_DIR = tmp_path / "documents"
    keys = tmp_path / "keys"
    keys.mkdir()
    (keys / "field.key").write_bytes(crypto._read_or_create_master() + b"\n")
    settings.FIELD_ENCRYPTION_KEY, settings.FIELD_ENCRYPTION_KEY_FILE = "", keys / "field.key"
    settings.DANGJIAN_SIGNING_KEY_FILE = keys / "signing-ed25519.pem"
    crypto.reset_key_cache()
    yield tmp_path
    crypto.reset_key_cache()


def manage(env: dict[str, str], *args: str, ok: bool = True) -> subprocess.CompletedProcess[str]:
    done = subprocess.run(
        [sys.executable, "-m", "dangjian", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    if ok:
        assert done.returncode == 0, done.stderr[-3000:]
    return done


def wipe(env: dict[str, str], var_dir: Path) -> None:
    """Lose everything: the database (file deleted, or database dropped and created empty)
    and the documents."""
    shutil.rmtree(var_dir / "documents")
    url = env["DATABASE_URL"]
    if url.startswith("sqlite:"):
        Path(url.removeprefix("sqlite:///")).unlink()
        return
    import psycopg

    base, name = url.rsplit("/", 1)
    with psycopg.connect(f"{base}/postgres", autocommit=True) as admin:
        admin.execute(f'DROP DATABASE "{name}" WITH (FORCE)')
        admin.execute(f'CREATE DATABASE "{name}"')


@pytest.mark.django_db(transaction=True)  # committed data, to be copied for other processes
def test_fill_back_up_wipe_restore_gives_identical_fingerprints(var_dir: Path) -> None:
    fill()
    before = backup.current_fingerprints()
    assert before["documents"]["count"] == 1 and before["member_events"]["count"] > 3
    with database_copy(var_dir) as env:
        env.update(DANGJIAN_FIELD_KEY="", DANGJIAN_FIELD_KEY_FILE=str(var_dir / "keys/field.key"))
        archive, keys = var_dir / "backups" / "drill.tar", var_dir / "apart" / "keys.json"
        done = manage(env, "backup", "--output", str(archive), "--key-file", str(keys))
        assert "另行" not in done.stdout and "与备份文件不同的地方" in done.stdout
        assert oct(archive.stat().st_mode & 0o777) == oct(keys.stat().st_mode & 0o777) == "0o600"
        wipe(env, var_dir)
        assert not (var_dir / "documents").exists()
        done = manage(env, "restore", str(archive), "--key-file", str(keys))
        assert "指纹与备份清单一致" in done.stdout
        after = json.loads(manage(env, "fingerprint", "--json").stdout)
    assert after == before


def rewrite(archive: Path, target: Path, change: Any) -> Path:
    """A copy of `archive` with each member's bytes passed through change(name, data)."""
    with tarfile.open(archive) as source, tarfile.open(target, "w") as out:
        for member in source:
            stream = source.extractfile(member)
            assert stream is not None
            data = change(member.name, stream.read())
            member.size = len(data)
            out.addfile(member, io.BytesIO(data))
    return target


def refused(*args: Any) -> str:
    with pytest.raises(CommandError) as caught:
        call_command("restore", *map(str, args))
    return str(caught.value)


@pytest.mark.django_db(transaction=True)  # pg_dump reads committed data only
def test_restore_refuses_what_it_cannot_restore_faithfully(var_dir: Path, settings: Any) -> None:
    fill()
    archive, keys = var_dir / "b" / "good.tar", var_dir / "apart" / "keys.json"
    call_command("backup", "--output", str(archive), "--key-file", str(keys), stdout=io.StringIO())
    manifest = backup.read_manifest(archive)
    assert manifest["engine"] == connection.vendor and manifest["counts"]["documents"] == 1
    assert crypto._read_or_create_master().decode() not in archive.read_bytes().decode("latin-1")
    checked = io.StringIO()
    call_command("restore", str(archive), "--check-only", stdout=checked)
    assert "校验通过" in checked.getvalue() and backup.short(manifest["keys"]["field_key"]) in (
        checked.getvalue()
    )
    # The database here has data: not overwritten without --force (stdin is no terminal).
    assert "已有数据" in refused(archive) and "--force" in refused(archive)

    # A corrupted part (one byte of the database dump).
    part = backup.SQLITE_PART if connection.vendor == "sqlite" else backup.PG_PART

    def flip(name: str, data: bytes) -> bytes:
        return data[:-100] + bytes([data[-100] ^ 1]) + data[-99:] if name == part else data

    assert "校验值与清单不符" in refused(rewrite(archive, var_dir / "bad.tar", flip), "--force")

    # An archive from a newer version of the code (a migration this code does not have).
    def newer(name: str, data: bytes) -> bytes:
        if name != backup.MANIFEST:
            return data
        content = json.loads(data)
        content["migrations"]["members"] = "9999_from_the_future"
        return json.dumps(content).encode()

    message = refused(rewrite(archive, var_dir / "newer.tar", newer), "--force")
    assert "更新的软件版本" in message and "members.9999_from_the_future" in message

    # The wrong key in force, then the wrong key file: refused, saying which key and how.
    settings.FIELD_ENCRYPTION_KEY = "another-installation-s-key"
    message = refused(archive, "--force")
    assert backup.short(manifest["keys"]["field_key"]) in message and "--key-file" in message
    other = json.loads(keys.read_text())
    other["field_key"] = "another-installation-s-key"
    (var_dir / "other.json").write_text(json.dumps(other))
    settings.FIELD_ENCRYPTION_KEY = ""
    assert "密钥文件中的字段加密密钥" in refused(archive, "--key-file", var_dir / "other.json")


def test_backup_asks_where_the_keys_are_kept(tmp_path: Path) -> None:
    with pytest.raises(CommandError, match="--key-kept-elsewhere"):
        call_command("backup", "--output", str(tmp_path / "a.tar"))
    with pytest.raises(CommandError, match="同一个目录"):
        call_command(
            "backup", "--output", str(tmp_path / "a.tar"), "--key-file", str(tmp_path / "k.json")
        )


def test_an_archive_from_an_older_schema_restores_then_needs_migrate() -> None:
    current = dict(MigrationLoader(None, ignore_no_migrations=True).graph.leaf_nodes())
    assert backup.check_schema(current) == backup.SchemaCheck([], False)
    older = {**current, "members": "0001_initial"}
    assert backup.check_schema(older) == backup.SchemaCheck([], True)
    assert backup.check_schema({**current, "votes": "0999_x"}).newer == ["votes.0999_x"]


def test_a_row_gives_one_fingerprint_from_sqlite_strings_and_from_typed_values() -> None:
    """What plain sqlite3 returns (strings, 0/1) and what Django's or psycopg's cursors return
    (dates, aware datetimes, bools, Decimals, JSON text in another key order) normalise alike."""
    kinds = ["DateField", "DateTimeField", "BooleanField", "DecimalField", "JSONField", "CharField"]
    raw = [
        "2024-03-01",
        "2024-03-01 04:05:06.000007",
        1,
        "12.5",
        '{"b": 1, "a": [1, "党"]}',
        "李明",
    ]
    shanghai = dt.timezone(dt.timedelta(hours=8))
    typed = [
        dt.date(2024, 3, 1),
        dt.datetime(2024, 3, 1, 12, 5, 6, 7, tzinfo=shanghai),
        True,
        Decimal("12.50"),
        '{"a": [1, "党"], "b": 1}',
        "李明",
    ]

    def line(values: list[Any]) -> list[Any]:
        return [backup.normalise(k, v, 2) for k, v in zip(kinds, values, strict=True)]

    assert line(raw) == line(typed)
    assert line(raw)[1] == "2024-03-01T04:05:06.000007Z" and line(raw)[3] == "12.50"
    assert line([*raw[:5], "李"]) != line(typed)


def test_prune_keeps_the_newest_archives(tmp_path: Path) -> None:
    for i in range(4):
        path = tmp_path / f"dangjian-2026120{i}.tar"
        path.write_bytes(b"x")
        os.utime(path, (1_700_000_000 + i, 1_700_000_000 + i))
    (tmp_path / "other.tar").write_bytes(b"x")
    removed = backup.prune_backups(tmp_path, 2)
    assert [p.name for p in removed] == ["dangjian-20261200.tar", "dangjian-20261201.tar"]
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "dangjian-20261202.tar", "dangjian-20261203.tar", "other.tar",
    ]  # fmt: skip


# The fingerprint of the row below, the same on SQLite and on PostgreSQL (both stages run this):
# a time, JSON (stored as text, or as jsonb that reorders keys), an IP address (text, or inet).
AUDIT_SHA = "50b74b9738bfda30bb72b9f04ddbffcf550664929d9a25c8155c89d3df536375"


@pytest.mark.django_db
def test_the_same_rows_give_the_same_fingerprint_on_every_engine() -> None:
    from dangjian.audit.models import AuditEvent

    AuditEvent.objects.all()._raw_delete(AuditEvent.objects.db)  # rolled back at the end
    with time_machine.travel(dt.datetime(2026, 3, 1, 8, 30, 15, 123456, tzinfo=dt.UTC)):
        AuditEvent.objects.bulk_create([AuditEvent(  # with its id: save() refuses
            id=9, actor_name="县委组织部", action="members.record_event", target_type="member",
            target_id="70", target_repr="李明", ip="192.168.0.1",
            detail={"z": [1, 2.5, None, True], "a": {"名称": "东街社区党支部"}},
        )])  # fmt: skip
    with connection.cursor() as cursor:
        audit = backup.table_fingerprint(cursor, connection.vendor, AuditEvent)
    assert audit == {"count": 1, "sha256": AUDIT_SHA}
