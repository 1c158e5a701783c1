"""ID numbers and phones are masked in lists, exports and the API; unmasking is logged."""

import io

from django.urls import reverse
from openpyxl import load_workbook

from dangjian.audit.models import AuditEvent
from dangjian.members.export import neutralize


def full_id(cast):
    return cast.member.reveal_id_number()


def test_list_page_shows_masked_values_only(cast):
    body = cast.client(cast.county_admin).get(reverse("members:list")).content.decode()
    assert cast.member.id_masked in body
    assert full_id(cast) not in body
    assert "13900001111" not in body and "139****1111" in body


def test_api_shows_masked_values_only(cast):
    data = (
        cast.client(cast.county_admin).get(reverse("member-detail", args=[cast.member.pk])).json()
    )
    assert data["id_number"] == cast.member.id_masked
    assert data["phone"] == "139****1111"


def test_export_is_masked_by_default_and_logged(cast):
    response = cast.client(cast.county_admin).get(reverse("members:export"))
    rows = list(load_workbook(io.BytesIO(response.content)).active.values)
    assert rows[0][0] == "姓名"
    liming = next(r for r in rows if r[0] == "李明")
    assert liming[4] == cast.member.id_masked and liming[9] == "139****1111"
    assert AuditEvent.objects.get(action="export").detail["full"] is False


def test_full_export_needs_the_permission(cast):
    refused = cast.client(cast.township_admin).get(reverse("members:export") + "?full=1")
    assert refused.status_code == 302
    assert not AuditEvent.objects.filter(action="export").exists()
    allowed = cast.client(cast.county_admin).get(reverse("members:export") + "?full=1")
    rows = list(load_workbook(io.BytesIO(allowed.content)).active.values)
    assert any(r[4] == full_id(cast) for r in rows)
    assert AuditEvent.objects.get(action="export").detail["full"] is True


def test_reveal_is_logged_for_permitted_user(cast):
    response = cast.client(cast.county_admin).post(reverse("members:reveal", args=[cast.member.pk]))
    assert full_id(cast) in response.content.decode()
    entry = AuditEvent.objects.get(action="view_sensitive")
    assert entry.actor == cast.county_admin and entry.target_id == str(cast.member.pk)


def test_reveal_is_refused_without_permission(cast):
    response = cast.client(cast.township_admin).post(
        reverse("member-reveal", args=[cast.member.pk])
    )
    assert response.status_code == 400
    assert full_id(cast) not in response.content.decode()
    assert not AuditEvent.objects.filter(action="view_sensitive").exists()


def test_member_may_see_own_full_record(cast):
    response = cast.client(cast.member_user).post(reverse("member-reveal", args=[cast.member.pk]))
    assert response.json()["id_number"] == full_id(cast)


def test_formula_cells_are_neutralized_but_phone_numbers_kept():
    assert neutralize('=HYPERLINK("x")') == '\'=HYPERLINK("x")'
    assert neutralize("@SUM(A1)") == "'@SUM(A1)"
    assert neutralize("+86 138-0000-0000") == "+86 138-0000-0000"
    assert neutralize("-1+1") == "'-1+1"


def test_long_lists_are_paged(cast):
    import datetime as dt

    from dangjian.testing import make_member

    for i in range(55):
        make_member(
            cast.county_admin, cast.branch, name=f"测试{i:02d}", birth=dt.date(1980, 1, 1 + i % 28)
        )
    body = cast.client(cast.secretary).get(reverse("members:list")).content.decode()
    assert "第 1 / 2 页" in body and "下一页" in body
    org_page = cast.client(cast.secretary).get(reverse("orgs:detail", args=[cast.branch.pk]))
    assert "第 1 / 2 页" in org_page.content.decode()
