"""`make bench-province`: the statistics on a province-size dataset in PostgreSQL.

Loads BENCH_PROVINCE_MEMBERS members (default 5,000,000, about 250,000 organizations) with
`seed_scale`'s loader unless the database already holds the province, rebuilds the rollups,
then for the province, a city, a county and a township measures p50/p95 of the standard report
for today and for the last year-end and of the ad-hoc cross-tab, each against the direct count
of in-party members from the member table measured in the same run; and the cost of keeping
the figures current on 党籍变动 writes. No figure is asserted.

The database is the one DATABASE_URL names (kept, so a second run skips the load): point it at
a scratch database, e.g. `DATABASE_URL=postgres://…/province make bench-province`.
"""

from __future__ import annotations

import datetime as dt
import os
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
MEMBERS = int(os.environ.get("BENCH_PROVINCE_MEMBERS", "5000000"))
AXES = ("sub_org", "category")  # the ad-hoc cross-tab: child organizations × 党员类别


def main() -> None:
    sys.path.insert(0, str(ROOT / "src"))
    sys.path.insert(0, str(ROOT / "bench"))
    os.environ["DJANGO_SETTINGS_MODULE"] = "dangjian.settings"
    os.environ["DANGJIAN_DEBUG"] = "false"
    os.environ["DANGJIAN_JOBS_INLINE"] = "true"
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    if connection.vendor != "postgresql":
        sys.exit("bench-province needs PostgreSQL: set DATABASE_URL to a scratch database.")
    call_command("migrate", verbosity=0)
    from run import print_table

    print_table(run())


def levels(province: Any) -> list[tuple[str, Any]]:
    from dangjian.orgs.models import Organization, OrgKind

    def first_child(org: Any) -> Any:
        children = Organization.objects.get_children(org).filter(kind=OrgKind.COMMITTEE)
        return children.order_by("path").first()

    city = first_child(province)
    county = first_child(city)
    township = first_child(county)
    return [("province", province), ("city", city), ("county", county), ("township", township)]


def run() -> list[tuple[str, str, str, str]]:
    from django.conf import settings
    from stats_report import TODAY, YEAR_END, timings, write_cost

    from dangjian.demo.scale import PROVINCE, load_scale
    from dangjian.members.models import Member
    from dangjian.orgs.models import Organization
    from dangjian.stats import columnar
    from dangjian.stats.coverage import unit_coverage
    from dangjian.stats.models import RollupNode, RollupState
    from dangjian.stats.queries import crosstab, member_filter
    from dangjian.stats.reports import standard_report
    from dangjian.stats.rollups import fold, rebuild

    name = f"中共{PROVINCE}委员会"
    notes = []
    if not Organization.objects.filter(name=name, depth=1).exists():
        data = load_scale(MEMBERS, today=TODAY, rollups=False)
        notes.append(
            f"loaded {data.members:,} members ({data.seconds_members:.0f} s, "
            f"{data.members / data.seconds_members:,.0f}/s) and {data.organizations:,} "
            f"organizations ({data.seconds_tree:.0f} s)"
        )
    while fold():  # an earlier run's write measurements (jobs run inline: no background fold)
        pass
    if RollupState.objects.filter(dirty=False).count() != 1:
        started = time.perf_counter()
        rebuild()
        notes.append(f"rollups rebuilt in {time.perf_counter() - started:.0f} s")
    province = Organization.objects.get(name=name, depth=1)
    adhoc = {  # women aged 35 or under with a degree who joined since the 18th Congress
        "gender": "F",
        "age_max": 35,
        "education": ["pg", "ba", "co"],
        "joined_from": dt.date(2012, 11, 8),
    }
    # Before the store is in: the drill-down of children without rollups counted in SQL (a
    # minimum above the installation's size keeps the first report from loading the store).
    places = levels(province)
    minimum, settings.DANGJIAN_STATS_COLUMNAR_MIN = settings.DANGJIAN_STATS_COLUMNAR_MIN, 10**12
    columnar.reset()
    cold = {label: timings(lambda org=org: standard_report(org, TODAY)) for label, org in places}
    settings.DANGJIAN_STATS_COLUMNAR_MIN = minimum
    columnar.reset()
    started = time.perf_counter()
    store = columnar.ensure_loaded()
    notes.append(
        f"column store of {store.rows_under(''):,} spells loaded in "
        f"{time.perf_counter() - started:.0f} s"
    )
    sql_adhoc = member_filter(TODAY, adhoc)  # a Q: always counted in SQL
    table = [("province statistics (p50 / p95)", "members", "time", "ratio to direct count")]
    for label, org in places:
        count = Member.objects.under(org).in_party().count()
        direct, _ = timings(lambda org=org: Member.objects.under(org).in_party().count())
        table.append(
            (f"  {label}: direct in-party count (baseline)", f"{count:,}",
             f"{direct * 1000:.1f} ms", "1.00")
        )  # fmt: skip
        p50, p95 = cold[label]
        table.append(
            ("    standard report, today, store not loaded", "",
             f"{p50 * 1000:.1f} / {p95 * 1000:.1f} ms", f"{p50 / direct:.2f} / {p95 / direct:.2f}")
        )  # fmt: skip
        cases = [
            ("standard report, today", lambda org=org: standard_report(org, TODAY)),
            ("standard report, year-end", lambda org=org: standard_report(org, YEAR_END)),
            ("unit coverage (单位建立党组织情况)", lambda org=org: unit_coverage(org, TODAY)),
            ("ad-hoc cross-tab, SQL", lambda org=org: crosstab(org, TODAY, sql_adhoc, *AXES)),
            ("ad-hoc cross-tab, column store", lambda org=org: crosstab(org, TODAY, adhoc, *AXES)),
        ]
        for case, fn in cases:
            p50, p95 = timings(fn)
            table.append(
                (f"    {case}", "", f"{p50 * 1000:.1f} / {p95 * 1000:.1f} ms",
                 f"{p50 / direct:.2f} / {p95 / direct:.2f}")
            )  # fmt: skip
    table += write_cost(province)
    import mobile_province

    table += mobile_province.run(places)  # 流动党员: the information view on the same province
    print(
        f"\nprovince: {Member.objects.in_party().count():,} members in the Party, "
        f"{Organization.objects.count():,} organizations, "
        f"{RollupNode.objects.count():,} rollup nodes. " + "; ".join(notes)
    )
    return table


if __name__ == "__main__":
    main()
