"""The information view's counts equal a recount of the stays one by one."""

from __future__ import annotations

import datetime as dt
import random

from django.urls import reverse

from dangjian.conftest import Cast
from dangjian.core.dates import today
from dangjian.members.models import Member
from dangjian.mobile import services
from dangjian.mobile.models import MobileStay
from dangjian.mobile.selectors import Limits, flags, information, information_list
from dangjian.mobile.tests.conftest import stay_data
from dangjian.testing import make_member

REGIONS = ["440300", "440100", "320100", "110000", "330100"]


def _population(cast: Cast, n: int = 24) -> list[MobileStay]:
    rng = random.Random(13)
    orgs = [cast.branch, cast.other_branch]
    stays = []
    for i in range(n):
        member = make_member(cast.county_admin, orgs[i % 2], name=f"党员{i}")
        start = today() - dt.timedelta(days=rng.randint(0, 400))
        stay = services.register_stay(
            actor=cast.county_admin,
            member=member,
            data=stay_data(
                region_code=rng.choice(REGIONS), start_on=start,
                destination_org=cast.far_branch if i % 3 else None,
                destination_text="" if i % 3 else "某商会党支部",
            ),
        )  # fmt: skip
        if i % 4 == 0:
            on = start + dt.timedelta(days=rng.randint(0, (today() - start).days))
            services.record_contact(actor=cast.county_admin, stay=stay, on=on, means="phone")
        if i % 7 == 0:
            services.end_stay(actor=cast.county_admin, stay=stay, on=today(), version=stay.version)
        stays.append(stay)
    return stays


def _recount(org_path: str, on: dt.date, region: str = "") -> dict[str, int]:
    limits = Limits.on(on)
    counts = {"total": 0, "overdue": 0, "lost": 0, "transfer": 0}
    for stay in MobileStay.objects.all():
        if stay.status != "open" or not stay.home_path.startswith(org_path):
            continue
        if not stay.region_code.startswith(region):
            continue
        f = flags(stay, limits)
        counts["total"] += 1
        counts["overdue"] += f.overdue
        counts["lost"] += f.lost
        counts["transfer"] += f.transfer_proposed
    return counts


def test_counts_equal_a_recount_for_every_subtree_and_date(cast: Cast) -> None:
    _population(cast)
    for org in (cast.county, cast.township, cast.branch, cast.other_branch, cast.far_county):
        for on in (today(), today() + dt.timedelta(days=100), today() + dt.timedelta(days=200)):
            for region in ("", "44", "440300"):
                info = information(org, on, region)
                got = {"total": info.total, "overdue": info.overdue, "lost": info.lost,
                       "transfer": info.transfer}  # fmt: skip
                assert got == _recount(org.path, on, region), (org.name, on, region)
                assert sum(n for _, n in info.attended) == info.total
                assert information_list(org, info.limits, region=region).count() == info.total
                lost = information_list(org, info.limits, region=region, which="lost").count()
                assert lost == info.lost


def test_regions_group_by_province_then_city(cast: Cast) -> None:
    _population(cast)
    top = information(cast.county, today())
    assert {r.code for r in top.regions} <= {"44", "32", "11", "33"}
    gd = information(cast.county, today(), "44")
    assert {r.code for r in gd.regions} <= {"440300", "440100"}
    assert sum(r.total for r in gd.regions) == next(r.total for r in top.regions if r.code == "44")


def test_information_page_and_export(cast: Cast) -> None:
    _population(cast, 8)
    client = cast.client(cast.county_admin)
    page = client.get(reverse("mobile:information"))
    assert page.status_code == 200
    assert "流动党员信息管理" in page.content.decode()
    response = client.get(reverse("mobile:information-export") + "?which=all")
    assert response.status_code == 200 and response.content[:2] == b"PK"
    from dangjian.audit.models import AuditEvent

    assert AuditEvent.objects.filter(action="mobile.export_information").count() == 1


def test_export_masks_phones(cast: Cast) -> None:
    import io

    from openpyxl import load_workbook

    _population(cast, 3)
    body = services.export_information(actor=cast.county_admin, org=cast.county, on=today())
    rows = list(load_workbook(io.BytesIO(body)).active.iter_rows(values_only=True))
    assert len(rows) == 1 + MobileStay.objects.filter(status="open").count()
    assert all("13900001111" not in str(r) for r in rows)
    assert any("139****1111" in str(r) for r in rows[1:])


def test_information_ignores_members_elsewhere(cast: Cast) -> None:
    _population(cast, 6)
    assert information(cast.far_county, today()).total == 0
    assert Member.objects.count() > 6


def test_information_page_queries_do_not_grow_with_the_stays(cast: Cast) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = cast.client(cast.county_admin)
    url = reverse("mobile:information") + f"?org={cast.county.pk}"
    _population(cast, 4)
    client.get(url)  # warm: session, scope
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    _population(cast, 12)
    with CaptureQueriesContext(connection) as many:
        client.get(url)
    assert len(many.captured_queries) == len(few.captured_queries)
