"""The same packet imported twice at the same moment: exactly one import succeeds (PostgreSQL
only: SQLite has one writer at a time, so nothing there runs concurrently)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection

from dangjian.accounts.scope import scope_for
from dangjian.conftest import Cast
from dangjian.core.exceptions import DomainError
from dangjian.exchange import signing
from dangjian.exchange.models import ImportedPacket, IncomingLetter
from dangjian.exchange.services import (
    export_packet,
    import_packet,
    packet_file,
    parse_packet,
    signed_file,
    trust_installation,
)
from dangjian.exchange.tests.conftest import facts
from dangjian.members.models import Member
from dangjian.testing import make_id_number
from dangjian.votes.tests.test_concurrency import in_threads

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="needs PostgreSQL: concurrent imports need concurrent writers (SQLite has one)",
    ),
]


def test_simultaneous_imports_of_one_packet_register_one_member(cast: Cast) -> None:
    payload, _ = parse_packet(
        packet_file(export_packet(actor=cast.county_admin, member=cast.neighbour, letter=facts()))
    )
    payload["member"].update(
        name="吴磊", gender="M", id_number=make_id_number(dt.date(1990, 5, 2), "M", area="330106")
    )
    data = signed_file(payload)  # a person unknown here, as from another installation
    trust_installation(actor=cast.secadmin, name="本系统", public_key=signing.own_public_key())
    scope_for(cast.outsider)

    def task() -> str:
        try:
            import_packet(
                actor=cast.outsider,
                data=data,
                org=cast.far_branch,
                received_on=dt.date(2026, 11, 20),
            )
        except DomainError as exc:
            return exc.message
        return "ok"

    results = in_threads([task] * 6, workers=6)
    assert results.count("ok") == 1, results
    assert Member.objects.filter(name="吴磊").count() == 1
    assert ImportedPacket.objects.count() == 1 and IncomingLetter.objects.count() == 1
