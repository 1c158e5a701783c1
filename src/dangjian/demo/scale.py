"""Province- and nation-size synthetic data for the statistics benchmarks (seed_scale).

A province is cities (市委) of counties; each county is the demo generator's county plan, sized
from ../shared/domain (about 28,000 members a county, 21.7 a branch). Members stream through
`bulk_register_members`, which writes with COPY on PostgreSQL. Rows are in tree order, so a
subtree's members sit together on disk.
"""

from __future__ import annotations

import datetime as dt
import random
import time
from dataclasses import dataclass

from dangjian.core.bulk import analyze
from dangjian.core.models import RuleBook
from dangjian.demo.generator import (
    COUNTY,
    GOV,
    MemberStream,
    OrgRow,
    allocate,
    build_tree,
    plan_county,
    walk,
)
from dangjian.members.history import PROBATION_MONTHS
from dangjian.members.models import Member, MemberEvent, MemberSpell
from dangjian.members.services import bulk_register_members
from dangjian.orgs.models import Organization, OrgKind
from dangjian.stats.rollups import rebuild

MEMBERS_PER_COUNTY = 28_000  # the synthetic province: 5.0 M members, ~180 counties
COUNTIES_PER_CITY = 12
PROVINCE = "示例省"


@dataclass
class ScaleData:
    root_id: int
    organizations: int
    members: int
    seconds_tree: float
    seconds_members: float


def plan_province(
    members: int, rng: random.Random, county_members: int = MEMBERS_PER_COUNTY
) -> OrgRow:
    """Province → cities → counties, `members` members allocated to counties of varied size
    (about `county_members` each: `county_members=members` makes one county of that size)."""
    counties = max(1, round(members / county_members))
    cities = max(1, round(counties / COUNTIES_PER_CITY))
    sizes = allocate(members, [rng.uniform(0.5, 1.5) for _ in range(counties)])
    per_city = allocate(counties, [1.0] * cities)
    root = OrgRow(
        f"中共{PROVINCE}委员会",
        OrgKind.COMMITTEE,
        (f"中共{PROVINCE}委员会", GOV),
        founded_from=1949,
        founded_span=1,
    )
    index = 0
    for c, count in enumerate(per_city, start=1):
        city = OrgRow(
            f"中共第{c}市委员会",
            OrgKind.COMMITTEE,
            (f"中共第{c}市委员会", GOV),
            founded_from=1949,
            founded_span=3,
        )
        for k in range(count):
            county = plan_county(sizes[index], rng)
            label = f"第{c}市第{k + 1}县"
            for row in walk(county):  # each county plan has the same unit names: qualify them
                if row.unit is not None:
                    name, category = row.unit
                    row.unit = (label + name.removeprefix(COUNTY), category)
            county.name = f"中共{label}委员会"
            county.unit = (county.name, GOV)
            city.children.append(county)
            index += 1
        root.children.append(city)
    return root


def load_scale(
    members: int,
    *,
    seed: int = 1,
    today: dt.date,
    batch_size: int = 20000,
    rollups: bool = True,
    county_members: int = MEMBERS_PER_COUNTY,
) -> ScaleData:
    """Build the tree, then stream the members in (no demo logins, no later events), then
    build the statistics rollups unless `rollups` is False (the benchmark times them apart)."""
    started = time.perf_counter()
    plan = plan_province(members, random.Random(f"{seed}:tree"), county_members)
    orgs = build_tree(
        plan, random.Random(f"{seed}:tree"), today=today, code_prefix="99", batch_size=5000
    )
    tree_seconds = time.perf_counter() - started
    started = time.perf_counter()
    stream = MemberStream(
        orgs,
        members,
        random.Random(f"{seed}:members"),
        today,
        events=0,
        rules=RuleBook(PROBATION_MONTHS).value,
    )
    # Synthetic data without 修改记录 rows: a quarter fewer rows, and nobody edited them.
    loaded = len(
        bulk_register_members(
            stream, validate=False, batch_size=batch_size, history=False, notify=False
        )
    )
    analyze(Organization, Member, MemberEvent, MemberSpell)
    if rollups:
        rebuild()  # the statistics rollups, from all spells at once
    return ScaleData(orgs[0][0].pk, len(orgs), loaded, tree_seconds, time.perf_counter() - started)
