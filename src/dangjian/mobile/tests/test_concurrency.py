"""Two registrations of one member at once: exactly one succeeds (PostgreSQL only: SQLite has
one writer at a time, so nothing there runs concurrently)."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import connection

from dangjian.accounts.scope import scope_for
from dangjian.conftest import Cast
from dangjian.core.exceptions import DomainError
from dangjian.mobile import services
from dangjian.mobile.models import MobileStay
from dangjian.mobile.tests.conftest import stay_data

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="needs PostgreSQL: concurrent registrations need concurrent writers",
    ),
]


def test_concurrent_registrations_of_one_member_leave_one_open_stay(cast: Cast) -> None:
    go = threading.Event()
    actors = [cast.secretary, cast.township_admin, cast.county_admin] * 3
    for actor in actors:
        scope_for(actor)

    def register(actor: object) -> str:
        go.wait()
        try:
            services.register_stay(actor=actor, member=cast.member, data=stay_data())
            return "ok"
        except DomainError as exc:
            return exc.message
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=len(actors)) as pool:
        futures = [pool.submit(register, a) for a in actors]
        go.set()
        results = [f.result(timeout=30) for f in futures]
    assert results.count("ok") == 1
    assert all("已有未结束的外出登记" in r for r in results if r != "ok")
    assert MobileStay.objects.filter(member=cast.member, status="open").count() == 1


def test_the_database_refuses_a_second_open_stay(cast: Cast) -> None:
    """The partial unique index holds even for a writer that skips the service's lock."""
    from django.db import IntegrityError, transaction

    stay = services.register_stay(actor=cast.secretary, member=cast.member, data=stay_data())
    with pytest.raises(IntegrityError), transaction.atomic():
        MobileStay.objects.create(
            member=cast.member, home_org=cast.branch, home_path=stay.home_path,
            region_code="440300", address="x", reason="work", expected_months=1,
            start_on=stay.start_on, contact_since=stay.start_on,
        )  # fmt: skip
