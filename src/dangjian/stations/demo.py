"""Demo service stations and help records: the county's own station, a township point, a
station the county keeps where many of its members work away (东莞), and some help given to
members of the demo village, all through the real services."""

from __future__ import annotations

import datetime as dt
from typing import Any

from dangjian.members.models import Member
from dangjian.orgs.models import Organization
from dangjian.stations.models import HelpRecord, Station
from dangjian.stations.services import create_station, record_help

STATIONS: list[tuple[str, dict[str, Any]]] = [
    (
        "county",
        {
            "name": "清河县党员服务中心",
            "kind": Station.Kind.STATION,
            "region": "130500",
            "address": "清河县城关镇人民路 8 号县委党校一楼",
            "contact_name": "刘敏",
            "public_phone": "0319-8160001",
            "opening_hours": "工作日 8:30—17:30",
            "services": "组织关系转接咨询、流动党员登记、党费收缴、政策咨询",
        },
    ),
    (
        "township",
        {
            "name": "城关镇党员服务点",
            "kind": Station.Kind.POINT,
            "region": "130500",
            "address": "城关镇便民服务中心二楼",
            "contact_name": "孙立",
            "public_phone": "0319-8160102",
            "opening_hours": "工作日 9:00—17:00",
            "services": "组织生活、就业信息、返乡创业指导",
        },
    ),
    (
        "county",
        {
            "name": "清河县驻东莞流动党员服务站",
            "kind": Station.Kind.STATION,
            "region": "441900",
            "address": "东莞市长安镇振安中路 101 号",
            "contact_name": "周强",
            "public_phone": "0769-85001234",
            "opening_hours": "每天 9:00—20:00（周日下午休息）",
            "services": "流入地组织生活、就业推荐、技能培训、权益维护",
        },
    ),
]

EAST = "驻东莞流动党员服务站"
HELP = [
    # (days ago, kind, station index or None, description, outcome, given by)
    (60, HelpRecord.Kind.JOBS, 2, "推荐到长安镇电子厂做质检员", "已上岗，签订一年劳动合同", EAST),
    (35, HelpRecord.Kind.TRAINING, 2, "参加流入地组织的电工技能培训", "取得低压电工操作证", EAST),
    (20, HelpRecord.Kind.RIGHTS, 2, "协助追讨被拖欠的三个月工资", "已通过劳动监察追回", EAST),
    (
        10,
        HelpRecord.Kind.RETURNEE,
        1,
        "返乡开办农产品网店，协调创业担保贷款",
        "",
        "城关镇党员服务点",
    ),
]


def seed_demo(
    *,
    county_admin: Any,
    secretary: Any,
    places: dict[str, Organization],
    today: dt.date,
) -> list[Station]:
    """Three stations and a few help records for members of the demo village."""
    stations = [
        create_station(
            actor=county_admin,
            org=places[where],
            values=values | {"contact_phone": f"1390319{i:04d}"},
        )
        for i, (where, values) in enumerate(STATIONS)
    ]
    members = list(
        Member.objects.in_party().filter(org=places["village"]).order_by("id")[: len(HELP)]
    )
    for member, (ago, kind, index, description, outcome, given_by) in zip(
        members, HELP, strict=False
    ):
        record_help(
            actor=secretary,
            member=member,
            values={
                "kind": kind,
                "date": today - dt.timedelta(days=ago),
                "station": stations[index] if index is not None else None,
                "description": description,
                "outcome": outcome,
                "given_by": given_by,
            },
        )
    return stations
