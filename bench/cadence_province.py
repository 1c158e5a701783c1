"""会议频次 (the compliance view) on a province of 250,000 branches (PostgreSQL only).

`make bench-cadence`, or `scripts/with-postgres python bench/cadence_province.py` for a
throwaway server. Builds, unless the database already has it, a synthetic province: province →
14 cities → 10 counties each → 20 townships each → 89–90 branches each (250,000 branches,
2,955 committees), with one year of tally rows (`meetings.CadenceTally`: about nine in ten
months and quarters held, 60% of branches with a committee, 3% founded during the year), by
COPY, only the organization and tally rows (no members, no meetings). Then VACUUM ANALYZE.

For the province, a city, a county and a township it measures p50/p95 over BENCH_CADENCE_REPEAT
(default 20) runs of the selector functions the page calls (`meetings.cadence.compliance` for
the year and for the third quarter, and `missed_page`, the first page of the organizations that
missed something), against the direct count of the subtree's organizations from the
organization table in the same run (the baseline). No figure is asserted; the issue asks for
p95 ≤ 200 ms for the province over a year.
"""

from __future__ import annotations

import datetime as dt
import io
import os
import random
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
REPEAT = int(os.environ.get("BENCH_CADENCE_REPEAT", "20"))
BRANCHES = 250_000
CITIES, COUNTIES, TOWNSHIPS = 14, 10, 20
YEAR = 2026
TODAY = dt.date(YEAR + 1, 1, 15)  # every month of the year over: the most work per row
NAME = "中共会议频次测试省委员会"
ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"


def main() -> None:
    sys.path.insert(0, str(ROOT / "src"))
    sys.path.insert(0, str(ROOT / "bench"))
    os.environ["DJANGO_SETTINGS_MODULE"] = "dangjian.settings"
    os.environ["DANGJIAN_DEBUG"] = "false"
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    if connection.vendor != "postgresql":
        sys.exit("cadence_province needs PostgreSQL: set DATABASE_URL to a scratch database.")
    call_command("migrate", verbosity=0)
    from run import print_table

    province = load()
    print_table(run(province))


def step(i: int) -> str:
    """treebeard's 4-character path step for the i-th child (1-based)."""
    out = ""
    for _ in range(4):
        i, r = divmod(i, 36)
        out = ALPHABET[r] + out
    return out


