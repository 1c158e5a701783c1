"""The end of probation (党章第七条; 细则第三十三、三十四条): 转正 takes effect on the day the
预备期 ends, 延长预备期 once for 6–12 months, 取消预备党员资格 ends the membership.

"The day the probation ends" (预备期满之日) is the same calendar day one year after the 支部大会
resolution (the admission's date): admitted 2024-12-06 → 转正 effective 2025-12-06; after
29 February it is 28 February. 转正 and 延长预备期 take effect on exactly that day."""

import datetime as dt

import pytest
from django.urls import reverse

from dangjian.core.exceptions import DomainError
from dangjian.members.models import MemberEvent
from dangjian.members.selectors import roster_on
from dangjian.members.services import (
    Admission,
    MemberData,
    check_registration,
    record_event,
    void_event,
)
from dangjian.members.tests.test_api import api, new_member_payload
from dangjian.testing import make_id_number, make_member

Kind = MemberEvent.Kind


def probationary(cast, join=dt.date(2024, 12, 6), **kw):
    return make_member(cast.county_admin, cast.branch, name="周新", join=join, full=None, **kw)


def event(cast, member, kind, on, **kw):
    return record_event(actor=cast.county_admin, member=member, kind=kind, effective_date=on, **kw)


def test_conversion_the_day_before_the_probation_ends_is_refused(cast):
    member = probationary(cast)
    with pytest.raises(DomainError, match="预备期满之日为 2025-12-06") as refused:
        event(cast, member, Kind.CONVERT, dt.date(2025, 12, 5))
    assert refused.value.field == "effective_date"
    member.refresh_from_db()
    assert (member.category, member.full_date) == ("prob", None)


def test_conversion_on_the_day_the_probation_ends_is_recorded(cast):
    member = probationary(cast)
    event(cast, member, Kind.CONVERT, dt.date(2025, 12, 6))
    member.refresh_from_db()
    assert (member.category, member.full_date) == ("full", dt.date(2025, 12, 6))


def test_conversion_after_the_day_the_probation_ends_is_refused(cast):
    member = probationary(cast)
    with pytest.raises(DomainError, match="预备期满之日"):
        event(cast, member, Kind.CONVERT, dt.date(2025, 12, 7))


def test_probation_begun_on_29_february_ends_on_28_february(cast):
    member = probationary(cast, join=dt.date(2024, 2, 29))
    with pytest.raises(DomainError, match="2025-02-28"):
        event(cast, member, Kind.CONVERT, dt.date(2025, 3, 1))
    event(cast, member, Kind.CONVERT, dt.date(2025, 2, 28))


def test_issue_example_conversion_six_weeks_after_admission_is_refused_on_the_page(cast):
    member = probationary(cast, join=dt.date(2026, 10, 22))
    response = cast.client(cast.county_admin).post(
        reverse("members:event-create", args=[member.pk]),
        {"kind": "convert", "effective_date": "2026-12-06"},
    )
    assert response.status_code == 200
    assert "预备期满之日为 2027-10-22" in response.content.decode()
    assert not member.events.filter(kind=Kind.CONVERT).exists()


def test_api_refuses_an_early_conversion_with_the_same_message(cast):
    member = probationary(cast)
    response = api(cast.county_admin).post(
        reverse("member-events", args=[member.pk]),
        {"kind": "convert", "effective_date": "2025-11-30"},
        format="json",
    )
    assert response.status_code == 400
    assert "预备期满之日为 2025-12-06" in str(response.json())


def test_registration_with_an_early_full_date_is_refused_on_that_field(cast):
    payload = new_member_payload(cast, join_date="2016-07-01", full_date="2017-06-30")
    response = api(cast.county_admin).post(reverse("member-list"), payload, format="json")
    assert response.status_code == 400 and "预备期满之日为 2017-07-01" in str(response.json())


def test_roster_import_check_refuses_an_early_full_date(cast):
    birth = dt.date(1990, 1, 1)
    member_data = MemberData(
        name="吴平", gender="M", ethnicity="01", birth_date=birth,
        id_number=make_id_number(birth, "M"), education="ba", person_category="prof",
    )  # fmt: skip
    admission = Admission(cast.branch, dt.date(2015, 3, 1), dt.date(2015, 9, 1))
    with pytest.raises(DomainError) as refused:
        check_registration(member_data, admission)
    assert refused.value.field == "full_date"


# ---- 延长预备期 -------------------------------------------------------------------------------


@pytest.mark.parametrize(("months", "ok"), [(5, False), (6, True), (12, True), (13, False)])
def test_extension_is_six_to_twelve_months(cast, months, ok):
    member = probationary(cast, join=dt.date(2023, 6, 1))
    if ok:
        event(cast, member, Kind.EXTEND, dt.date(2024, 6, 1), months=months)
    else:
        with pytest.raises(DomainError, match="6 至 12 个月") as refused:
            event(cast, member, Kind.EXTEND, dt.date(2024, 6, 1), months=months)
        assert refused.value.field == "months"


