from __future__ import annotations

from dangjian.conftest import Cast
from dangjian.core.dates import today
from dangjian.mobile.models import MobileStay


def test_register_contact_and_return_by_api(cast: Cast) -> None:
    client = cast.client(cast.secretary)
    response = client.post("/api/mobile/stays/", {
        "member": cast.member.pk, "start_on": str(today()), "region_code": "440300",
        "address": "深圳市南山区", "reason": "work", "expected_months": 5,
        "destination_org": cast.far_branch.pk, "phone": "13900001111",
    }, content_type="application/json")  # fmt: skip
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["phone"] == "139****1111" and body["side"] == "home"
    pk = body["id"]
    r = client.post(f"/api/mobile/stays/{pk}/contacts/", {"on": str(today()), "means": "phone"})
    assert r.status_code == 201
    again = client.post("/api/mobile/stays/", {
        "member": cast.member.pk, "start_on": str(today()), "region_code": "440300",
        "address": "x", "reason": "work", "expected_months": 5,
    }, content_type="application/json")  # fmt: skip
    assert again.status_code == 400 and "未结束" in again.json()["detail"]
    version = MobileStay.objects.get(pk=pk).version
    r = client.post(f"/api/mobile/stays/{pk}/return/", {"on": str(today()), "version": version})
    assert r.status_code == 200 and r.json()["status"] == "returned"


def test_outsider_cannot_register_by_api(cast: Cast) -> None:
    response = cast.client(cast.outsider).post("/api/mobile/stays/", {
        "member": cast.member.pk, "start_on": str(today()), "region_code": "440300",
        "address": "x", "reason": "work", "expected_months": 5,
    }, content_type="application/json")  # fmt: skip
    assert response.status_code == 404
    assert not MobileStay.objects.exists()


def test_information_api_counts(cast: Cast) -> None:
    from dangjian.mobile.tests.conftest import register

    register(cast)
    body = (
        cast.client(cast.county_admin)
        .get(f"/api/mobile/information/?org={cast.township.pk}")
        .json()
    )
    assert body["total"] == 1 and body["regions"][0]["code"] == "44"
    assert body["results"][0]["member_name"] == "李明"
    assert (
        cast.client(cast.outsider)
        .get(f"/api/mobile/information/?org={cast.township.pk}")
        .status_code
        == 404
    )
