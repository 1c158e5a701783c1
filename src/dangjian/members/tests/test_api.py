"""The API writes through the same services and refuses the same things as the pages."""

import datetime as dt

from django.urls import reverse
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from dangjian.testing import make_id_number


def api(user):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.get_or_create(user=user)[0].key}")
    return client


def new_member_payload(cast, **overrides):
    birth = dt.date(1992, 8, 8)
    return {
        "name": "陈静",
        "gender": "F",
        "ethnicity": "01",
        "birth_date": birth.isoformat(),
        "id_number": make_id_number(birth, "F"),
        "education": "ba",
        "person_category": "prof",
        "org": cast.branch.pk,
        "join_date": "2016-07-01",
        "full_date": "2017-07-01",
        **overrides,
    }


def test_secretary_registers_member_with_token(cast):
    response = api(cast.secretary).post(
        reverse("member-list"), new_member_payload(cast), format="json"
    )
    assert response.status_code == 201, response.json()
    assert response.json()["id_number"].count("*") == 10


def test_api_reports_id_errors_in_chinese_with_the_field(cast):
    payload = new_member_payload(cast, id_number="110105199208081")
    response = api(cast.secretary).post(reverse("member-list"), payload, format="json")
    assert response.status_code == 400
    assert response.json() == {
        "detail": "这是 15 位旧身份证号码，请填写现行的 18 位公民身份号码。",
        "field": "id_number",
    }


def test_api_refuses_registration_outside_scope(cast):
    payload = new_member_payload(cast, org=cast.other_branch.pk)
    assert api(cast.secretary).post(reverse("member-list"), payload, format="json").status_code in (
        403,
        404,
    )


def test_api_records_backdated_event_and_roster_reflects_it(cast):
    url = reverse("member-events", args=[cast.member.pk])
    response = api(cast.county_admin).post(
        url,
        {"kind": "move", "effective_date": "2020-01-01", "org": cast.other_branch.pk},
        format="json",
    )
    assert response.status_code == 201, response.json()
    roster = (
        api(cast.county_admin)
        .get(reverse("org-roster", args=[cast.branch.pk]), {"on": "2019-06-30"})
        .json()
    )
    assert [r["name"] for r in roster] == ["李明"]


def test_api_edit_with_stale_version_is_a_conflict(cast):
    url = reverse("member-detail", args=[cast.member.pk])
    client = api(cast.secretary)
    assert (
        client.patch(url, {"version": 1, "native_place": "济南"}, format="json").status_code == 200
    )
    stale = client.patch(url, {"version": 1, "native_place": "青岛"}, format="json")
    assert stale.status_code == 409
    assert "已被他人修改" in stale.json()["detail"]


def test_member_search_by_pinyin_initials_and_id_tail(cast):
    client = api(cast.county_admin)
    assert [
        m["name"] for m in client.get(reverse("member-list"), {"q": "lm"}).json()["results"]
    ] == ["李明"]
    tail = cast.neighbour.id_masked[-4:]
    names = [m["name"] for m in client.get(reverse("member-list"), {"q": tail}).json()["results"]]
    assert "王芳" in names


def test_openapi_schema_is_served(cast):
    response = cast.client(cast.township_admin).get(reverse("api-schema"), {"format": "json"})
    assert response.status_code == 200
    paths = response.json()["paths"]
    assert "/api/members/{id}/reveal/" in paths and "/api/orgs/{id}/roster/" in paths