def test_after_an_extension_conversion_counts_from_its_end(cast):
    member = probationary(cast, join=dt.date(2023, 6, 1))
    event(cast, member, Kind.EXTEND, dt.date(2024, 6, 1), months=6)
    with pytest.raises(DomainError, match="2024-12-01（含延长的预备期）"):
        event(cast, member, Kind.CONVERT, dt.date(2024, 11, 30))
    event(cast, member, Kind.CONVERT, dt.date(2024, 12, 1))
    member.refresh_from_db()
    assert (member.category, member.full_date) == ("full", dt.date(2024, 12, 1))
    assert [s.category for s in member.spells.order_by("valid_from")] == ["prob", "full"]


def test_a_second_extension_is_refused(cast):
    member = probationary(cast, join=dt.date(2023, 6, 1))
    event(cast, member, Kind.EXTEND, dt.date(2024, 6, 1), months=6)
    with pytest.raises(DomainError, match="只能延长一次"):
        event(cast, member, Kind.EXTEND, dt.date(2024, 12, 1), months=6)


def test_extension_takes_effect_on_the_day_the_probation_ends(cast):
    member = probationary(cast, join=dt.date(2023, 6, 1))
    with pytest.raises(DomainError, match="预备期满之日为 2024-06-01"):
        event(cast, member, Kind.EXTEND, dt.date(2024, 5, 31), months=6)


def test_a_full_member_cannot_be_extended_or_cancelled(cast):
    for kind in (Kind.EXTEND, Kind.CANCEL):
        with pytest.raises(DomainError, match="只有预备党员"):
            event(cast, cast.member, kind, dt.date(2020, 1, 1), months=6)


# ---- 取消预备党员资格 -------------------------------------------------------------------------


def test_cancelling_probationary_status_ends_the_membership(cast):
    member = probationary(cast, join=dt.date(2023, 6, 1))
    event(cast, member, Kind.CANCEL, dt.date(2024, 6, 1))
    member.refresh_from_db()
    assert member.status == "cancelled"
    assert roster_on(cast.branch, dt.date(2024, 5, 31)).filter(member=member).exists()
    assert not roster_on(cast.branch, dt.date(2024, 6, 1)).filter(member=member).exists()
    with pytest.raises(DomainError):
        event(cast, member, Kind.CONVERT, dt.date(2024, 6, 1))


# ---- 转入的预备党员: the discussion may be postponed, the 转正 date stays ------------------


def transferred_in(cast):
    return probationary(cast, join=dt.date(2023, 3, 10), transferred_in_on=dt.date(2023, 9, 1))


def test_transferred_in_probationer_may_be_converted_six_months_late_from_the_original_day(cast):
    member = transferred_in(cast)
    event(cast, member, Kind.CONVERT, dt.date(2024, 3, 10), decided_on=dt.date(2024, 9, 10))
    member.refresh_from_db()
    assert member.full_date == dt.date(2024, 3, 10)


def test_transferred_in_conversion_decided_a_day_past_six_months_is_refused(cast):
    member = transferred_in(cast)
    with pytest.raises(DomainError, match="最迟可推迟到 2024-09-10") as refused:
        event(cast, member, Kind.CONVERT, dt.date(2024, 3, 10), decided_on=dt.date(2024, 9, 11))
    assert refused.value.field == "decided_on"


def test_transferred_in_conversion_keeps_the_original_date(cast):
    member = transferred_in(cast)
    with pytest.raises(DomainError, match="预备期满之日为 2024-03-10"):
        event(cast, member, Kind.CONVERT, dt.date(2024, 9, 10), decided_on=dt.date(2024, 9, 10))


def test_a_resolution_before_the_probation_ends_is_refused(cast):
    member = probationary(cast)
    with pytest.raises(DomainError, match="预备期满后才能讨论") as refused:
        event(cast, member, Kind.CONVERT, dt.date(2025, 12, 6), decided_on=dt.date(2025, 12, 5))
    assert refused.value.field == "decided_on"
    event(cast, member, Kind.CONVERT, dt.date(2025, 12, 6), decided_on=dt.date(2025, 12, 6))


# ---- every derived field is the replay's --------------------------------------------------


def test_voiding_a_conversion_clears_the_full_date(cast):
    member = probationary(cast)
    conversion = event(cast, member, Kind.CONVERT, dt.date(2025, 12, 6))
    void_event(actor=cast.county_admin, event=conversion, reason="录入错误")
    member.refresh_from_db()
    assert (member.category, member.full_date) == ("prob", None)


def test_api_records_an_extension_and_then_refuses_a_second(cast):
    member = probationary(cast, join=dt.date(2023, 6, 1))
    client, url = api(cast.county_admin), reverse("member-events", args=[member.pk])
    first = {"kind": "extend", "effective_date": "2024-06-01", "months": 12}
    response = client.post(url, first, format="json")
    assert response.status_code == 201 and response.json()["months"] == 12
    again = client.post(url, {**first, "effective_date": "2025-06-01"}, format="json")
    assert again.status_code == 400 and "只能延长一次" in str(again.json())
