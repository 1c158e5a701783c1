"""Property test: for random histories (joins, conversions, extended probations, cancelled
probationary status, transfers, backdated corrections, voided events, subtree moves, merges)
every report equals the recount from the events, for every subtree and date checked."""

from __future__ import annotations

import datetime as dt
from typing import Any

from dateutil.relativedelta import relativedelta
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dangjian.core.exceptions import DomainError
from dangjian.members.services import record_event, void_event
from dangjian.orgs.models import Organization, OrgKind
from dangjian.orgs.services import create_organization, merge_branches, move_organization
from dangjian.stats.checks import differences
from dangjian.stats.rollups import fold, rebuild
from dangjian.testing import make_member

dates = st.dates(dt.date(2001, 1, 1), dt.date(2026, 6, 30))
joined = st.dates(dt.date(2001, 1, 1), dt.date(2015, 12, 31))  # most later events then apply
later = st.dates(dt.date(2016, 1, 1), dt.date(2026, 6, 30))
# Births put age-band boundaries (and 29 February) inside the checked years.
births = st.one_of(
    st.dates(dt.date(1950, 1, 1), dt.date(1982, 12, 31)),  # 18 by the earliest join
    st.sampled_from([dt.date(1976, 2, 29), dt.date(1980, 2, 29), dt.date(1982, 3, 1)]),
)
member_specs = st.lists(
    st.tuples(st.integers(0, 2), joined, st.booleans(), st.sampled_from("MF"), births),
    min_size=1,
    max_size=6,
)
operations = st.lists(
    st.tuples(
        st.sampled_from(
            ["move", "out", "in", "death", "void", "subtree", "merge", "extend", "cancel"]
        ),
        st.integers(0, 5),
        st.integers(0, 2),
        st.one_of(later, dates),
    ),
    max_size=8,
)


def _tree(cast: Any) -> list[Any]:
    admin = cast.county_admin

    def branch(parent: Any, name: str, code: str) -> Any:
        return create_organization(
            actor=admin, parent=parent, kind=OrgKind.BRANCH, values={"name": name, "code": code}
        )

    return [cast.branch, branch(cast.township, "西街社区党支部", "100000000011"), cast.other_branch]


def _town2(cast: Any) -> Any:
    """中共河口镇委员会, the other township."""
    return Organization.objects.get_parent(Organization.objects.get(pk=cast.other_branch.pk))


def _apply(cast: Any, members: list[Any], branches: list[Any], op: tuple[Any, ...]) -> None:
    kind, who, where, on = op
    admin, member = cast.county_admin, members[who % len(members)]
    member.refresh_from_db()
    if kind == "subtree":  # a branch moves to the other township: every date follows it
        branch, town2 = branches[where], _town2(cast)
        target = cast.township if branch.path.startswith(town2.path) else town2
        move_organization(actor=admin, org=branch, new_parent=target)
    elif kind == "merge":
        merge_branches(
            actor=admin, source=branches[where], target=branches[(where + 1) % 3], effective_date=on
        )
    elif kind == "extend":  # 延长预备期 from the end of probation, then 转正 at its end
        end = member.join_date + relativedelta(years=1)
        months = (6, 9, 12)[where]
        record_event(actor=admin, member=member, kind="extend", effective_date=end, months=months)
        if on > end + relativedelta(months=months):
            record_event(actor=admin, member=member, kind="convert",
                         effective_date=end + relativedelta(months=months))  # fmt: skip
    elif kind == "cancel":  # 取消预备党员资格: the membership ends
        record_event(actor=admin, member=member, kind="cancel", effective_date=on)
    elif kind == "void":
        events = list(member.events.filter(voided_at__isnull=True))
        void_event(actor=admin, event=events[where % len(events)], reason="录入错误")
    else:
        kinds = {"move": "move", "out": "out", "in": "in", "death": "death"}
        org = branches[where] if kind in ("move", "in") else None
        record_event(
            actor=admin,
            member=member,
            kind=kinds[kind],
            effective_date=on,
            org=org,
            category="full" if kind == "in" else "",
            counterpart="外县",
        )


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    specs=member_specs,
    ops=operations,
    checks=st.lists(dates, min_size=1, max_size=4),
    rollups=st.sampled_from(["live", "pending", "folded"]),
)
def test_every_report_equals_the_recount_from_events(
    cast: Any, specs: Any, ops: Any, checks: Any, rollups: str
) -> None:
    for org in (cast.county, cast.township, cast.branch, cast.other_branch):
        org.refresh_from_db()  # an earlier example's moves and merges were rolled back
    with transaction.atomic():
        branches = _tree(cast)
        members = []
        for i, (where, joined, converted, gender, birth) in enumerate(specs):
            full = joined + relativedelta(years=1) if converted and joined.year < 2025 else None
            members.append(
                make_member(
                    cast.county_admin,
                    branches[where],
                    name=f"党员{i}",
                    gender=gender,
                    birth=birth,
                    join=joined,
                    full=full,
                )
            )
        if rollups != "live":  # every subtree with a member keeps a rollup
            rebuild(min_members=1)
        for op in ops:
            try:
                with transaction.atomic():
                    _apply(cast, members, branches, op)
            except DomainError:
                pass  # an impossible move (e.g. after death) is refused and changes nothing
        if rollups == "folded":
            fold()
        scopes = [cast.county, cast.township, _town2(cast), *branches]
        for on in checks:
            for org in scopes:
                org.refresh_from_db()
                assert differences(org, on) == []
        transaction.set_rollback(True)
