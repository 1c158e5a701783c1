"""Statistics benchmark (part of `make bench`): a county of BENCH_STATS_MEMBERS members
(default 50,000, the issue's SQLite goal size), the standard report for today and for the last
year-end and the ad-hoc cross-tab, at county, township and branch level, p50/p95 over repeated
runs, each against the direct count of in-party members from the member table measured in the
same run (the baseline).
"""

from __future__ import annotations

import datetime as dt
import os
import random
import statistics
import time
from collections.abc import Callable
from typing import Any

MEMBERS = int(os.environ.get("BENCH_STATS_MEMBERS", "50000"))
REPEAT = int(os.environ.get("BENCH_STATS_REPEAT", "21"))
WRITES = int(os.environ.get("BENCH_STATS_WRITES", "200"))
TODAY = dt.date(2026, 11, 1)
YEAR_END = dt.date(2025, 12, 31)


def timings(fn: Callable[[], Any], repeat: int = REPEAT) -> tuple[float, float]:
    """(p50, p95) seconds of `fn` over `repeat` runs after one warm-up (the benches share it)."""
    fn()  # warm the caches once, as a page served repeatedly would be
    runs = []
    for _ in range(repeat):
        started = time.perf_counter()
        fn()
        runs.append(time.perf_counter() - started)
    runs.sort()
    return statistics.median(runs), runs[min(len(runs) - 1, int(len(runs) * 0.95))]


def levels(root: Any) -> list[tuple[str, Any]]:
    from dangjian.orgs.models import Organization, OrgKind

    township = Organization.objects.get_children(root).filter(kind=OrgKind.COMMITTEE).first()
    branch = (
        Organization.objects.under(township).filter(kind=OrgKind.BRANCH).order_by("path").first()
    )
    return [("county", root), ("township", township), ("branch", branch)]


def run() -> list[tuple[str, str, str, str]]:
    import roster_import

    from dangjian.core.bulk import analyze
    from dangjian.demo.generator import MemberStream, build_tree, plan_county
    from dangjian.members.models import Member, MemberEvent, MemberSpell
    from dangjian.members.services import bulk_register_members
    from dangjian.orgs.models import Organization
    from dangjian.stats.coverage import unit_coverage
    from dangjian.stats.queries import crosstab
    from dangjian.stats.reports import standard_report
    from dangjian.stats.rollups import rebuild

    roster_import.clear_members()
    orgs = build_tree(plan_county(MEMBERS, random.Random(11)), random.Random(11), today=TODAY)
    bulk_register_members(MemberStream(orgs, MEMBERS, random.Random(11), TODAY), validate=False)
    analyze(Organization, Member, MemberEvent, MemberSpell)  # as after any bulk load
    rebuild_started = time.perf_counter()
    nodes = rebuild()  # subtrees of DANGJIAN_STATS_ROLLUP_MIN (5,000) members and more
    rebuild_seconds = time.perf_counter() - rebuild_started
    root = orgs[0][0]
    adhoc = {  # women aged 35 or under with a degree who joined since the 18th Congress
        "gender": "F",
        "age_max": 35,
        "education": ["pg", "ba", "co"],
        "joined_from": dt.date(2012, 11, 8),
    }
    table = [("statistics (p50 / p95)", "members", "time", "ratio to direct count")]
    for name, org in levels(root):
        direct, _ = timings(lambda org=org: Member.objects.under(org).in_party().count())
        cases = [
            ("standard report, today", lambda org=org: standard_report(org, TODAY)),
            ("standard report, year-end", lambda org=org: standard_report(org, YEAR_END)),
            ("unit coverage (单位建立党组织情况)", lambda org=org: unit_coverage(org, TODAY)),
            (
                "ad-hoc cross-tab",
                lambda org=org: crosstab(org, TODAY, adhoc, "sub_org", "category"),
            ),
        ]
        count = Member.objects.under(org).in_party().count()
        table.append(
            (
                f"  {name}: direct in-party count (baseline)",
                f"{count:,}",
                f"{direct * 1000:.1f} ms",
                "1.00",
            )
        )
        for label, fn in cases:
            p50, p95 = timings(fn)
            table.append(
                (
                    f"    {label}",
                    "",
                    f"{p50 * 1000:.1f} / {p95 * 1000:.1f} ms",
                    f"{p50 / direct:.1f} / {p95 / direct:.1f}",
                )
            )
    table += write_cost(root)
    print(
        f"\nstatistics: {MEMBERS:,} members in one county, {len(orgs):,} organizations;"
        f" rollups for {nodes} subtrees rebuilt in {rebuild_seconds:.1f} s"
    )
    return table


def write_cost(root: Any) -> list[tuple[str, str, str, str]]:
    """党籍变动 writes with the statistics kept current (change log) and without (no watcher)."""
    from django.contrib.auth import get_user_model

    from dangjian.accounts.models import Role
    from dangjian.accounts.services import grant_role
    from dangjian.members import watch
    from dangjian.members.models import Member
    from dangjian.members.services import record_event
    from dangjian.orgs.models import Organization, OrgKind

    users = get_user_model().objects
    actor = users.filter(username="bench-writer").first()  # a kept database: the second run
    if actor is None:
        actor = users.create_user("bench-writer", password="x")
        grant_role(actor=None, user=actor, role=Role.ORG_ADMIN, org=root, bootstrap=True)
    a, b = list(Organization.objects.under(root).filter(kind=OrgKind.BRANCH)[:2])
    recent = Member.objects.filter(events__effective_date__gte=dt.date(2026, 9, 30))
    members = list(
        Member.objects.in_party()
        .exclude(org__in=[a, b])
        .exclude(pk__in=recent)
        .order_by("pk")[:WRITES]
    )

    def move(member: Any) -> float:
        started = time.perf_counter()
        record_event(
            actor=actor, member=member, kind="move", effective_date=dt.date(2026, 10, 1), org=a
        )
        return time.perf_counter() - started

    # Alternate write by write between no statistics watcher and the kept statistics, so both
    # sides see the same cache state and drift (runs of 50 each varied 0.9-1.5 in the ratio).
    watchers = list(watch._watchers)
    spent = {"bare": 0.0, "kept": 0.0}
    for i, member in enumerate(members):
        mode = "bare" if i % 2 else "kept"
        if mode == "bare":
            watch._watchers.clear()
        try:
            spent[mode] += move(member)
        finally:
            watch._watchers[:] = watchers
    members = members[: len(members) // 2]  # per side
    bare, kept = spent["bare"], spent["kept"]
    return [
        (
            f"  {len(members)} 党籍变动 writes, statistics not kept (baseline)",
            "",
            f"{bare / len(members) * 1000:.2f} ms each",
            "1.00",
        ),
        (
            "    with the change log kept current",
            "",
            f"{kept / len(members) * 1000:.2f} ms each",
            f"{kept / bare:.2f}",
        ),
    ]
