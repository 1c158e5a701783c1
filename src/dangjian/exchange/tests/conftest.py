"""Each test signs with a key of its own, in its own directory (never the developer's)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

import pytest

from dangjian.exchange import signing
from dangjian.exchange.services import IncomingLetterInput, LetterFacts
from dangjian.members.services import MemberData, TransferredMember
from dangjian.orgs.models import Organization
from dangjian.testing import make_id_number


@pytest.fixture(autouse=True)
def signing_key(settings: Any, tmp_path: Any) -> Iterator[Any]:
    settings.DANGJIAN_SIGNING_KEY_FILE = tmp_path / "keys" / "signing-ed25519.pem"
    settings.DANGJIAN_INSTALLATION_NAME = "清河县党建工作平台"
    signing.reset_key_cache()
    yield settings.DANGJIAN_SIGNING_KEY_FILE
    signing.reset_key_cache()


def person(
    name: str = "孙丽",
    *,
    gender: str = "F",
    birth: dt.date = dt.date(1992, 4, 8),
    id_number: str = "",
) -> MemberData:
    return MemberData(
        name=name,
        gender=gender,
        ethnicity="01",
        birth_date=birth,
        id_number=id_number or make_id_number(birth, gender, area="420102"),
        education="ba",
        person_category="prof",
        phone="13700001234",
    )


def incoming(
    org: Organization,
    *,
    who: MemberData | None = None,
    join: dt.date = dt.date(2016, 6, 1),
    full: dt.date | None = dt.date(2017, 6, 1),
    issue: dt.date = dt.date(2026, 10, 1),
    valid_until: dt.date = dt.date(2026, 12, 31),
    received_on: dt.date = dt.date(2026, 11, 2),
    serial: str = "鄂组字第 0456 号",
    extension_months: int | None = None,
) -> IncomingLetterInput:
    return IncomingLetterInput(
        serial=serial,
        from_org="中共武汉市江岸区某街道工作委员会",
        issue_date=issue,
        valid_until=valid_until,
        dues_paid_to="2026年10月",
        org=org,
        received_on=received_on,
        member=TransferredMember(
            person=who or person(),
            join_date=join,
            full_date=full,
            extension_months=extension_months,
        ),
    )


def facts(**overrides: Any) -> LetterFacts:
    values: dict[str, Any] = {
        "serial": "清组字第 0007 号",
        "from_org": "中共清河县委组织部",
        "to_org": "远山村党支部",
        "issue_date": dt.date(2026, 11, 1),
        "valid_until": dt.date(2027, 1, 31),
        "dues_paid_to": "2026年10月",
    }
    return LetterFacts(**{**values, **overrides})
