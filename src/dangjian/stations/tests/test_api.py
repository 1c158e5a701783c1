"""The stations API: the same scope, abilities and masks as the pages."""

from __future__ import annotations

import pytest
from django.urls import reverse

from dangjian.stations.models import HelpRecord, Station
from dangjian.stations.testing import make_help, make_station, station_values

pytestmark = pytest.mark.django_db


def test_station_is_created_and_listed_through_the_api(cast):
    client = cast.client(cast.secretary)
    response = client.post(reverse("station-list"), station_values() | {"org": cast.branch.pk},
                           content_type="application/json")  # fmt: skip
    assert response.status_code == 201, response.json()
    assert response.json()["region_name"] == "河北省邢台市"
    listed = client.get(reverse("station-list")).json()
    assert [s["name"] for s in listed["results"]] == ["东街社区党员服务站"]


def test_api_refuses_a_bad_region_with_the_field(cast):
    client = cast.client(cast.secretary)
    body = station_values(region="130534") | {"org": cast.branch.pk}
    response = client.post(reverse("station-list"), body, content_type="application/json")
    assert response.status_code == 400 and "region" in response.json()


def test_api_masks_the_contact_for_non_managers_and_hides_from_outsiders(cast):
    from django.contrib.auth import get_user_model

    from dangjian.accounts.models import Role
    from dangjian.accounts.services import grant_role

    station = make_station(cast.secretary, cast.branch)
    dangwei = get_user_model().objects.create_user("dangwei")
    grant_role(actor=None, user=dangwei, role=Role.PARTY_COMMITTEE, org=cast.township,
               bootstrap=True)  # fmt: skip
    url = reverse("station-detail", args=[station.pk])
    assert cast.client(dangwei).get(url).json()["contact_phone"] == "138****2222"
    assert cast.client(cast.secretary).get(url).json()["contact_phone"] == "13800002222"
    assert cast.client(cast.outsider).get(url).status_code == 404
    patch = cast.client(dangwei).patch(url, {"is_open": False}, content_type="application/json")
    assert patch.status_code == 403 and Station.objects.get().is_open


def test_stale_version_is_a_409(cast):
    station = make_station(cast.secretary, cast.branch)
    client = cast.client(cast.secretary)
    url = reverse("station-detail", args=[station.pk])
    ok = client.patch(url, {"version": 1, "is_open": False}, content_type="application/json")
    assert ok.status_code == 200
    stale = client.patch(url, {"version": 1, "is_open": True}, content_type="application/json")
    assert stale.status_code == 409


def test_help_record_through_the_api(cast):
    station = make_station(cast.secretary, cast.branch)
    client = cast.client(cast.secretary)
    body = {"member": cast.member.pk, "kind": "rights", "date": "2026-05-06",
            "station": station.pk, "description": "协助追讨欠薪", "given_by": "服务站"}  # fmt: skip
    response = client.post(reverse("station-help-list"), body, content_type="application/json")
    assert response.status_code == 201, response.json()
    assert response.json()["kind_label"] == "权益维护"
    listed = client.get(reverse("station-help-list"), {"member": cast.member.pk}).json()
    assert [h["description"] for h in listed["results"]] == ["协助追讨欠薪"]


def test_help_api_refuses_outsiders(cast):
    record = make_help(cast.secretary, cast.member)
    client = cast.client(cast.outsider)
    assert client.get(reverse("station-help-detail", args=[record.pk])).status_code == 404
    body = {"member": cast.member.pk, "kind": "jobs", "date": "2026-05-06",
            "description": "x", "given_by": "y"}  # fmt: skip
    assert client.post(reverse("station-help-list"), body,
                       content_type="application/json").status_code == 404  # fmt: skip
    assert HelpRecord.objects.count() == 1


def test_help_record_names_its_giving_organization_through_the_api(cast):
    client = cast.client(cast.secretary)
    body = {"member": cast.member.pk, "kind": "hardship", "date": "2026-05-06",
            "org": cast.branch.pk, "description": "走访慰问", "given_by": "支部书记"}  # fmt: skip
    response = client.post(reverse("station-help-list"), body, content_type="application/json")
    assert response.status_code == 201, response.json()
    assert response.json()["org_name"] == "东街社区党支部"
    body["org"] = cast.far_branch.pk  # an organization the secretary does not see
    response = client.post(reverse("station-help-list"), body, content_type="application/json")
    assert response.status_code == 404
