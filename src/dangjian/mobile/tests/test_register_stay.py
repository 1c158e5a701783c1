from __future__ import annotations

import datetime as dt

import pytest

from dangjian.audit.models import AuditEvent
from dangjian.conftest import Cast
from dangjian.core.dates import today
from dangjian.core.exceptions import DomainError
from dangjian.core.models import RuleValue
from dangjian.mobile import services
from dangjian.mobile.models import MobileStay
from dangjian.mobile.selectors import is_away, open_stay, stay_on
from dangjian.mobile.tests.conftest import register, stay_data


def test_secretary_registers_a_stay_with_the_home_path_copied(cast: Cast) -> None:
    stay = register(cast)
    assert stay.home_org == cast.branch and stay.home_path == cast.branch.path
    assert stay.destination_path == cast.far_branch.path
    assert stay.contact_since == stay.start_on and stay.status == MobileStay.Status.OPEN
    assert AuditEvent.objects.filter(action="mobile.register_stay").count() == 1


def test_a_second_open_stay_is_refused(cast: Cast) -> None:
    register(cast)
    with pytest.raises(DomainError, match="已有未结束的外出登记"):
        register(cast)


def test_outsider_cannot_register(cast: Cast) -> None:
    with pytest.raises(DomainError, match="权限"):
        services.register_stay(actor=cast.outsider, member=cast.member, data=stay_data())
    assert not MobileStay.objects.exists()


@pytest.mark.parametrize("code", ["44030", "4403051", "04x305", "", "040305", "440305"])
def test_region_is_a_province_or_city_code_never_finer(cast: Cast, code: str) -> None:
    with pytest.raises(DomainError) as exc:
        register(cast, region_code=code)
    assert exc.value.field == "region_code"


def test_destination_is_one_of_org_or_text(cast: Cast) -> None:
    with pytest.raises(DomainError, match="二者择一"):
        register(cast, destination_text="深圳市某商会党支部")
    stay = register(cast, destination_org=None, destination_text="深圳市某商会党支部")
    assert stay.destination_name == "深圳市某商会党支部" and stay.destination_path == ""


def test_future_start_is_refused(cast: Cast) -> None:
    with pytest.raises(DomainError, match="不能晚于今天"):
        register(cast, start_on=today() + dt.timedelta(days=1))


def test_permit_allowed_up_to_the_rule_months_and_refused_the_month_after(cast: Cast) -> None:
    valid = today() + dt.timedelta(days=300)
    with pytest.raises(DomainError, match="应转移组织关系"):
        register(cast, expected_months=7, permit_number="NO.1", permit_valid_until=valid)
    stay = register(cast, expected_months=6, permit_number="NO.1", permit_valid_until=valid)
    assert stay.permit_number == "NO.1"


def test_permit_for_a_long_stay_when_unable_to_transfer(cast: Cast) -> None:
    stay = register(
        cast, expected_months=24, cannot_transfer=True, permit_number="NO.2",
        permit_valid_until=today() + dt.timedelta(days=300),
    )  # fmt: skip
    assert stay.permit_number == "NO.2"


def test_permit_limit_is_read_from_the_rule_value(cast: Cast) -> None:
    RuleValue.objects.filter(key="mobile.permit_max_months").update(value=3)
    with pytest.raises(DomainError):
        register(cast, expected_months=4, permit_number="N", permit_valid_until=today())


def test_return_closes_the_stay_and_dates_say_where_the_member_was(cast: Cast) -> None:
    stay = register(cast)
    back = today() - dt.timedelta(days=2)
    services.end_stay(actor=cast.secretary, stay=stay, on=back, version=stay.version)
    stay.refresh_from_db()
    assert stay.status == MobileStay.Status.RETURNED and stay.end_on == back
    assert open_stay(cast.member.pk) is None
    assert is_away(cast.member.pk, back - dt.timedelta(days=1))
    assert not is_away(cast.member.pk, back)
    assert stay_on(cast.member.pk, stay.start_on) == stay
    assert not is_away(cast.member.pk, stay.start_on - dt.timedelta(days=1))
    register(cast)  # a new stay may start after the return


def test_return_with_a_stale_version_is_refused(cast: Cast) -> None:
    stay = register(cast)
    services.record_contact(actor=cast.secretary, stay=stay, on=today(), means="phone")
    with pytest.raises(DomainError, match="已被他人修改"):
        services.end_stay(actor=cast.secretary, stay=stay, on=today(), version=1)


def test_destination_cannot_record_the_return(cast: Cast) -> None:
    stay = register(cast)
    with pytest.raises(DomainError, match="流出地"):
        services.end_stay(actor=cast.outsider, stay=stay, on=today(), version=stay.version)


def test_contact_moves_the_contact_date_forward_only(cast: Cast) -> None:
    stay = register(cast)
    services.record_contact(actor=cast.secretary, stay=stay, on=today(), means="phone")
    services.record_contact(
        actor=cast.secretary, stay=stay, on=today() - dt.timedelta(days=3), means="visit"
    )
    stay.refresh_from_db()
    assert stay.last_contact_on == today() == stay.contact_since
    assert stay.contacts.count() == 2


def test_contact_before_the_stay_is_refused(cast: Cast) -> None:
    stay = register(cast)
    with pytest.raises(DomainError, match="不能早于外出日期"):
        services.record_contact(
            actor=cast.secretary, stay=stay, on=stay.start_on - dt.timedelta(days=1), means="phone"
        )


def test_destination_records_participation_and_home_side_does_not(cast: Cast) -> None:
    stay = register(cast)
    services.record_participation(actor=cast.outsider, stay=stay, on=today(), kind="meeting")
    with pytest.raises(DomainError, match="流入地"):
        services.record_participation(actor=cast.secretary, stay=stay, on=today(), kind="dues")
    assert stay.participations.count() == 1


def test_home_side_records_participation_for_a_destination_outside(cast: Cast) -> None:
    stay = register(cast, destination_org=None, destination_text="深圳某商会党支部")
    services.record_participation(actor=cast.secretary, stay=stay, on=today(), kind="dues")
    assert stay.participations.count() == 1


def test_close_for_transfer_closes_the_open_stay_and_is_a_noop_without_one(cast: Cast) -> None:
    assert (
        services.close_for_transfer(actor=cast.county_admin, member=cast.member, on=today()) is None
    )
    stay = register(cast)
    closed = services.close_for_transfer(actor=cast.county_admin, member=cast.member, on=today())
    assert closed is not None and closed.pk == stay.pk
    stay.refresh_from_db()
    assert stay.status == MobileStay.Status.TRANSFERRED and stay.end_on == today()
    assert services.close_for_transfer(actor=None, member=cast.member, on=today()) is None


def test_issue_permit_checks_version_and_rule(cast: Cast) -> None:
    stay = register(cast, expected_months=3)
    valid = today() + dt.timedelta(days=200)
    services.issue_permit(
        actor=cast.secretary, stay=stay, number="A-1", valid_until=valid, version=1
    )
    stay.refresh_from_db()
    assert stay.permit_number == "A-1" and stay.version == 2
    with pytest.raises(DomainError, match="已被他人修改"):
        services.issue_permit(
            actor=cast.secretary, stay=stay, number="A-2", valid_until=valid, version=1
        )
