"""Property: whatever events are recorded (backdated or not) and voided, the stored member and
its spells equal a fresh replay of the events that remain (every derived field)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dangjian.core.exceptions import DomainError
from dangjian.members.history import replay
from dangjian.members.models import Member, MemberEvent
from dangjian.members.services import record_event, void_event
from dangjian.orgs.models import Organization
from dangjian.testing import make_member

Kind = MemberEvent.Kind
JOIN = dt.date(2018, 3, 1)
# The days a 转正 or 延长预备期 may fall on (end of probation; after a 6 or 12 month
# extension), and others before and after them.
DAYS = st.one_of(
    st.sampled_from(
        [dt.date(2019, 3, 1), dt.date(2019, 9, 1), dt.date(2020, 3, 1), dt.date(2019, 2, 28)]
    ),
    st.dates(JOIN, dt.date(2026, 6, 30)),
    st.dates(dt.date(2015, 1, 1), JOIN),
)
record = st.tuples(
    st.just("record"),
    # the end of probation, often: the other kinds only follow some states
    st.sampled_from([Kind.CONVERT, Kind.CONVERT, Kind.EXTEND, *Kind.values[1:]]),
    DAYS,
    st.integers(0, 1),  # which branch
    st.sampled_from([6, 12, 3]),
)
void = st.tuples(st.just("void"), st.integers(0, 9))
operations = st.lists(st.one_of(record, record, void), min_size=2, max_size=10)

DERIVED = ("status", "category", "org_id", "org_path", "join_date", "full_date", "probation_end")


def assert_matches_replay(member: Member) -> None:
    member.refresh_from_db()
    fresh = replay(member.events.all())
    assert {f: getattr(member, f) for f in DERIVED} == {
        "status": fresh.status,
        "category": fresh.category,
        "org_id": fresh.org_id,
        "org_path": member.org.path,
        "join_date": fresh.join_date,
        "full_date": fresh.full_date,
        "probation_end": fresh.probation_due,
    }
    stored = sorted(
        (s.org_id, s.org_path, s.category, s.valid_from, s.valid_to, s.opened_by)
        for s in member.spells.all()
    )
    assert all(path == _path(org_id) for org_id, path, *_ in stored)
    expected = sorted(
        (s.org_id, s.category, s.valid_from, s.valid_to, s.opened_by) for s in fresh.spells
    )
    assert [(o, c, f, t, b) for o, _, c, f, t, b in stored] == expected


def _path(org_id: int) -> str:
    return Organization.objects.get(pk=org_id).path


def _apply(cast: Any, member: Member, op: tuple[Any, ...]) -> None:
    admin = cast.county_admin
    if op[0] == "void":
        live = list(member.events.filter(voided_at__isnull=True).order_by("pk"))
        void_event(actor=admin, event=live[op[1] % len(live)], reason="录入错误")
        return
    _, kind, on, where, months = op
    record_event(
        actor=admin,
        member=member,
        kind=kind,
        effective_date=on,
        org=(cast.branch, cast.other_branch)[where] if kind in ("move", "in", "restore") else None,
        category="prob" if kind == "in" else "",
        months=months,
    )


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(ops=operations)
def test_stored_member_always_equals_the_replay_of_its_events(cast: Any, ops: Any) -> None:
    with transaction.atomic():
        member = make_member(cast.county_admin, cast.branch, name="周新", join=JOIN, full=None)
        for op in ops:
            try:
                with transaction.atomic():
                    _apply(cast, member, op)
            except DomainError:
                pass  # refused: nothing changed
            assert_matches_replay(member)
        transaction.set_rollback(True)