def load() -> Any:
    from django.db import connection

    from dangjian.orgs.models import Organization

    found = Organization.objects.filter(name=NAME, depth=1).first()
    if found is not None:
        return found
    started = time.perf_counter()
    root = step(Organization.objects.get_root_nodes().count() + 1)
    rng = random.Random(14)
    orgs = io.StringIO()
    n = 0

    def add(path: str, kind: str, name: str, children: int) -> None:
        nonlocal n
        n += 1
        # path, depth, numchild, name, short_name, kind, code, status, version, founded_on
        founded = r"\N"
        if kind == "branch" and rng.random() < 0.03:
            founded = dt.date(YEAR, rng.randint(2, 12), rng.randint(1, 28)).isoformat()
        orgs.write(
            f"{path}\t{len(path) // 4}\t{children}\t{name}\t\t{kind}\tCAD{n:09d}\tactive\t1"
            f"\t{founded}\n"
        )

    per_town = [BRANCHES // (CITIES * COUNTIES * TOWNSHIPS)] * (CITIES * COUNTIES * TOWNSHIPS)
    for i in range(BRANCHES - sum(per_town)):
        per_town[i] += 1
    add(root, "committee", NAME, CITIES)
    t = 0
    for c in range(1, CITIES + 1):
        city = root + step(c)
        add(city, "committee", f"中共第{c}市委员会", COUNTIES)
        for k in range(1, COUNTIES + 1):
            county = city + step(k)
            add(county, "committee", f"中共第{c}市第{k}县委员会", TOWNSHIPS)
            for w in range(1, TOWNSHIPS + 1):
                town = county + step(w)
                add(town, "committee", f"中共{c}-{k}-{w}镇委员会", per_town[t])
                for b in range(1, per_town[t] + 1):
                    kind = "joint" if b % 20 == 0 else "branch"
                    add(town + step(b), kind, f"{c}-{k}-{w}-{b}党支部", 0)
                t += 1
    columns = "path, depth, numchild, name, short_name, kind, code, status, version, founded_on"
    table = Organization._meta.db_table
    sql = f"COPY {table} ({columns}) FROM STDIN"
    with connection.cursor() as cursor, cursor.copy(sql) as copy:
        copy.write(orgs.getvalue())
    load_tally(root, rng)
    with connection.cursor() as cursor:
        cursor.execute(f"VACUUM ANALYZE {table}")
        cursor.execute("VACUUM ANALYZE meetings_cadencetally")
    print(f"loaded {n} organizations and their tally in {time.perf_counter() - started:.0f} s")
    return Organization.objects.get(path=root)


def _months(rng: random.Random, p: float) -> int:
    return sum(1 << m for m in range(12) if rng.random() < p)


def _quarters(rng: random.Random, p: float) -> int:
    return sum(1 << (3 * q + rng.randint(0, 2)) for q in range(4) if rng.random() < p)


def load_tally(root: str, rng: random.Random) -> None:
    from django.db import connection

    from dangjian.meetings.cadence import KINDS, alive_mask, owed_and_gaps
    from dangjian.meetings.models import CadenceTally
    from dangjian.orgs.models import Organization

    rows = io.StringIO()
    orgs = Organization.objects.filter(path__startswith=root).values_list(
        "pk", "path", "kind", "founded_on"
    )
    for pk, path, kind, founded in orgs.iterator(5000):
        held = dict.fromkeys(KINDS, 0)
        board = 0
        if kind == "committee":
            held["leadership"] = (1 << 11) if rng.random() < 0.9 else 0
        else:
            board = 0xFFF if rng.random() < 0.6 else 0
            held["general"] = _quarters(rng, 0.9)
            held["lecture"] = _quarters(rng, 0.85)
            held["theme_day"] = _months(rng, 0.93)
            held["committee"] = _months(rng, 0.9) if board else 0
            held["life"] = (1 << 11) if rng.random() < 0.8 else 0
        masks = [held[k] for k in KINDS]
        counts = [bin(m).count("1") for m in masks]
        row = CadenceTally(org_kind=kind, year=YEAR, alive=alive_mask(founded, None, YEAR))
        row.board = board
        for k, m, n in zip(KINDS, masks, counts, strict=True):
            setattr(row, f"m_{k}", m)
            setattr(row, f"n_{k}", n)
        owed, gaps = owed_and_gaps(row)  # as meetings.cadence.compute_rows writes them
        cells = [pk, path, kind, YEAR, row.alive, board, *masks, *counts, owed, gaps]
        rows.write("\t".join(map(str, cells)) + "\n")
    columns = ["org_id", "org_path", "org_kind", "year", "alive", "board"]
    columns += [f"m_{k}" for k in KINDS] + [f"n_{k}" for k in KINDS] + ["owed", "gaps"]
    sql = f"COPY {CadenceTally._meta.db_table} ({', '.join(columns)}) FROM STDIN"
    with connection.cursor() as cursor, cursor.copy(sql) as copy:
        copy.write(rows.getvalue())


def levels(province: Any) -> list[tuple[str, Any]]:
    from dangjian.orgs.models import Organization

    def first_child(org: Any) -> Any:
        return Organization.objects.get_children(org).order_by("path").first()

    city = first_child(province)
    county = first_child(city)
    township = first_child(county)
    return [("province", province), ("city", city), ("county", county), ("township", township)]


def run(province: Any) -> list[tuple[str, str, str, str]]:
    from stats_report import timings

    from dangjian.core.paths import subtree_q
    from dangjian.meetings.cadence import Period, compliance, missed_page
    from dangjian.orgs.models import Organization

    year, quarter = Period(YEAR, "year"), Period(YEAR, "quarter", 3)
    table = [("会议频次 (p50 / p95, ms)", "orgs", "time", "ratio to direct count (p95)")]
    for name, org in levels(province):
        count = Organization.objects.filter(subtree_q("path", org.path)).count()
        direct = timings(
            lambda org=org: Organization.objects.filter(subtree_q("path", org.path)).count(),
            REPEAT,
        )
        info = compliance(org, year, TODAY)
        cases = [
            ("compliance, year", lambda org=org: compliance(org, year, TODAY)),
            ("compliance, 3rd quarter", lambda org=org: compliance(org, quarter, TODAY)),
            ("missed list, first page", lambda info=info: missed_page(info, 0, 50)),
        ]
        table.append((f"{name}: direct count of orgs", str(count), _ms(direct), "1.0"))
        for label, fn in cases:
            took = timings(fn, REPEAT)
            ratio = f"{took[1] / direct[1]:.1f}" if direct[1] else "—"
            table.append((f"{name}: {label}", str(count), _ms(took), ratio))
    return table


def _ms(pair: tuple[float, float]) -> str:
    return f"{pair[0] * 1000:.1f} / {pair[1] * 1000:.1f}"


if __name__ == "__main__":
    main()
