"""The 流动党员 information view on the province of `make bench-province` (PostgreSQL).

Called from bench/stats_province.py with its loaded province (or alone: `python
bench/mobile_province.py`, which loads BENCH_PROVINCE_MEMBERS members first if the database has
no province). Seeds open stays for BENCH_MOBILE_SHARE (default 5%) of the in-party members if
the province has fewer, in one INSERT … SELECT (destinations spread over 40 cities, a third
attending an organization of the installation, last contacts spread over 200 days so every
flag has members), then VACUUM ANALYZE, as after any bulk load.

For the province, a city, a county and a township it measures p50/p95 of
- the information view's queries (counts by province with the overdue / lost / transfer counts,
  by attended organization, and the first page of the list), as `mobile.selectors` runs them;
- the drill-down into one province (its cities) and the "lost contact" list page;
- the whole page through Django's test client as an organization admin of the province
  (`/mobile/information/`: scope, queries and template);
against the direct count of in-party members of the subtree from the member table, measured in
the same run (the baseline, as in the statistics bench), and the plain count of the subtree's
open stays. No figure is asserted.
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
SHARE = float(os.environ.get("BENCH_MOBILE_SHARE", "0.05"))
# Destinations (GB/T 2260, city level) where members of the province go to work.
CITY_CODES = (
    "440300 440100 441900 440600 441300 320500 320200 320100 330100 330200 330300 330700 "
    "310000 110000 120000 500000 510100 420100 430100 350200 350100 370200 370100 410100 "
    "610100 210200 220100 230100 340100 360100 450100 460100 520100 530100 620100 640100 "
    "650100 130100 140100 150100"
)
CITIES = CITY_CODES.split()


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
        sys.exit("mobile_province needs PostgreSQL: set DATABASE_URL to a scratch database.")
    call_command("migrate", verbosity=0)
    from run import print_table
    from stats_province import MEMBERS, levels
    from stats_report import TODAY

    from dangjian.demo.scale import PROVINCE, load_scale
    from dangjian.orgs.models import Organization

    name = f"中共{PROVINCE}委员会"
    if not Organization.objects.filter(name=name, depth=1).exists():
        load_scale(MEMBERS, today=TODAY, rollups=False)
    province = Organization.objects.get(name=name, depth=1)
    print_table(run(levels(province)))


def seed_stays(province: Any, today: Any) -> str:
    """5% of the province's in-party members away, unless it has that many open stays."""
    from django.db import connection

    from dangjian.members.models import Member
    from dangjian.mobile.models import MobileStay
    from dangjian.mobile.selectors import open_stays_under
    from dangjian.orgs.models import Organization, OrgKind

    members = Member.objects.under(province).in_party().count()
    wanted = int(members * SHARE)
    have = open_stays_under(province).count()
    if have >= wanted * 0.9:
        return f"{have:,} open stays already there"
    every = max(1, round(1 / SHARE))
    branches = list(
        Organization.objects.filter(kind=OrgKind.BRANCH)
        .order_by("-path")
        .values_list("pk", flat=True)[:20]
    )
    started = time.perf_counter()
    table = MobileStay._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            INSERT INTO {table} (member_id, home_org_id, home_path, region_code, address,
                reason, expected_months, phone, contact_note, destination_org_id,
                destination_path, destination_text, start_on, end_on, status, cannot_transfer,
                permit_number, permit_valid_until, contact_since, last_contact_on, version,
                created_by_id, created_at)
            SELECT m.id, m.org_id, m.org_path, (%(cities)s::text[])[1 + m.id %% %(n)s],
                '某区某街道', 'work', 3 + m.id %% 24, '', '',
                CASE WHEN m.id %% 3 = 0 THEN (%(branches)s::int[])[1 + m.id %% %(b)s] END,
                '', CASE WHEN m.id %% 3 = 0 THEN '' ELSE '某商会党支部' END,
                %(today)s::date - (m.id %% 400)::int, NULL, 'open', false, '', NULL,
                %(today)s::date - ((m.id / %(every)s) %% 200)::int,
                %(today)s::date - ((m.id / %(every)s) %% 200)::int, 1, NULL, now()
            FROM members_member m
            WHERE m.status = 'active' AND m.id %% %(every)s = 0
              AND m.org_path LIKE %(prefix)s
              AND NOT EXISTS (SELECT 1 FROM {table} s WHERE s.member_id = m.id
                              AND s.status = 'open')
            """,
            {
                "cities": CITIES,
                "n": len(CITIES),
                "branches": branches,
                "b": len(branches),
                "today": today,
                "every": every,
                "prefix": province.path + "%",
            },
        )
        added = cursor.rowcount
        # a stay that began after its "last contact" counts from its start
        cursor.execute(
            f"UPDATE {table} SET contact_since = start_on, last_contact_on = NULL "
            f"WHERE contact_since < start_on"
        )
        cursor.execute(
            f"UPDATE {table} s SET destination_path = o.path FROM orgs_organization o "
            f"WHERE s.destination_org_id = o.id AND s.destination_path = ''"
        )
        cursor.execute(f"VACUUM ANALYZE {table}")
    return f"seeded {added:,} open stays in {time.perf_counter() - started:.0f} s"


def run(places: list[tuple[str, Any]]) -> list[tuple[str, str, str, str]]:
    from django.contrib.auth import get_user_model
    from django.test import Client
    from stats_report import TODAY, timings

    from dangjian.accounts.models import Role, RoleGrant
    from dangjian.accounts.services import grant_role
    from dangjian.members.models import Member
    from dangjian.mobile.selectors import (
        Limits,
        information,
        information_list,
        open_stays_under,
        page_of,
    )

    province = places[0][1]
    note = seed_stays(province, TODAY)
    user, _ = get_user_model().objects.get_or_create(username="bench-mobile")
    if not RoleGrant.objects.current().filter(user=user, org=province).exists():
        grant_role(actor=None, user=user, role=Role.ORG_ADMIN, org=province, bootstrap=True)
    client = Client(HTTP_HOST="localhost")
    client.force_login(user)
    limits = Limits.on(TODAY)
    first = information(province, TODAY).regions
    top_region = first[0].code if first else "44"

    def view(org: Any) -> None:
        information(org, TODAY)
        page_of(information_list(org, limits), 0, 50)

    table = [("流动党员 information view (p50 / p95)", "stays", "time", "ratio to direct count")]
    for label, org in places:
        count = Member.objects.under(org).in_party().count()
        direct, _ = timings(lambda org=org: Member.objects.under(org).in_party().count())
        stays = open_stays_under(org).count()
        table.append(
            (f"  {label}: direct in-party count (baseline)", f"{count:,} members",
             f"{direct * 1000:.1f} ms", "1.00")
        )  # fmt: skip
        url = f"/mobile/information/?org={org.pk}"
        cases = [
            ("count of open stays", lambda org=org: open_stays_under(org).count()),
            ("view queries (counts, attended, list page)", lambda org=org: view(org)),
            ("drill-down into one province", lambda org=org: information(org, TODAY, top_region)),
            ("lost-contact list page",
             lambda org=org: page_of(information_list(org, limits, which="lost"), 0, 50)),
            ("whole page (test client)", lambda url=url: client.get(url)),
        ]  # fmt: skip
        for case, fn in cases:
            p50, p95 = timings(fn)
            table.append(
                (f"    {case}", f"{stays:,}" if case.startswith("count") else "",
                 f"{p50 * 1000:.1f} / {p95 * 1000:.1f} ms",
                 f"{p50 / direct:.2f} / {p95 / direct:.2f}")
            )  # fmt: skip
    status = client.get(f"/mobile/information/?org={province.pk}").status_code
    print(f"\nmobile members: {note}; the information page answered {status}")
    return table


if __name__ == "__main__":
    main()
