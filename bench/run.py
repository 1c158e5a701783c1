"""`make bench` / `python bench/run.py`: the demo generator's bulk load and a subtree count, each
against a baseline measured in the same run, printed as ratios (no figure is asserted anywhere).

- Bulk load: `MemberStream` rows through `bulk_register_members` (encryption, pinyin, history,
  events and spells), against the floor: a plain `Member.objects.bulk_create` of the same rows,
  already built, without history, events or spells (rolled back).
- Subtree count: in-party members under one township (`Member.objects.under(org).in_party()`)
  against a count of the whole member table (and, for scale, the in-party count of the whole
  table, which reads the same index the subtree count reads a slice of).
- 工作台 (bench/workbench.py, BENCH_WORKBENCH_MEMBERS, default 50,000): the items a user must
  act on counted for a county from the scale generator, against a single indexed count.
- Ballot casting (bench/votes_cast.py, BENCH_VOTERS, default 1,000): voters casting at once
  through `cast_ballot` on PostgreSQL (a throwaway server when the run is on SQLite) against
  raw INSERTs of the same ballot rows.
- Meeting scans (bench/meeting_scans.py, BENCH_SCANS, default 1,000): members confirming their
  presence through `meetings.scan.scan`, each in its own transaction, against single-row
  INSERTs into a scratch table (and, on PostgreSQL, the same scans from many threads at once).
- Load (bench/load.py, BENCH_LOAD_USERS, default 50; BENCH_LOAD_MEMBERS, default 50,000):
  gunicorn with the production settings on a throwaway PostgreSQL server, locust's secretaries
  and voters for a measured window, p50/p95/p99 per page against a trivial view of the same
  server in the same run.
- Backup and restore (bench/restore.py, BENCH_RESTORE_MEMBERS, default 50,000): `manage.py
  backup` and a restore into an empty database of a county, on SQLite and on a throwaway
  PostgreSQL server, against a file copy (SQLite) and plain pg_dump/pg_restore (PostgreSQL).

Runs on a throwaway SQLite database in a temporary directory, or, when DATABASE_URL is set, on
a throwaway database created beside it on that PostgreSQL server (and dropped afterwards); a
throwaway server of its own: `scripts/with-postgres .venv/bin/python bench/run.py`.
BENCH_MEMBERS (default 20000) sets the size.
"""

from __future__ import annotations

import datetime as dt
import os
import platform
import random
import shutil
import statistics
import sys
import tempfile
import time
import unicodedata
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
MEMBERS = int(os.environ.get("BENCH_MEMBERS", "20000"))
IMPORT_ROWS = int(os.environ.get("BENCH_IMPORT_ROWS", "100000"))  # 0 skips the import bench
STATS_MEMBERS = int(os.environ.get("BENCH_STATS_MEMBERS", "50000"))  # 0 skips the stats bench
VOTERS = int(os.environ.get("BENCH_VOTERS", "1000"))  # 0 skips the ballot-casting bench
WORKBENCH_MEMBERS = int(os.environ.get("BENCH_WORKBENCH_MEMBERS", "50000"))  # 0 skips 工作台
SCANS = int(os.environ.get("BENCH_SCANS", "1000"))  # 0 skips the meeting-scan bench
LOAD_USERS = int(os.environ.get("BENCH_LOAD_USERS", "50"))  # 0 skips the load bench
RESTORE_MEMBERS = int(os.environ.get("BENCH_RESTORE_MEMBERS", "50000"))  # 0 skips backup/restore
TODAY = dt.date(2026, 11, 1)
SEED = 1


def main() -> None:
    sys.path.insert(0, str(ROOT / "src"))
    sys.path.insert(0, str(ROOT / "bench"))
    scratch = tempfile.mkdtemp(prefix="dangjian-bench-")
    # Never the developer's own database or key file: everything goes to the scratch directory.
    os.environ["DANGJIAN_VAR_DIR"] = scratch
    os.environ["DJANGO_SETTINGS_MODULE"] = "dangjian.settings"
    os.environ["DANGJIAN_DEBUG"] = "false"  # no query log, as in production
    os.environ["DANGJIAN_JOBS_INLINE"] = "true"  # time the import's work, not a thread hand-off
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    postgres = connection.vendor == "postgresql"
    old_name = None
    try:
        if postgres:  # a separate test_… database; the one DATABASE_URL names is left alone
            old_name = connection.creation.create_test_db(verbosity=0, autoclobber=True)
        else:
            call_command("migrate", verbosity=0)
        run()
    finally:
        if old_name is not None:
            connection.creation.destroy_test_db(old_name, verbosity=0)
        connection.close()
        shutil.rmtree(scratch, ignore_errors=True)


