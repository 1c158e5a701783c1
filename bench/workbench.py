"""工作台 benchmark (part of `make bench`): the items a user must act on, counted for a county of
BENCH_WORKBENCH_MEMBERS members (default 50,000, the issue's size) built by the scale generator
(demo/scale.py, as `seed_scale` builds it), p50/p95 over repeated runs, against a single
indexed count measured in the same run (the in-party members under the county, the baseline).

Timed per user: the scope (`scope_for`, recomputed each time as on every request) and every
provider's count (`core.workbench.count_for`), and the full list the page shows
(`groups_for`). The issue's goal is the county count in p95 <= 50 ms; nothing is asserted.
"""

from __future__ import annotations

import datetime as dt
import os
import time
from collections.abc import Callable
from typing import Any

MEMBERS = int(os.environ.get("BENCH_WORKBENCH_MEMBERS", "50000"))
REPEAT = int(os.environ.get("BENCH_WORKBENCH_REPEAT", "41"))
TODAY = dt.date(2026, 11, 1)


def timings(fn: Callable[[], Any]) -> tuple[float, float]:
    from stats_report import timings as measure

    return measure(fn, REPEAT)


def users(county: Any) -> list[tuple[str, Any]]:
    """A county organizer, a branch secretary, and a member with a login and an open poll."""
    from django.contrib.auth import get_user_model

    from dangjian.accounts.models import Role
    from dangjian.accounts.services import grant_role
    from dangjian.members.models import Member
    from dangjian.orgs.models import Organization, OrgKind
    from dangjian.votes.models import Poll
    from dangjian.votes.services import PollDraft, create_poll, open_poll

    make = get_user_model().objects.create_user
    organizer, secretary = make("bench-wb-county"), make("bench-wb-secretary")
    grant_role(actor=None, user=organizer, role=Role.ORG_ADMIN, org=county, bootstrap=True)
    # A branch with a 预备期 ending within the window (its secretary has a 转正 to see to) and
    # a full member who votes.
    probationary = Member.objects.under(county).filter(
        probation_end__lte=TODAY + dt.timedelta(days=30), org__kind=OrgKind.BRANCH
    )
    branch = Organization.objects.get(pk=probationary.values_list("org_id", flat=True)[0])
    grant_role(actor=None, user=secretary, role=Role.BRANCH_SECRETARY, org=branch, bootstrap=True)
    voter = Member.objects.filter(org=branch, category="full").in_party().first()
    assert voter is not None
    voter.user = make("bench-wb-member")
    voter.save(update_fields=["user"])
    draft = PollDraft(
        title="关于党费使用的表决",
        kind=Poll.Kind.MOTION,
        method=Poll.Method.ONLINE,
        preset="meeting",
        electorate_on=TODAY,
    )
    open_poll(actor=secretary, poll=create_poll(actor=secretary, organization=branch, draft=draft))
    return [
        ("county organizer", organizer),
        ("branch secretary", secretary),
        ("member with a vote", voter.user),
    ]


def run() -> list[tuple[str, str, str, str]]:
    import roster_import

    from dangjian.accounts.scope import forget_scope, scope_for
    from dangjian.core import workbench
    from dangjian.demo.scale import load_scale
    from dangjian.members.models import Member
    from dangjian.orgs.models import Organization, OrgKind

    roster_import.clear_members()
    started = time.perf_counter()
    data = load_scale(MEMBERS, seed=12, today=TODAY, rollups=False, county_members=MEMBERS)
    load_seconds = time.perf_counter() - started
    root = Organization.objects.get(pk=data.root_id)
    county = (
        Organization.objects.under(root).filter(kind=OrgKind.COMMITTEE, depth=root.depth + 2).get()
    )
    in_county = Member.objects.under(county).in_party()
    baseline, baseline95 = timings(in_county.count)
    table = [
        ("工作台 (p50 / p95)", "items", "time", "ratio to the baseline"),
        (
            f"  in-party members under the county (baseline, {in_county.count():,})",
            "",
            f"{baseline * 1000:.1f} / {baseline95 * 1000:.1f} ms",
            "1.00",
        ),
    ]
    for label, user in users(county):

        def count(user: Any = user) -> dict[str, int]:
            forget_scope(user)  # the scope is computed once per request: include it
            return workbench.count_for(user, scope_for(user), TODAY)

        def listing(user: Any = user) -> list[Any]:
            forget_scope(user)
            return workbench.groups_for(user, scope_for(user), TODAY)

        total = sum(count().values())
        for what, fn in ((f"{label}: count", count), (f"{label}: list", listing)):
            p50, p95 = timings(fn)
            table.append(
                (
                    f"  {what}",
                    f"{total:,}",
                    f"{p50 * 1000:.1f} / {p95 * 1000:.1f} ms",
                    f"{p50 / baseline:.1f} / {p95 / baseline95:.1f}",
                )
            )
    print(
        f"\n工作台: {data.members:,} members in one county (scale generator, loaded in"
        f" {load_seconds:.1f} s), {data.organizations:,} organizations; today {TODAY}"
    )
    return table
