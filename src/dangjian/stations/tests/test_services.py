"""Stations and help records through their services: abilities, scope, checks, audit, versions."""

from __future__ import annotations

import datetime as dt

import pytest

from dangjian.audit.models import AuditEvent
from dangjian.core.exceptions import ConcurrentEditError, DomainError
from dangjian.members.models import Member
from dangjian.stations import services
from dangjian.stations.models import Station
from dangjian.stations.selectors import (
    contact_phone_for,
    help_for_member,
    help_visible_to,
    register_member_source,
    stations_visible_to,
)
from dangjian.stations.testing import make_help, make_station

pytestmark = pytest.mark.django_db


def test_secretary_creates_a_station_and_it_is_audited(cast):
    station = make_station(cast.secretary, cast.branch)
    assert station.region_name == "河北省邢台市"
    event = AuditEvent.objects.get(action="stations.create_station")
    assert event.detail["region"] == "河北省邢台市"
    assert event.detail["phone"] == "138****2222"  # masked in the log


def test_outsider_cannot_create_a_station_on_the_branch(cast):
    with pytest.raises(DomainError, match="不能在该党组织下建立服务站"):
        make_station(cast.outsider, cast.branch)


def test_a_party_committee_without_manage_orgs_cannot_create(cast):
    with pytest.raises(DomainError):
        make_station(cast.member_user, cast.branch)


def test_region_must_be_a_province_or_city(cast):
    with pytest.raises(DomainError, match="所在地区") as exc:
        make_station(cast.secretary, cast.branch, region="130534")
    assert exc.value.field == "region"


def test_update_refuses_a_stale_version(cast):
    station = make_station(cast.secretary, cast.branch)
    services.update_station(actor=cast.secretary, station=station, expected_version=1,
                            values={"opening_hours": "每天 8:00—20:00"})  # fmt: skip
    with pytest.raises(ConcurrentEditError):
        services.update_station(actor=cast.township_admin, station=Station.objects.get(),
                                expected_version=1, values={"is_open": False})  # fmt: skip
    assert Station.objects.get().opening_hours == "每天 8:00—20:00"


def test_station_cannot_be_handed_to_an_organization_outside_scope(cast):
    station = make_station(cast.secretary, cast.branch)
    with pytest.raises(DomainError, match="不能把服务站交给"):
        services.update_station(actor=cast.secretary, station=station, expected_version=1,
                                values={"org": cast.other_branch})  # fmt: skip


def test_stations_are_seen_in_the_hosting_subtree_only(cast):
    make_station(cast.secretary, cast.branch)
    assert stations_visible_to(cast.county_admin).count() == 1
    assert stations_visible_to(cast.township_admin).count() == 1
    assert stations_visible_to(cast.outsider).count() == 0
    assert stations_visible_to(cast.member_user).count() == 0


def test_contact_mobile_is_masked_for_those_who_do_not_manage_the_station(cast):
    from django.contrib.auth import get_user_model

    from dangjian.accounts.models import Role
    from dangjian.accounts.services import grant_role

    station = make_station(cast.secretary, cast.branch)
    assert contact_phone_for(cast.township_admin, station) == "13800002222"
    dangwei = get_user_model().objects.create_user("dangwei")
    grant_role(actor=None, user=dangwei, role=Role.PARTY_COMMITTEE, org=cast.township,
               bootstrap=True)  # fmt: skip
    assert contact_phone_for(dangwei, station) == "138****2222"


def test_help_is_recorded_for_a_member_in_scope(cast):
    record = make_help(cast.secretary, cast.member)
    assert record.recorded_by == cast.secretary
    assert AuditEvent.objects.filter(action="stations.record_help").count() == 1
    assert list(help_for_member(cast.township_admin, cast.member)) == [record]


def test_help_cannot_be_recorded_for_a_member_outside_scope(cast):
    with pytest.raises(DomainError, match="不在您可以登记帮扶的范围内"):
        make_help(cast.secretary, cast.neighbour)
    with pytest.raises(DomainError):
        make_help(cast.outsider, cast.member)


def test_help_date_cannot_be_in_the_future(cast):
    with pytest.raises(DomainError, match="帮扶日期不能晚于今天") as exc:
        make_help(cast.secretary, cast.member, date=dt.date.today() + dt.timedelta(days=1))
    assert exc.value.field == "date"


