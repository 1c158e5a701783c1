"""Backup and restore of a county (part of `make bench`): BENCH_RESTORE_MEMBERS members (default
50,000; 0 skips) from the scale generator (demo/scale.py, as `seed_scale` builds them), on SQLite
and on PostgreSQL (a throwaway dangjian.pgtest server), each in a process of its own.

Timed: `manage.py backup`'s work (core.backup.create_backup: the dump, the archive, the
checksums, the fingerprints) and a restore into an empty database (prepare_restore +
apply_restore: verify every part, restore, recompute the fingerprints). Baselines measured in the
same run on the same database: for SQLite a plain file copy each way; for PostgreSQL a plain
`pg_dump --format=custom` and a plain `pg_restore --no-owner --single-transaction` into an empty
database. Printed as ratios; no figure is asserted.

`python bench/restore.py` runs this section alone.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
MEMBERS = int(os.environ.get("BENCH_RESTORE_MEMBERS", "50000"))
TODAY = dt.date(2026, 11, 1)
MARKER = "BENCH_RESTORE_ROWS "
Row = tuple[str, str, str, str]


def run() -> list[Row]:
    table: list[Row] = [(f"backup and restore, {MEMBERS:,} members", "size", "time", "ratio")]
    table += in_child("sqlite")
    table += in_child("postgresql")
    return table


def in_child(vendor: str) -> list[Row]:
    sys.path.insert(0, str(ROOT / "src"))
    from dangjian import pgtest

    scratch = Path(tempfile.mkdtemp(prefix=f"dangjian-bench-restore-{vendor}-"))
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    env.update(
        DANGJIAN_VAR_DIR=str(scratch / "var"),
        DJANGO_SETTINGS_MODULE="dangjian.settings",
        DANGJIAN_DEBUG="false",
        DANGJIAN_JOBS_INLINE="true",
        PYTHONPATH=str(ROOT / "src"),
    )
    try:
        if vendor == "sqlite":
            return child_rows(env, vendor)
        if not pgtest.available():
            return [("  PostgreSQL: SKIPPED (no server binaries)", "", "", "")]
        os.chmod(scratch, 0o755)
        with pgtest.scratch_root("dangjian-bench-restore-pg-") as root:
            server = pgtest.PgServer(root, "bench", {"max_wal_size": "'2GB'"}).init()
            env["DATABASE_URL"] = server.url()
            return child_rows(env, vendor)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


def child_rows(env: dict[str, str], vendor: str) -> list[Row]:
    proc = subprocess.run(
        [sys.executable, str(Path(__file__).resolve()), "--child"],
        env=env,
        capture_output=True,
        text=True,
        timeout=3600,
        check=False,
    )
    lines = [line for line in proc.stdout.splitlines() if line.startswith(MARKER)]
    if proc.returncode != 0 or not lines:
        sys.stderr.write(proc.stdout[-2000:] + proc.stderr[-4000:])
        return [(f"  {vendor}: FAILED (exit code {proc.returncode}, see above)", "", "", "")]
    return [tuple(row) for row in json.loads(lines[-1][len(MARKER) :])]


def timed(fn: Any) -> float:
    started = time.perf_counter()
    fn()
    return time.perf_counter() - started


def measure() -> list[Row]:
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection, connections

    from dangjian.core import backup
    from dangjian.demo.scale import load_scale

    call_command("migrate", verbosity=0)
    started = time.perf_counter()
    load_scale(MEMBERS, seed=12, today=TODAY, rollups=False, county_members=MEMBERS)
    load_seconds = time.perf_counter() - started
    var = Path(os.environ["DANGJIAN_VAR_DIR"])
    archive = var / "bench-backup.tar"
    ours_backup = timed(lambda: backup.create_backup(archive))
    size = archive.stat().st_size
    vendor = connection.vendor
    connections.close_all()
    if vendor == "sqlite":
        db = Path(settings.DATABASES["default"]["NAME"])
        copy = var / "copy.sqlite3"
        plain = sqlite_checkpoint(db)
        base_backup = timed(lambda: shutil.copyfile(db, copy))

        def wipe() -> None:
            for path in (db, Path(f"{db}-wal"), Path(f"{db}-shm")):
                path.unlink(missing_ok=True)

        wipe()
        base_restore = timed(lambda: shutil.copyfile(copy, db))
        base_size = copy.stat().st_size
        wipe()
        engine = f"SQLite {plain}"
    else:
        args, env = backup.pg_connection_args()
        dump = var / "plain.pgdump"
        pg_dump = [backup.pg_program("pg_dump"), "--format=custom", *args, "--file", str(dump)]
        base_backup = timed(lambda: subprocess.run(pg_dump, env=env, check=True))
        base_size = dump.stat().st_size
        pg_restore = [
            backup.pg_program("pg_restore"), "--clean", "--if-exists", "--no-owner",
            "--single-transaction", "--exit-on-error", *args, str(dump),
        ]  # fmt: skip
        recreate_database()
        base_restore = timed(lambda: subprocess.run(pg_restore, env=env, check=True))
        recreate_database()
        engine = "PostgreSQL"

    def restore() -> None:
        plan = backup.prepare_restore(archive)
        assert not plan.target_has_data
        backup.apply_restore(plan)

    ours_restore = timed(restore)
    counts = backup.read_manifest(archive)["counts"]
    mb = 1024 * 1024
    return [
        (
            f"  {engine}: {counts['members']:,} members, {counts['spells']:,} spells, "
            f"{counts['audit']:,} audit rows (built in {load_seconds:.0f} s)",
            "",
            "",
            "",
        ),
        ("    baseline: " + ("file copy" if vendor == "sqlite" else "plain pg_dump -Fc"),
         f"{base_size / mb:.1f} MB", f"{base_backup:.2f} s", "1.00"),
        ("    manage.py backup (dump, archive, checksums, fingerprints)",
         f"{size / mb:.1f} MB", f"{ours_backup:.2f} s", f"{ours_backup / base_backup:.2f}"),
        ("    baseline: " + ("file copy back" if vendor == "sqlite" else "plain pg_restore"),
         "", f"{base_restore:.2f} s", "1.00"),
        ("    manage.py restore into an empty database (verify, restore, fingerprints)",
         "", f"{ours_restore:.2f} s", f"{ours_restore / base_restore:.2f}"),
    ]  # fmt: skip


def sqlite_checkpoint(db: Path) -> str:
    import sqlite3

    con = sqlite3.connect(db)
    try:
        con.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        return str(con.execute("SELECT sqlite_version()").fetchone()[0])
    finally:
        con.close()


def recreate_database() -> None:
    """An empty database of the same name (the disaster a restore answers)."""
    import psycopg
    from django.conf import settings
    from django.db import connections

    connections.close_all()
    db = settings.DATABASES["default"]
    name = db["NAME"]
    with psycopg.connect(
        dbname="postgres", user=db["USER"], host=db["HOST"], port=db["PORT"], autocommit=True
    ) as admin:
        admin.execute(f'DROP DATABASE "{name}" WITH (FORCE)')
        admin.execute(f'CREATE DATABASE "{name}"')


def main() -> None:
    if "--child" in sys.argv:
        import django

        django.setup()
        print(MARKER + json.dumps(measure(), ensure_ascii=False), flush=True)
        return
    sys.path.insert(0, str(ROOT / "bench"))
    from run import print_table

    print_table(run())


if __name__ == "__main__":
    main()
