"""Both sides see a stay; one outside both sees nothing (pages and API)."""

from __future__ import annotations

from typing import Any

from django.urls import reverse

from dangjian.conftest import Cast
from dangjian.mobile.models import MobileStay
from dangjian.mobile.selectors import side_of, stays_visible_to


def test_home_and_destination_both_see_the_stay(cast: Cast, stay: MobileStay) -> None:
    assert list(stays_visible_to(cast.secretary)) == [stay]
    assert list(stays_visible_to(cast.county_admin)) == [stay]
    assert list(stays_visible_to(cast.outsider)) == [stay]
    assert side_of(cast.secretary, stay) == "home"
    assert side_of(cast.outsider, stay) == "destination"
    assert side_of(cast.member_user, stay) == "own"


def test_one_outside_both_sides_sees_nothing(cast: Cast, stay: MobileStay, neither: Any) -> None:
    assert not stays_visible_to(neither).exists()
    assert side_of(neither, stay) is None
    client = cast.client(neither)
    assert client.get(reverse("mobile:detail", args=[stay.pk])).status_code == 404
    assert stay.member.name not in client.get(reverse("mobile:list")).content.decode()
    assert client.get(f"/api/mobile/stays/{stay.pk}/").status_code == 404
    assert client.get("/api/mobile/stays/").json()["count"] == 0
    assert client.get(reverse("mobile:permit-pdf", args=[stay.pk])).status_code == 404
    body = client.get("/api/mobile/information/").json()
    assert body["total"] == 0


def test_outside_both_cannot_post(cast: Cast, stay: MobileStay, neither: Any) -> None:
    client = cast.client(neither)
    for name in ("contact", "participation", "return", "permit"):
        assert client.post(reverse(f"mobile:{name}", args=[stay.pk]), {}).status_code == 404
    assert client.post(f"/api/mobile/stays/{stay.pk}/contacts/", {}).status_code == 404


def test_destination_cannot_record_contacts_by_api(cast: Cast, stay: MobileStay) -> None:
    client = cast.client(cast.outsider)
    response = client.post(
        f"/api/mobile/stays/{stay.pk}/contacts/", {"on": str(stay.start_on), "means": "phone"}
    )
    assert response.status_code == 403 and "流出地" in response.json()["detail"]


def test_destination_information_view_does_not_count_incoming(cast: Cast, stay: MobileStay) -> None:
    """The information view counts members out of a subtree (the home side's register)."""
    body = cast.client(cast.outsider).get("/api/mobile/information/").json()
    assert body["total"] == 0
    assert cast.client(cast.county_admin).get("/api/mobile/information/").json()["total"] == 1


def test_member_sees_own_stay_but_no_information_view(cast: Cast, stay: MobileStay) -> None:
    client = cast.client(cast.member_user)
    assert client.get(reverse("mobile:detail", args=[stay.pk])).status_code == 200
    assert client.get(reverse("mobile:information")).status_code == 403


def test_registering_for_a_member_outside_scope_is_404(cast: Cast) -> None:
    client = cast.client(cast.outsider)
    url = reverse("mobile:create", args=[cast.member.pk])
    assert client.get(url).status_code == 404


def test_destination_may_record_help_for_incoming_members(cast: Cast, stay: MobileStay) -> None:
    from dangjian.stations.selectors import helpable_members

    assert cast.member in helpable_members(cast.outsider)
    page = cast.client(cast.outsider).get(reverse("mobile:detail", args=[stay.pk])).content
    assert "登记帮扶" in page.decode()


def test_returned_members_are_no_longer_helpable_at_the_destination(
    cast: Cast, stay: MobileStay
) -> None:
    from dangjian.core.dates import today
    from dangjian.mobile.services import end_stay
    from dangjian.stations.selectors import helpable_members

    end_stay(actor=cast.secretary, stay=stay, on=today(), version=stay.version)
    assert cast.member not in helpable_members(cast.outsider)