def timed(fn: Callable[[], Any], repeat: int = 1) -> float:
    runs = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        runs.append(time.perf_counter() - start)
    return statistics.median(runs)


def run() -> None:
    from django.db import connection, transaction

    from dangjian.demo.generator import SEAT, MemberStream, build_tree, plan_county
    from dangjian.members.models import Member
    from dangjian.members.services import _build_member, bulk_register_members
    from dangjian.orgs.models import Organization

    started = time.perf_counter()
    orgs = build_tree(plan_county(MEMBERS, random.Random(SEED)), random.Random(SEED), today=TODAY)
    tree_seconds = time.perf_counter() - started

    def stream() -> MemberStream:
        return MemberStream(orgs, MEMBERS, random.Random(SEED), TODAY)

    rows_seconds = timed(lambda: sum(1 for _ in stream()))

    # Floor: the same rows as Member objects, built beforehand (encryption and pinyin included,
    # untimed), inserted with one plain bulk_create: no history, no events, no spells.
    built = []
    for data, admission in stream():
        member = _build_member(data, data.id_number, admission)
        member.status = "active"
        member.category = "prob" if admission.full_date is None else "full"
        built.append(member)

    def floor_insert() -> None:
        with transaction.atomic():
            Member.objects.bulk_create(built, batch_size=2000)
            transaction.set_rollback(True)
        for member in built:  # fresh objects for the next round
            member.pk = None
            member._state.adding = True

    floor = timed(floor_insert, repeat=3)
    load = timed(lambda: bulk_register_members(stream(), validate=False))
    assert Member.objects.count() == MEMBERS

    township = Organization.objects.get(name=f"中共{SEAT}委员会")
    under = Member.objects.under(township).in_party()
    in_township = under.count()
    subtree = timed(under.count, repeat=21)
    baseline = timed(Member.objects.all().count, repeat=21)
    whole_in_party = timed(Member.objects.in_party().count, repeat=21)

    print(
        f"\ndangjian bench: {connection.vendor}, {MEMBERS:,} members, {len(orgs):,} organizations"
        f" (tree built in {tree_seconds:.2f} s); Python {platform.python_version()},"
        f" {os.cpu_count()} CPUs\n"
    )
    table = [
        ("bulk load", "time", "rate", "ratio"),
        (
            "  raw Member.bulk_create, rows prebuilt (floor)",
            f"{floor:.2f} s",
            f"{MEMBERS / floor:,.0f} members/s",
            "1.00",
        ),
        (
            "  generator → bulk_register_members",
            f"{load:.2f} s",
            f"{MEMBERS / load:,.0f} members/s",
            f"{load / floor:.2f} × floor",
        ),
        (
            "    of which generating the rows",
            f"{rows_seconds:.2f} s",
            f"{MEMBERS / rows_seconds:,.0f} rows/s",
            f"{rows_seconds / load:.2f} of load",
        ),
        ("subtree count (median of 21)", "", "", ""),
        ("  whole member table (baseline)", f"{baseline * 1000:.2f} ms", f"{MEMBERS:,}", "1.00"),
        (
            "  in-party members, whole table",
            f"{whole_in_party * 1000:.2f} ms",
            f"{Member.objects.in_party().count():,}",
            f"{whole_in_party / baseline:.2f} × baseline",
        ),
        (
            f"  in-party members under 中共{SEAT}委员会",
            f"{subtree * 1000:.2f} ms",
            f"{in_township:,}",
            f"{subtree / baseline:.2f} × baseline",
        ),
    ]
    print_table(table)
    if IMPORT_ROWS:
        import roster_import

        print_table(roster_import.run())
    if STATS_MEMBERS:
        import stats_report

        print_table(stats_report.run())
    if WORKBENCH_MEMBERS:
        import workbench

        print_table(workbench.run())
    if VOTERS:
        import votes_cast

        print_table(votes_cast.run())
    if SCANS:
        import meeting_scans

        print_table(meeting_scans.run(SCANS))
    if LOAD_USERS:
        import load

        print_table(load.run(LOAD_USERS))
    if RESTORE_MEMBERS:
        import restore

        print_table(restore.run())


def print_table(table: list[tuple[str, str, str, str]]) -> None:
    widths = [max(_width(row[i]) for row in table) + 3 for i in range(3)]
    for row in table:
        print("".join(_pad(cell, w) for cell, w in zip(row, widths, strict=False)) + row[3])


def _width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _pad(text: str, width: int) -> str:
    return text + " " * (width - _width(text))


if __name__ == "__main__":
    main()
