"""Each rule value on the day before it is met and on the day it is met."""

from __future__ import annotations

import datetime as dt

from dateutil.relativedelta import relativedelta

from dangjian.accounts.scope import scope_for
from dangjian.conftest import Cast
from dangjian.core.models import RuleValue
from dangjian.mobile.models import MobileStay
from dangjian.mobile.selectors import Limits, flags
from dangjian.mobile.tests.conftest import register
from dangjian.mobile.workbench import ContactOverdue, LostContact, PermitExpiring, TransferProposed

START = dt.date(2026, 1, 31)


def _stay(cast: Cast, **fields: object) -> MobileStay:
    stay = register(cast, start_on=START)
    MobileStay.objects.filter(pk=stay.pk).update(**fields)
    stay.refresh_from_db()
    return stay


def test_contact_overdue_after_more_than_the_rule_days(cast: Cast) -> None:
    stay = _stay(cast)
    met = START + dt.timedelta(days=91)  # 90 days without contact: not yet "longer than 90"
    assert not flags(stay, Limits.on(met - dt.timedelta(days=1))).overdue
    assert flags(stay, Limits.on(met)).overdue
    box = ContactOverdue()
    scope = scope_for(cast.secretary)
    assert box.count_for(cast.secretary, scope, met - dt.timedelta(days=1)) == 0
    assert box.count_for(cast.secretary, scope, met) == 1


def test_contact_overdue_days_come_from_the_rule_value(cast: Cast) -> None:
    RuleValue.objects.filter(key="mobile.contact_overdue_days").update(value=30)
    stay = _stay(cast)
    assert not flags(stay, Limits.on(START + dt.timedelta(days=30))).overdue
    assert flags(stay, Limits.on(START + dt.timedelta(days=31))).overdue


def test_lost_contact_on_the_day_six_months_are_complete(cast: Cast) -> None:
    stay = _stay(cast, contact_since=dt.date(2026, 3, 15))
    met = dt.date(2026, 9, 15)
    assert not flags(stay, Limits.on(met - dt.timedelta(days=1))).lost
    assert flags(stay, Limits.on(met)).lost
    scope = scope_for(cast.secretary)
    assert LostContact().count_for(cast.secretary, scope, met - dt.timedelta(days=1)) == 0
    assert LostContact().count_for(cast.secretary, scope, met) == 1
    # a lost contact is not also listed as merely overdue
    assert ContactOverdue().count_for(cast.secretary, scope, met) == 0


def test_transfer_proposed_when_six_months_at_one_place(cast: Cast) -> None:
    stay = _stay(cast, start_on=dt.date(2026, 2, 10), contact_since=dt.date(2026, 8, 1))
    met = dt.date(2026, 2, 10) + relativedelta(months=6)
    assert not flags(stay, Limits.on(met - dt.timedelta(days=1))).transfer_proposed
    assert flags(stay, Limits.on(met)).transfer_proposed
    scope = scope_for(cast.secretary)
    assert TransferProposed().count_for(cast.secretary, scope, met - dt.timedelta(days=1)) == 0
    assert TransferProposed().count_for(cast.secretary, scope, met) == 1


def test_transfer_months_come_from_the_rule_value(cast: Cast) -> None:
    RuleValue.objects.filter(key="mobile.transfer_after_months").update(value=3)
    stay = _stay(cast, start_on=dt.date(2026, 2, 10))
    assert not flags(stay, Limits.on(dt.date(2026, 5, 9))).transfer_proposed
    assert flags(stay, Limits.on(dt.date(2026, 5, 10))).transfer_proposed


def test_permit_expiring_within_the_notice_days(cast: Cast) -> None:
    stay = _stay(cast, permit_number="X", permit_valid_until=dt.date(2026, 12, 31))
    met = dt.date(2026, 12, 1)  # 30 days ahead
    assert not flags(stay, Limits.on(met - dt.timedelta(days=1))).permit_expiring
    assert flags(stay, Limits.on(met)).permit_expiring
    scope = scope_for(cast.secretary)
    assert PermitExpiring().count_for(cast.secretary, scope, met - dt.timedelta(days=1)) == 0
    items = list(PermitExpiring().items_for(cast.secretary, scope, met))
    assert len(items) == 1 and items[0].due == dt.date(2026, 12, 31) and "李明" in items[0].subject


def test_closed_stays_raise_nothing(cast: Cast) -> None:
    stay = _stay(cast, status=MobileStay.Status.RETURNED, end_on=dt.date(2026, 2, 1))
    f = flags(stay, Limits.on(dt.date(2027, 1, 1)))
    assert not (f.overdue or f.lost or f.transfer_proposed)
    assert (
        LostContact().count_for(cast.secretary, scope_for(cast.secretary), dt.date(2027, 1, 1)) == 0
    )


def test_workbench_items_are_for_the_home_side_only(cast: Cast) -> None:
    _stay(cast)
    later = dt.date(2026, 12, 1)
    assert LostContact().count_for(cast.outsider, scope_for(cast.outsider), later) == 0
    assert LostContact().count_for(cast.county_admin, scope_for(cast.county_admin), later) == 1


def test_the_workbench_shows_a_kind_due_alone_on_its_day_not_the_day_before(cast: Cast) -> None:
    """The four kinds share one "is anything due?" question on the 工作台: it must not hide
    a kind whose day has come while the others have not."""
    from dangjian.core import workbench

    _stay(cast, permit_number="X", permit_valid_until=dt.date(2026, 3, 31), contact_since=START)
    met = dt.date(2026, 3, 1)  # the permit's notice; 29 days without contact: nothing else due
    scope = scope_for(cast.secretary)

    def mobile_groups(on: dt.date) -> dict[str, int]:
        found = workbench.groups_for(cast.secretary, scope, on)
        return {g.key: g.count for g in found if g.key.startswith("mobile.")}

    assert mobile_groups(met - dt.timedelta(days=1)) == {}
    assert mobile_groups(met) == {"mobile.permit_expiring": 1}
    counts = workbench.count_for(cast.secretary, scope, met)
    assert {k: v for k, v in counts.items() if k.startswith("mobile.") and v} == {
        "mobile.permit_expiring": 1
    }
