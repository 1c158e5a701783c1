"""所在单位: an organization's unit is chosen among the user's units, on the page and the API.

A user's units: those used in their write scope (by an organization or a member's 工作单位),
units nobody uses yet, and the organization's unit on record."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse

from dangjian.core.exceptions import DomainError
from dangjian.orgs.models import Organization, Unit
from dangjian.orgs.selectors import unit_choices
from dangjian.orgs.services import create_organization, get_or_create_unit, update_organization
from dangjian.testing import make_member


@pytest.fixture
def units(cast: Any) -> dict[str, Unit]:
    found = {
        "community": get_or_create_unit("东街社区", Unit.Category.COMMUNITY),
        "firm": get_or_create_unit("某五金厂", Unit.Category.PRIVATE_ENTERPRISE),
        "far": get_or_create_unit("远山村", Unit.Category.VILLAGE),
        "new": get_or_create_unit("新建园区", Unit.Category.OTHER),
    }
    Organization.objects.filter(pk=cast.branch.pk).update(unit=found["community"])
    Organization.objects.filter(pk=cast.far_branch.pk).update(unit=found["far"])
    make_member(cast.county_admin, cast.branch, name="钱工", work_unit_id=found["firm"].pk)
    return found


def _names(qs: Any) -> set[str]:
    return {u.name for u in qs}


def test_choices_are_units_used_in_scope_and_unclaimed_ones(cast: Any, units: Any) -> None:
    assert _names(unit_choices(cast.county_admin)) == {"东街社区", "某五金厂", "新建园区"}
    assert _names(unit_choices(cast.outsider)) == {"远山村", "新建园区"}
    assert _names(unit_choices(cast.member_user)) == {"新建园区"}  # no write scope


def test_edit_page_offers_only_the_users_units(cast: Any, units: Any) -> None:
    url = reverse("orgs:edit", args=[cast.other_branch.pk])
    form = cast.client(cast.county_admin).get(url).context["form"]
    assert _names(form.fields["unit"].queryset) == {"东街社区", "某五金厂", "新建园区"}


def test_outsider_cannot_set_our_unit_on_the_page(cast: Any, units: Any) -> None:
    org = cast.far_branch
    data = {"name": org.name, "code": org.code, "version": org.version}
    url = reverse("orgs:edit", args=[org.pk])
    response = cast.client(cast.outsider).post(url, data | {"unit": units["community"].pk})
    assert "unit" in response.context["form"].errors
    org.refresh_from_db()
    assert org.unit == units["far"]


def test_outsider_cannot_set_our_unit_through_the_api(cast: Any, units: Any) -> None:
    url = f"/api/orgs/{cast.far_branch.pk}/"
    body = {"unit": units["community"].pk}
    response = cast.client(cast.outsider).patch(url, body, content_type="application/json")
    assert response.status_code == 400 and "unit" in response.json()
    cast.far_branch.refresh_from_db()
    assert cast.far_branch.unit == units["far"]


def test_outsider_cannot_create_an_organization_in_our_unit(cast: Any, units: Any) -> None:
    body = {"parent_id": cast.far_county.pk, "kind": "branch", "name": "远山新支部"}
    body |= {"code": "200000000099", "unit": units["community"].pk}
    response = cast.client(cast.outsider).post("/api/orgs/", body, content_type="application/json")
    assert response.status_code == 400
    assert not Organization.objects.filter(code="200000000099").exists()


def test_the_service_refuses_a_unit_outside_scope(cast: Any, units: Any) -> None:
    with pytest.raises(DomainError, match="所选单位不存在或不在您的管理范围内"):
        update_organization(
            actor=cast.outsider,
            org=cast.far_branch,
            expected_version=cast.far_branch.version,
            values={"unit": units["firm"]},
        )


def test_admin_sets_an_unclaimed_unit_and_one_in_scope(cast: Any, units: Any) -> None:
    client = cast.client(cast.county_admin)
    url = f"/api/orgs/{cast.other_branch.pk}/"
    for key in ("new", "firm"):
        response = client.patch(url, {"unit": units[key].pk}, content_type="application/json")
        assert response.status_code == 200 and response.json()["unit"] == units[key].pk


def test_an_organization_keeps_its_unit_on_record(cast: Any, units: Any) -> None:
    """A unit set before the rule (or by the administrators) may stay when other fields change."""
    Organization.objects.filter(pk=cast.other_branch.pk).update(unit=units["far"])
    org = Organization.objects.get(pk=cast.other_branch.pk)
    body = {"name": "河口村第一党支部", "unit": units["far"].pk}
    response = cast.client(cast.county_admin).patch(
        f"/api/orgs/{org.pk}/", body, content_type="application/json"
    )
    assert response.status_code == 200


def test_creating_with_a_unit_in_scope_works(cast: Any, units: Any) -> None:
    org = create_organization(
        actor=cast.county_admin,
        parent=cast.township,
        kind="branch",
        values={"name": "五金厂党支部", "code": "100000000098", "unit": units["firm"]},
    )
    assert org.unit == units["firm"]
