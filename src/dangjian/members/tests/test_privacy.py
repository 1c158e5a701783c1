"""ID numbers and phones are masked in lists, exports and the API; unmasking is logged."""

from django.urls import reverse

from dangjian.audit.models import AuditEvent


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


def test_reveal_is_logged_for_permitted_user(cast):
    response = cast.client(cast.county_admin).post(reverse("members:reveal", args=[cast.member.pk]))
    assert full_id(cast) in response.content.decode()
    entry = AuditEvent.objects.get(action="members.reveal_sensitive")
    assert entry.actor == cast.county_admin and entry.target_id == str(cast.member.pk)


def test_reveal_is_refused_without_permission(cast):
    response = cast.client(cast.township_admin).post(
        reverse("member-reveal", args=[cast.member.pk])
    )
    assert response.status_code == 403  # a missing ability is a 403, as on the page

    assert full_id(cast) not in response.content.decode()
    assert not AuditEvent.objects.filter(action="members.reveal_sensitive").exists()


def test_member_may_see_own_full_record(cast):
    response = cast.client(cast.member_user).post(reverse("member-reveal", args=[cast.member.pk]))
    assert response.json()["id_number"] == full_id(cast)


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
