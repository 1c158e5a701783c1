"""Test helpers (importable by other apps' tests): a station and a help record through the
real services."""

from __future__ import annotations

import datetime as dt
from typing import Any

from dangjian.members.models import Member
from dangjian.orgs.models import Organization
from dangjian.stations.models import HelpRecord, Station
from dangjian.stations.services import create_station, record_help


def station_values(**overrides: Any) -> dict[str, Any]:
    values: dict[str, Any] = {
        "name": "东街社区党员服务站",
        "kind": Station.Kind.STATION,
        "region": "130500",
        "address": "清河县城关镇东街 12 号",
        "contact_name": "张红",
        "contact_phone": "13800002222",
        "public_phone": "0319-8123456",
        "opening_hours": "工作日 9:00—17:00",
        "services": "组织生活、就业信息、政策咨询",
        "is_open": True,
    }
    return values | overrides


def make_station(actor: Any, org: Organization, **overrides: Any) -> Station:
    return create_station(actor=actor, org=org, values=station_values(**overrides))


def make_help(
    actor: Any, member: Member, station: Station | None = None, **overrides: Any
) -> HelpRecord:
    values: dict[str, Any] = {
        "kind": HelpRecord.Kind.JOBS,
        "date": dt.date(2026, 3, 2),
        "station": station,
        "description": "推荐到县工业园区电子厂就业",
        "outcome": "已上岗",
        "given_by": "东街社区党员服务站",
    }
    return record_help(actor=actor, member=member, values=values | overrides)
