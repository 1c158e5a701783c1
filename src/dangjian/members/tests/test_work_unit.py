"""工作单位: chosen on the member forms and through the API, only among the user's units."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse

from dangjian.audit.models import AuditEvent
from dangjian.members.models import Member
from dangjian.members.tests.test_api import api, new_member_payload
from dangjian.members.tests.test_pages import form_data
from dangjian.orgs.models import Organization, Unit
from dangjian.orgs.services import get_or_create_unit
from dangjian.testing import make_member


@pytest.fixture
def units(cast: Any) -> dict[str, Unit]:
    """东街社区 (the branch's unit), 某五金厂 (a firm where a branch member works, no
    organization), 河口村 (the other township's branch) and 远山村 (the other county's)."""
    found = {
        "community": get_or_create_unit("东街社区", Unit.Category.COMMUNITY),
        "firm": get_or_create_unit("某五金厂", Unit.Category.PRIVATE_ENTERPRISE),
        "village": get_or_create_unit("河口村", Unit.Category.VILLAGE),
        "far": get_or_create_unit("远山村", Unit.Category.VILLAGE),
    }
    Organization.objects.filter(pk=cast.branch.pk).update(unit=found["community"])
    Organization.objects.filter(pk=cast.other_branch.pk).update(unit=found["village"])
    Organization.objects.filter(pk=cast.far_branch.pk).update(unit=found["far"])
    make_member(cast.county_admin, cast.branch, name="钱工", work_unit_id=found["firm"].pk)
    return found


def test_create_form_offers_the_units_of_the_users_scope_by_name(cast: Any, units: Any) -> None:
    form = cast.client(cast.secretary).get(reverse("members:create")).context["form"]
    assert [u.name for u in form.fields["work_unit"].queryset] == ["东街社区", "某五金厂"]
    county = cast.client(cast.county_admin).get(reverse("members:create")).context["form"]
    assert [u.name for u in county.fields["work_unit"].queryset] == [
        "东街社区",
        "某五金厂",
        "河口村",
    ]


def test_create_form_records_the_work_unit(cast: Any, units: Any) -> None:
    data = form_data(cast, work_unit=units["firm"].pk)
    assert cast.client(cast.secretary).post(reverse("members:create"), data).status_code == 302
    assert Member.objects.get(name="孙丽").work_unit == units["firm"]
    refused = form_data(cast, name="孙强", work_unit=units["village"].pk)
    response = cast.client(cast.secretary).post(reverse("members:create"), refused)
    assert "work_unit" in response.context["form"].errors
    assert not Member.objects.filter(name="孙强").exists()


def test_edit_form_changes_the_work_unit_and_audits_it(cast: Any, units: Any) -> None:
    client = cast.client(cast.secretary)
    form = client.get(reverse("members:edit", args=[cast.member.pk])).context["form"]
    data = {**form.initial, "birth_date": "1985-03-14", "work_unit": units["community"].pk}
    assert client.post(reverse("members:edit", args=[cast.member.pk]), data).status_code == 302
    cast.member.refresh_from_db()
    assert cast.member.work_unit == units["community"]
    entry = AuditEvent.objects.get(action="members.update_member")
    assert entry.detail == {
        "before": {"work_unit_id": None},
        "after": {"work_unit_id": units["community"].pk},
    }


def test_api_sets_the_work_unit_on_create_and_edit(cast: Any, units: Any) -> None:
    client = api(cast.secretary)
    payload = new_member_payload(cast, work_unit=units["firm"].pk)
    created = client.post(reverse("member-list"), payload, format="json").json()
    assert created["work_unit"] == units["firm"].pk and created["work_unit_name"] == "某五金厂"
    url = reverse("member-detail", args=[created["id"]])
    patch = {"version": created["version"], "work_unit": units["community"].pk}
    assert client.patch(url, patch, format="json").json()["work_unit_name"] == "东街社区"
    cleared = client.patch(
        url, {"version": created["version"] + 1, "work_unit": None}, format="json"
    )
    assert cleared.json()["work_unit"] is None


def test_api_refuses_a_unit_outside_the_users_scope(cast: Any, units: Any) -> None:
    url = reverse("member-detail", args=[cast.member.pk])
    response = api(cast.secretary).patch(
        url, {"version": 1, "work_unit": units["far"].pk}, format="json"
    )
    assert response.status_code == 400 and response.json()["field"] == "work_unit"
    payload = new_member_payload(cast, work_unit=units["village"].pk)
    assert (
        api(cast.secretary).post(reverse("member-list"), payload, format="json").status_code == 400
    )
    cast.member.refresh_from_db()
    assert cast.member.work_unit is None and cast.member.version == 1
