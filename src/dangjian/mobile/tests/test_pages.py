from __future__ import annotations

import datetime as dt

from django.urls import reverse

from dangjian.conftest import Cast
from dangjian.core.dates import today
from dangjian.mobile.models import MobileStay
from dangjian.mobile.tests.conftest import register


def test_secretary_registers_from_the_member_page(cast: Cast) -> None:
    client = cast.client(cast.secretary)
    member_page = client.get(reverse("members:detail", args=[cast.member.pk])).content.decode()
    assert 'id="register-stay"' in member_page
    url = reverse("mobile:create", args=[cast.member.pk])
    assert client.get(url).status_code == 200
    response = client.post(url, {
        "start_on": str(today()), "region_code_0": "440000", "region_code_1": "440300",
        "address": "深圳市南山区",
        "reason": "work", "expected_months": "4", "destination_code": cast.far_branch.code,
    })  # fmt: skip
    stay = MobileStay.objects.get()
    assert response.status_code == 302 and response["Location"] == stay.get_absolute_url()
    assert stay.destination_org == cast.far_branch
    page = client.get(reverse("members:detail", args=[cast.member.pk])).content.decode()
    assert "外出中" in page and 'id="register-stay"' not in page


def test_bad_region_is_shown_on_the_field_and_nothing_saved(cast: Cast) -> None:
    client = cast.client(cast.secretary)
    url = reverse("mobile:create", args=[cast.member.pk])
    response = client.post(url, {
        "start_on": str(today()), "region_code_0": "440000", "region_code_1": "320100",
        "address": "x", "reason": "work", "expected_months": "4",
    })  # fmt: skip
    assert response.status_code == 400 and "不属于所选省份" in response.content.decode()
    assert not MobileStay.objects.exists()


def test_unknown_destination_code_is_refused(cast: Cast) -> None:
    client = cast.client(cast.secretary)
    url = reverse("mobile:create", args=[cast.member.pk])
    response = client.post(url, {
        "start_on": str(today()), "region_code_0": "440000", "address": "x", "reason": "work",
        "expected_months": "4", "destination_code": "nope",
    })  # fmt: skip
    assert response.status_code == 400 and "没有该组织代码" in response.content.decode()


def test_detail_contact_participation_return_pages(cast: Cast) -> None:
    stay = register(cast, start_on=today() - dt.timedelta(days=40))
    home, dest = cast.client(cast.secretary), cast.client(cast.outsider)
    page = home.get(stay.get_absolute_url()).content.decode()
    assert 'id="contact-form"' in page and 'id="participation-form"' not in page
    assert "广东省深圳市" in page and "440300" not in page  # names, never codes
    dest_page = dest.get(stay.get_absolute_url()).content.decode()
    assert 'id="participation-form"' in dest_page and 'id="contact-form"' not in dest_page
    assert "139****1111" in dest_page and "13900001111" not in dest_page
    r = home.post(reverse("mobile:contact", args=[stay.pk]), {"on": str(today()), "means": "phone"})
    assert r.status_code == 302
    r = dest.post(reverse("mobile:participation", args=[stay.pk]),
                  {"on": str(today()), "kind": "meeting"})  # fmt: skip
    assert r.status_code == 302
    r = dest.post(reverse("mobile:return", args=[stay.pk]), {"on": str(today()), "version": "2"})
    assert r.status_code == 403  # the destination side has no say on the return
    stay.refresh_from_db()
    r = home.post(reverse("mobile:return", args=[stay.pk]),
                  {"on": str(today()), "version": str(stay.version)})  # fmt: skip
    assert r.status_code == 302
    stay.refresh_from_db()
    assert stay.status == MobileStay.Status.RETURNED


def test_list_shows_outgoing_and_incoming(cast: Cast) -> None:
    register(cast)
    out = cast.client(cast.secretary).get(reverse("mobile:list")).content.decode()
    assert "李明" in out.split('id="incoming"')[0]
    into = cast.client(cast.outsider).get(reverse("mobile:list")).content.decode()
    assert "李明" in into.split('id="incoming"')[1]


def test_lost_contact_offers_the_suspension_procedure_never_automatic(cast: Cast) -> None:
    stay = register(cast, start_on=today() - dt.timedelta(days=400))
    page = cast.client(cast.secretary).get(stay.get_absolute_url()).content.decode()
    assert 'id="lost-contact"' in page and "不会自动处理" in page
    suspend = reverse("members:event-create", args=[cast.member.pk]) + "?kind=suspend"
    assert suspend in page
    assert 'id="transfer-proposed"' in page
    cast.member.refresh_from_db()
    assert cast.member.status == "active"


def test_permit_pdf_is_printed_and_audited(cast: Cast) -> None:
    from dangjian.audit.models import AuditEvent

    stay = register(cast, expected_months=3, permit_number="粤流 001",
                    permit_valid_until=today() + dt.timedelta(days=200))  # fmt: skip
    response = cast.client(cast.secretary).get(reverse("mobile:permit-pdf", args=[stay.pk]))
    assert response.status_code in (200, 503)
    if response.status_code == 200:
        assert response.content[:4] == b"%PDF"
        assert AuditEvent.objects.filter(action="mobile.print_permit").count() == 1
    assert (
        cast.client(cast.outsider).get(reverse("mobile:permit-pdf", args=[stay.pk])).status_code
        == 403
    )


def test_nav_link_for_those_who_see_members(cast: Cast) -> None:
    page = cast.client(cast.secretary).get(reverse("mobile:list")).content.decode()
    assert "流动党员" in page
    assert (
        "流动党员</a>" not in cast.client(cast.sysadmin).get(reverse("core:home")).content.decode()
    )
