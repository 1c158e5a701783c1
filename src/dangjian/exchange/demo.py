"""Demo records of 跨系统转接: a member who had moved to another province coming back on a
paper letter (his old record restored), a letter returned, a packet signed for a member leaving
for another county's system, and one trusted installation — all through the real services."""

from __future__ import annotations

import base64
import datetime as dt
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from stdnum.cn import ric

from dangjian.exchange import signing
from dangjian.exchange.models import ExportedPacket, IncomingLetter
from dangjian.exchange.services import (
    IncomingLetterInput,
    LetterFacts,
    export_packet,
    receive_letter,
    return_letter,
    trust_installation,
)
from dangjian.members.choices import MemberStatus
from dangjian.members.models import Member, MemberEvent
from dangjian.members.services import MemberData, TransferredMember
from dangjian.orgs.models import Organization


def _id_number(area: str, birth: dt.date, sequence: str) -> str:
    body = f"{area}{birth:%Y%m%d}{sequence}"
    return body + ric.calc_check_digit(body + "0")


def _person(name: str, gender: str, birth: dt.date, area: str) -> MemberData:
    return MemberData(
        name=name,
        gender=gender,
        ethnicity="01",
        birth_date=birth,
        id_number=_id_number(area, birth, "031" if gender == "M" else "042"),
        education="co",
        person_category="worker",
        work_unit_post="清河县某食品有限公司 车间主任",
        phone="13903190888",
    )


def seed_demo(
    *,
    county_admin: Any,
    secretary: Any,
    places: dict[str, Organization],
    today: dt.date,
) -> tuple[list[IncomingLetter], list[ExportedPacket]]:
    village = places["village"]
    issued = today - dt.timedelta(days=20)
    letters = []
    # A member who moved away earlier comes back: matched by ID number, his record restored.
    away = (
        MemberEvent.objects.filter(
            kind=MemberEvent.Kind.TRANSFER_OUT,
            voided_at__isnull=True,
            member__status=MemberStatus.TRANSFERRED_OUT,
            effective_date__lt=today - dt.timedelta(days=60),
        )
        .select_related("member")
        .order_by("member_id")
        .first()
    )
    if away is not None:
        m = away.member
        person = MemberData(
            name=m.name,
            gender=m.gender,
            ethnicity=m.ethnicity,
            birth_date=m.birth_date,
            id_number=m.reveal_id_number(),
            education=m.education,
            person_category=m.person_category,
            native_place=m.native_place,
            work_unit_post="清河县某食品有限公司 车间主任",
            phone=m.phone,
            work_unit_id=village.unit_id,
        )
        assert m.join_date is not None
        letters.append(
            receive_letter(
                actor=secretary,
                letter=IncomingLetterInput(
                    serial="豫组字第 0318 号",
                    from_org="中共郑州市金水区某街道工作委员会",
                    issue_date=issued,
                    valid_until=issued + dt.timedelta(days=90),
                    dues_paid_to=f"{issued:%Y}年{issued.month}月",
                    org=village,
                    received_on=today - dt.timedelta(days=6),
                    member=TransferredMember(
                        person=person,
                        join_date=m.join_date,
                        full_date=m.full_date if m.category == "full" else None,
                    ),
                ),
            )
        )
    returned = return_letter(
        actor=secretary,
        letter=IncomingLetterInput(
            serial="鲁组字第 1102 号",
            from_org="中共济南市历下区某社区委员会",
            issue_date=issued,
            valid_until=issued + dt.timedelta(days=90),
            org=village,
            received_on=today - dt.timedelta(days=3),
            member=TransferredMember(
                person=_person("马涛", "M", dt.date(1987, 1, 23), "370102"),
                join_date=dt.date(2012, 7, 1),
                full_date=dt.date(2013, 7, 1),
            ),
        ),
        reason="介绍信抬头为城关镇某社区党支部，不是本支部，请开具单位更正后重新开具",
    )
    neighbour_key = Ed25519PrivateKey.generate().public_key()
    trust_installation(
        actor=None,
        name="邻县党建工作平台（示例）",
        public_key=base64.b64encode(signing.public_key_bytes(neighbour_key)).decode(),
        note="演示数据：电话核对指纹后添加",
    )
    leaving = (
        Member.objects.in_party()
        .filter(org=village, user__isnull=True, category="full")
        .order_by("-id")
        .first()
    )
    packets = []
    if leaving is not None:
        packets.append(
            export_packet(
                actor=county_admin,
                member=leaving,
                letter=LetterFacts(
                    serial=f"清组字第 {today:%y}07 号",
                    from_org="中共清河县委组织部",
                    to_org="中共邻县某镇委员会",
                    issue_date=today,
                    valid_until=today + dt.timedelta(days=90),
                    dues_paid_to=f"{today:%Y}年{today.month}月",
                ),
            )
        )
    return [*letters, returned], packets
