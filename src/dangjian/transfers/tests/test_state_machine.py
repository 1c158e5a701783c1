"""A hypothesis state machine over transfers, returns, withdrawals, expiries, letters to
another system and mobile members' registrations and returns (流动党员) in two counties, on a
clock that moves forward: on every date something happened, every member belongs to exactly
one organization (or none once transferred out), the one the model says; and every subtree's
count on that date — the statistics' own report (`stats.reports.standard_report`) — equals a
recount from the events (`stats.checks.recount`) and the model's count.

Each example runs inside a savepoint of the test's transaction, rolled back at its end.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from typing import Any

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, rule, run_state_machine_as_test

from dangjian.accounts.models import Role
from dangjian.accounts.services import grant_role
from dangjian.core.exceptions import DomainError
from dangjian.members.models import MemberSpell
from dangjian.mobile import services as mobile
from dangjian.mobile.models import MobileStay
from dangjian.orgs.models import Organization
from dangjian.stats.checks import recount
from dangjian.stats.reports import standard_report
from dangjian.testing import make_member
from dangjian.transfers import services
from dangjian.transfers.models import OPEN_STATUSES, Transfer, TransferStatus

S = TransferStatus
START_AGO = 500  # days before today the clock starts


def test_members_belong_to_exactly_one_organization_and_counts_match_a_recount(cast):
    users = get_user_model().objects
    near_committee = users.create_user("near_committee")
    far_committee = users.create_user("far_committee")
    grant_role(actor=None, user=near_committee, role=Role.PARTY_COMMITTEE, org=cast.county,
               bootstrap=True)  # fmt: skip
    grant_role(actor=None, user=far_committee, role=Role.PARTY_COMMITTEE, org=cast.far_county,
               bootstrap=True)  # fmt: skip
    branches = [cast.branch, cast.other_branch, cast.far_branch]
    extra = [
        make_member(cast.county_admin, cast.branch, name="孙一"),
        make_member(
            cast.outsider, cast.far_branch, name="周二", join=dt.date(2025, 1, 10), full=None
        ),
    ]
    people = [cast.member, cast.neighbour, cast.far_member, *extra]
    today = timezone.localdate()
    initial = {m.pk: m.org_id for m in people}  # (the instances change within an example)
    orgs = [cast.county, cast.township, cast.branch, cast.other_branch, cast.far_county,
            cast.far_branch]  # fmt: skip

    seen: Counter[str] = Counter()  # what the examples did, all together

    def admin_of(org: Organization) -> Any:
        return cast.county_admin if org.path.startswith(cast.county.path) else cast.outsider

    def committee_of(org: Organization) -> Any:
        return near_committee if org.path.startswith(cast.county.path) else far_committee

    class Transfers(RuleBasedStateMachine):
        def __init__(self) -> None:
            super().__init__()
            self.savepoint = transaction.savepoint()
            self.clock = today - dt.timedelta(days=START_AGO)
            # the model: member pk → [(from date, org pk or None)]
            self.where = {pk: [(dt.date.min, org)] for pk, org in initial.items()}
            self.dates = {self.clock}

        def teardown(self) -> None:
            try:
                self.check_everything()
            finally:
                transaction.savepoint_rollback(self.savepoint)

        # --- the model -------------------------------------------------------------------

        def org_on(self, pk: int, on: dt.date) -> int | None:
            return [org for start, org in self.where[pk] if start <= on][-1]

        def open_of(self, i: int) -> Transfer | None:
            return Transfer.objects.filter(member=people[i], status__in=OPEN_STATUSES).first()

        def in_party(self, i: int) -> bool:
            return self.where[people[i].pk][-1][1] is not None

        # --- rules ----------------------------------------------------------------------

        @initialize(letters=st.lists(st.tuples(st.integers(0, 4), st.integers(0, 2),
                                               st.booleans()), min_size=2, max_size=4))  # fmt: skip
        def letters_first(self, letters: list[tuple[int, int, bool]]) -> None:
            """A few letters started and issued on the first day, so that every example has
            something to arrive, return, expire or come back with a 回执."""
            for m in people:
                m.refresh_from_db()
            for i, b, external in letters:
                self.start(i, b, external)
                self.issue(0)

        @rule(i=st.integers(0, len(people) - 1), b=st.integers(0, len(branches) - 1),
              external=st.booleans())  # fmt: skip
        def start(self, i: int, b: int, external: bool) -> None:
            member = people[i]
            member.refresh_from_db()
            to = branches[b]
            blocked = self.open_of(i) is not None or not self.in_party(i)
            same = not external and to.pk == member.org_id
            try:
                services.start_transfer(
                    actor=admin_of(member.org),
                    member=member,
                    reason="工作调动",
                    to_org=None if external else to,
                    to_org_text="中共外省某村支部" if external else "",
                    on=self.clock,
                )
            except DomainError:
                assert blocked or same
                return
            assert not (blocked or same)
            seen["start"] += 1

        def pick(self, i: int, *statuses: str, internal: bool | None = None) -> Transfer | None:
            """The i-th (modulo) transfer in one of `statuses` (internal: to an org here)."""
            found = Transfer.objects.filter(status__in=statuses).order_by("pk")
            if internal is not None:
                found = found.filter(to_org__isnull=not internal)
            rows = list(found)
            return rows[i % len(rows)] if rows else None

        @rule(i=st.integers(0, 20))
        def issue(self, i: int) -> None:
            if (t := self.pick(i, S.PENDING)) is not None:
                services.issue_letter(actor=committee_of(t.from_org), transfer=t, on=self.clock)
                seen["issue"] += 1

        @rule(i=st.integers(0, 20))
        def arrive(self, i: int) -> None:
            if (t := self.pick(i, S.ISSUED, internal=True)) is None:
                return
            assert t.valid_until is not None and self.clock <= t.valid_until  # not expired
            services.confirm_arrival(actor=admin_of(t.to_org), transfer=t, on=self.clock)
            self.where[t.member_id].append((self.clock, t.to_org_id))
            self.dates.add(self.clock)
            seen["arrive"] += 1

        @rule(i=st.integers(0, 20))
        def send_back(self, i: int) -> None:
            if (t := self.pick(i, S.ISSUED, internal=True)) is not None:
                services.return_letter(actor=admin_of(t.to_org), transfer=t, reason="不是本支部")
                seen["return"] += 1

        @rule(i=st.integers(0, 20))
        def receipt(self, i: int) -> None:
            if (t := self.pick(i, S.ISSUED, internal=False)) is None:
                return
            services.record_receipt(actor=admin_of(t.from_org), transfer=t,
                                    arrival_date=self.clock)  # fmt: skip
            self.where[t.member_id].append((self.clock, None))
            self.dates.add(self.clock)
            seen["receipt"] += 1

        @rule(i=st.integers(0, 20))
        def withdraw(self, i: int) -> None:
            if (t := self.pick(i, S.PENDING, S.ISSUED)) is not None:
                services.withdraw_transfer(actor=admin_of(t.from_org), transfer=t, reason="不调了")
                seen["withdraw"] += 1

        @rule(i=st.integers(0, len(people) - 1), d=st.integers(0, len(branches) - 1))
        def go_away(self, i: int, d: int) -> None:
            """外出登记 (流动党员): the member stays in the home organization's register."""
            member = people[i]
            member.refresh_from_db()
            data = mobile.StayData(region_code="440300", address="广东省深圳市南山区",
                                   reason="work", expected_months=6, start_on=self.clock,
                                   destination_org=branches[d])  # fmt: skip
            try:
                mobile.register_stay(actor=admin_of(member.org), member=member, data=data)
            except DomainError:
                open_stay = MobileStay.objects.filter(member=member, status="open").exists()
                assert open_stay or not self.in_party(i) or branches[d].pk == member.org_id
                return
            seen["go_away"] += 1

        @rule(i=st.integers(0, 20))
        def come_back(self, i: int) -> None:
            rows = list(MobileStay.objects.filter(status="open").order_by("pk"))
            if not rows:
                return
            stay = rows[i % len(rows)]
            mobile.end_stay(actor=admin_of(stay.home_org), stay=stay, on=self.clock,
                            version=stay.version)  # fmt: skip
            seen["come_back"] += 1

        @rule(days=st.integers(1, 120))
        def wait(self, days: int) -> None:
            self.clock = min(today, self.clock + dt.timedelta(days=days))
            seen["expire"] += services.expire_letters(self.clock)
            for t in Transfer.objects.filter(status=S.ISSUED, to_org__isnull=False):
                assert t.valid_until is not None and t.valid_until >= self.clock

        # --- the invariants, on every date something happened (and the day before) -----

        def check_everything(self) -> None:
            for stay in MobileStay.objects.filter(status="open").select_related("member"):
                # an open stay is kept by the member's present organization, in the Party
                assert stay.member.status == "active" and stay.home_org_id == stay.member.org_id
            days = sorted(self.dates | {d - dt.timedelta(days=1) for d in self.dates} | {today})
            for on in days:
                for m in people:
                    open_spells = MemberSpell.objects.open_on(on).filter(member=m)
                    expected = self.org_on(m.pk, on)
                    assert [s.org_id for s in open_spells] == ([expected] if expected else []), (
                        m.name,
                        on,
                    )
                for org in orgs:
                    reported = standard_report(org, on).total
                    recounted = sum(recount(org, on)["category"].values())
                    modelled = sum(
                        1
                        for m in people
                        if (o := self.org_on(m.pk, on)) is not None
                        and Organization.objects.get(pk=o).path.startswith(org.path)
                    )
                    assert reported == recounted == modelled, (org.name, on)

    run_state_machine_as_test(
        Transfers,
        settings=settings(
            max_examples=30,
            derandomize=True,  # the same 30 runs every time: never flaky
            database=None,
            stateful_step_count=25,
            deadline=None,
            suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
        ),
    )
    kinds = ("arrive", "receipt", "return", "expire", "go_away", "come_back")
    assert all(seen[k] > 0 for k in kinds), seen
