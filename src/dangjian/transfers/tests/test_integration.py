"""Transfers with the other parts of issue 13: arrival ends an open 流动 stay; a letter to
another system carries a signed 转接数据包 whose link is its QR code."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone

from dangjian.core.exceptions import DomainError
from dangjian.exchange import signing
from dangjian.mobile import services as mobile
from dangjian.mobile.models import MobileStay
from dangjian.transfers import services


@pytest.fixture(autouse=True)
def signing_key(settings: Any, tmp_path: Any) -> Any:
    settings.DANGJIAN_SIGNING_KEY_FILE = tmp_path / "keys" / "signing-ed25519.pem"
    signing.reset_key_cache()
    yield
    signing.reset_key_cache()


def _stay(tw):
    start = timezone.localdate() - dt.timedelta(days=30)
    data = mobile.StayData(region_code="440300", address="广东省深圳市南山区", reason="work",
                           expected_months=12, start_on=start,
                           destination_org=tw.far_branch)  # fmt: skip
    return mobile.register_stay(actor=tw.secretary, member=tw.member, data=data)


def test_arrival_closes_the_members_open_mobile_stay_in_the_same_step(tw):
    stay = _stay(tw)
    t = services.start_transfer(actor=tw.secretary, member=tw.member, to_org=tw.far_branch,
                                reason="在流入地定居")  # fmt: skip
    services.issue_letter(actor=tw.approver, transfer=t)
    services.confirm_arrival(actor=tw.far_secretary, transfer=t)
    stay.refresh_from_db()
    assert stay.status == MobileStay.Status.TRANSFERRED


def test_a_returned_letter_leaves_the_mobile_stay_open(tw):
    stay = _stay(tw)
    t = services.start_transfer(actor=tw.secretary, member=tw.member, to_org=tw.far_branch,
                                reason="在流入地定居")  # fmt: skip
    services.issue_letter(actor=tw.approver, transfer=t)
    services.return_letter(actor=tw.far_secretary, transfer=t, reason="材料不全")
    stay.refresh_from_db()
    assert stay.status == MobileStay.Status.OPEN


def _external(tw):
    t = services.start_transfer(actor=tw.secretary, member=tw.member,
                                to_org_text="中共某省某县某村支部", reason="迁居外省")  # fmt: skip
    return services.issue_letter(actor=tw.approver, transfer=t)


def test_a_letter_to_another_system_gets_a_signed_packet_once(tw):
    t = _external(tw)
    page = tw.client(tw.secretary)
    detail = page.get(reverse("transfers:detail", args=[t.pk])).content.decode()
    assert 'id="make-packet"' in detail
    page.post(reverse("transfers:packet", args=[t.pk]))
    t.refresh_from_db()
    assert t.packet is not None and t.packet.serial == t.serial
    path = services.packet_path(t)
    assert path is not None
    detail = page.get(reverse("transfers:detail", args=[t.pk])).content.decode()
    assert path in detail and "<svg" in detail
    with pytest.raises(DomainError, match="已生成"):
        services.make_packet(actor=tw.secretary, transfer=t)
    assert page.get(path).status_code == 200  # the capability link works without more
    letter = page.get(reverse("transfers:letter", args=[t.pk]))
    assert letter.status_code == 200


def test_withdrawing_the_letter_stops_its_packet(tw):
    t = services.make_packet(actor=tw.secretary, transfer=_external(tw))
    services.withdraw_transfer(actor=tw.secretary, transfer=t, reason="不走了")
    t.refresh_from_db()
    assert t.packet.withdrawn_at is not None and services.packet_path(t) is None


def test_no_packet_for_a_letter_inside_this_installation_nor_for_the_committee(tw):
    t = services.start_transfer(actor=tw.secretary, member=tw.member, to_org=tw.far_branch,
                                reason="工作调动")  # fmt: skip
    services.issue_letter(actor=tw.approver, transfer=t)
    with pytest.raises(DomainError, match="其他系统"):
        services.make_packet(actor=tw.secretary, transfer=t)
    with pytest.raises(DomainError, match="转出方"):
        services.make_packet(actor=tw.approver, transfer=_external_for(tw))


def _external_for(tw):
    t = services.start_transfer(actor=tw.county_admin, member=tw.neighbour,
                                to_org_text="中共某省某县某村支部", reason="迁居外省")  # fmt: skip
    return t


def test_the_api_makes_the_packet_and_shows_its_link_to_the_sender_side(tw):
    t = _external(tw)
    assert tw.client(tw.far_secretary).post(f"/api/transfers/{t.pk}/packet/").status_code == 404
    assert tw.client(tw.approver).post(f"/api/transfers/{t.pk}/packet/").status_code == 403
    made = tw.client(tw.secretary).post(f"/api/transfers/{t.pk}/packet/").json()
    assert made["packet_url"].startswith("http://testserver/exchange/p/")
    again = tw.client(tw.secretary).post(f"/api/transfers/{t.pk}/packet/")
    assert again.status_code == 400 and "已生成" in again.content.decode()
