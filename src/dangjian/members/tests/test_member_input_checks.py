"""The registration and update services check their own input, so the API cannot store what
the page refuses (a phone ``abc<script>``, a code outside a list, an over-long text)."""

import datetime as dt

import pytest
from django.urls import reverse

from dangjian.core.exceptions import DomainError
from dangjian.members.models import Member
from dangjian.members.services import update_member
from dangjian.members.tests.test_api import api, new_member_payload
from dangjian.members.tests.test_pages import form_data


def test_api_registration_refuses_a_bad_phone_naming_the_field(cast):
    payload = new_member_payload(cast, phone="abc<script>")
    response = api(cast.county_admin).post(reverse("member-list"), payload, format="json")
    body = response.json()
    assert response.status_code == 400 and body["field"] == "phone"
    assert body["detail"] == "联系电话只能包含数字、“-”和开头的“+”（5 至 20 位）。"
    assert not Member.objects.filter(name="陈静").exists()


def test_api_update_refuses_a_bad_phone_naming_the_field(cast):
    response = api(cast.county_admin).patch(
        reverse("member-detail", args=[cast.member.pk]),
        {"version": cast.member.version, "phone": "abc<script>"},
        format="json",
    )
    assert response.status_code == 400 and "联系电话" in str(response.json())
    cast.member.refresh_from_db()
    assert cast.member.phone == "13900001111"


def test_api_refuses_non_ascii_digits_in_a_phone(cast):
    payload = new_member_payload(cast, phone="١٣٨١٢٣٤٥٦٧٨")  # Arabic-Indic digits match \d
    response = api(cast.county_admin).post(reverse("member-list"), payload, format="json")
    assert response.status_code == 400 and "联系电话" in str(response.json())


def test_page_refuses_the_same_phone_with_the_same_message(cast):
    response = cast.client(cast.secretary).post(
        reverse("members:create"), form_data(cast, phone="abc<script>")
    )
    assert "联系电话只能包含数字" in response.content.decode()


def test_service_refuses_an_over_long_native_place_naming_the_field(cast):
    with pytest.raises(DomainError, match="籍贯不能超过 50 个字") as refused:
        update_member(
            actor=cast.county_admin,
            member=cast.member,
            expected_version=cast.member.version,
            changes={"native_place": "籍" * 51},
        )
    assert refused.value.field == "native_place"


def test_service_refuses_a_code_outside_the_list(cast):
    with pytest.raises(DomainError, match="学历「xx」不是可选的值") as refused:
        update_member(
            actor=cast.county_admin,
            member=cast.member,
            expected_version=cast.member.version,
            changes={"education": "xx"},
        )
    assert refused.value.field == "education"


def test_api_registration_keeps_the_counterpart_of_a_transfer_in(cast):
    payload = new_member_payload(cast, transferred_in_on="2019-03-01", counterpart="外省某党支部")
    response = api(cast.county_admin).post(reverse("member-list"), payload, format="json")
    assert response.status_code == 201, response.json()
    transfer = Member.objects.get(pk=response.json()["id"]).events.get(kind="in")
    assert transfer.counterpart == "外省某党支部"
    assert transfer.join_date == dt.date(2016, 7, 1)