def test_help_at_a_station_is_seen_by_the_station_side_and_the_member_side(cast):
    """A mobile member of 远山县 helped at 东街's station: both sides see it, nobody else."""
    station = make_station(cast.secretary, cast.branch)
    record = make_help(cast.outsider, cast.far_member, station=station)
    assert list(help_visible_to(cast.outsider)) == [record]  # the member's side
    assert list(help_visible_to(cast.secretary)) == [record]  # the station's side
    assert list(help_visible_to(cast.member_user)) == []
    # the station's side may also correct it (its 帮扶结果, most often)
    services.update_help(actor=cast.secretary, record=record, expected_version=1,
                         values={"outcome": "已推荐两个岗位"})  # fmt: skip


def test_a_registered_source_lets_the_destination_record_help(cast):
    """The mobile members' app names the members taking part in an organization elsewhere."""

    def far_members_for_branch(user):
        if user == cast.secretary:
            return Member.objects.filter(pk=cast.far_member.pk).values("pk")
        return Member.objects.none().values("pk")

    from dangjian.stations import selectors

    register_member_source(far_members_for_branch)
    try:
        station = make_station(cast.secretary, cast.branch)
        record = make_help(cast.secretary, cast.far_member, station=station)
        assert record.member == cast.far_member
        with pytest.raises(
            DomainError, match="只有帮扶对象所在党组织、所选服务站的主办党组织或帮扶党组织"
        ):
            make_help(cast.secretary, cast.far_member, station=None)  # not at their station
    finally:
        selectors._MEMBER_SOURCES.remove(far_members_for_branch)


def test_closed_station_takes_no_new_help(cast):
    station = make_station(cast.secretary, cast.branch, is_open=False)
    with pytest.raises(DomainError, match="已停止开放"):
        make_help(cast.secretary, cast.member, station=station)


def test_update_help_refuses_a_stale_version(cast):
    record = make_help(cast.secretary, cast.member)
    services.update_help(actor=cast.secretary, record=record, expected_version=1,
                         values={"outcome": "已签订劳动合同"})  # fmt: skip
    from dangjian.stations.models import HelpRecord

    with pytest.raises(ConcurrentEditError):
        services.update_help(actor=cast.county_admin, record=HelpRecord.objects.get(),
                             expected_version=1, values={"outcome": "x"})  # fmt: skip


def test_stations_near_a_destination_put_the_same_city_first(cast):
    from dangjian.stations.selectors import stations_near

    make_station(cast.secretary, cast.branch, name="石家庄站", region="130100")
    make_station(cast.secretary, cast.branch, name="邢台站", region="130500")
    make_station(cast.secretary, cast.branch, name="东莞站", region="441900")
    make_station(cast.secretary, cast.branch, name="已关闭", region="130500", is_open=False)
    assert [s.name for s in stations_near("130500")] == ["邢台站", "石家庄站"]
    assert [s.name for s in stations_near("130000")] == ["石家庄站", "邢台站"]
    assert stations_near("") == [] and stations_near("310000") == []


def test_the_destination_organization_records_help_in_its_own_name(cast):
    """A 流入地党组织 helps a mobile member who takes part there, at no station: it names
    itself as the giver, sees the record and may correct it; the member's side sees it too."""

    def far_members_for_branch(user):
        ids = [cast.far_member.pk] if user == cast.secretary else []
        return Member.objects.filter(pk__in=ids).values("pk")

    from dangjian.stations import selectors

    register_member_source(far_members_for_branch)
    try:
        record = make_help(cast.secretary, cast.far_member, org=cast.branch)
        assert list(help_visible_to(cast.secretary)) == [record]
        assert list(help_visible_to(cast.outsider)) == [record]
        assert list(help_visible_to(cast.township_admin)) == [record]  # above the giver
        services.update_help(actor=cast.secretary, record=record, expected_version=1,
                             values={"outcome": "已介绍到社区工厂"})  # fmt: skip
        with pytest.raises(DomainError, match="帮扶党组织") as exc:
            make_help(cast.secretary, cast.far_member, org=cast.other_branch)
        assert exc.value.field == "org"
    finally:
        selectors._MEMBER_SOURCES.remove(far_members_for_branch)
