"""`make bench`: the member registry's bulk load and subtree queries, each against a baseline
measured in the same run (figures are ratios, never asserted in tests).

Runs on a throwaway SQLite database, or on the PostgreSQL server named by DATABASE_URL
(a `bench_` database is created and dropped there).
"""

from __future__ import annotations

import os
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dangjian.settings")
os.environ.setdefault("DANGJIAN_VAR_DIR", tempfile.mkdtemp(prefix="dangjian-bench-"))
MEMBERS = int(os.environ.get("BENCH_MEMBERS", "20000"))


def timed(fn: Callable[[], object], repeat: int = 1) -> float:
    runs = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        runs.append(time.perf_counter() - start)
    return statistics.median(runs)


def main() -> None:
    import django

    django.setup()
    from django.db import connection
    from django.test.utils import setup_test_environment

    setup_test_environment()
    old_name = connection.creation.create_test_db(verbosity=0, autoclobber=True)
    try:
        run()
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)


def run() -> None:
    import random

    from django.db import connection, transaction

    from dangjian.demo.generator import build_tree, county_tree, member_rows
    from dangjian.members.models import Member
    from dangjian.members.services import _build_member, bulk_register_members
    from dangjian.orgs.models import Organization

    rng = random.Random(1)
    orgs = build_tree(county_tree(rng, MEMBERS), rng)
    rows = list(member_rows(orgs, MEMBERS, rng, __import__("datetime").date(2026, 11, 1)))
    print(f"dangjian bench on {connection.vendor}, {MEMBERS} members, {len(orgs)} organizations")

    # Floor: the same Member rows, already built, in one plain bulk_create (no history,
    # events or spells, no encryption or pinyin), rolled back.
    built = [_build_member(d, d.id_number, a) for d, a in rows]
    for m in built:
        m.status, m.category = "active", "full"

    def raw_insert() -> None:
        with transaction.atomic():
            Member.objects.bulk_create(built, batch_size=2000)
            transaction.set_rollback(True)

    floor = timed(raw_insert)
    full = timed(lambda: bulk_register_members(rows, validate=False))
    print("\nbulk load (members/second)")
    print(f"  raw Member bulk_create (floor)   {MEMBERS / floor:10.0f}/s")
    print(
        f"  bulk_register_members            {MEMBERS / full:10.0f}/s   "
        f"ratio to floor {full / floor:5.1f}x"
    )

    township = Organization.objects.get(name="中共城关镇委员会")
    under = Member.objects.under(township).in_party()
    sub = timed(lambda: under.count(), repeat=21)
    whole = timed(lambda: Member.objects.in_party().count(), repeat=21)
    print("\nsubtree count, median of 21")
    print(f"  whole table count (baseline)     {whole * 1000:8.2f} ms")
    print(
        f"  township subtree count           {sub * 1000:8.2f} ms   "
        f"ratio to baseline {sub / whole:5.2f}x  ({under.count()} members)"
    )


if __name__ == "__main__":
    main()
