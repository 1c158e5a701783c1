"""关联登录账号: one account per member, linked by those who may edit the member."""

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from dangjian.audit.models import AuditEvent
from dangjian.core.exceptions import DomainError
from dangjian.members.services import link_account, unlink_account


@pytest.fixture
def wang(cast):
    return get_user_model().objects.create_user("wangfang", password="Wang@2026pw")


def test_organizer_links_an_account_and_the_member_sees_her_record(cast, wang):
    client = cast.client(cast.county_admin)
    response = client.post(
        reverse("members:account", args=[cast.neighbour.pk]), {"username": "wangfang"}
    )
    assert response.status_code == 302
    cast.neighbour.refresh_from_db()
    assert cast.neighbour.user == wang
    assert AuditEvent.objects.filter(action="members.link_account").exists()
    own = cast.client(wang).get(reverse("members:detail", args=[cast.neighbour.pk]))
    assert own.status_code == 200


def test_outsider_cannot_link_an_account(cast, wang):
    response = cast.client(cast.outsider).post(
        reverse("members:account", args=[cast.neighbour.pk]), {"username": "wangfang"}
    )
    assert response.status_code == 404
    with pytest.raises(DomainError):
        link_account(actor=cast.outsider, member=cast.neighbour, username="wangfang")
    cast.neighbour.refresh_from_db()
    assert cast.neighbour.user is None


def test_a_plain_member_cannot_link_accounts(cast, wang):
    response = cast.client(cast.member_user).get(reverse("members:account", args=[cast.member.pk]))
    assert response.status_code == 403


def test_one_account_per_member(cast, wang):
    with pytest.raises(DomainError, match="只能关联一名党员"):
        link_account(actor=cast.county_admin, member=cast.neighbour, username="liming")
    with pytest.raises(DomainError, match="请先解除关联"):
        link_account(actor=cast.county_admin, member=cast.member, username="wangfang")


def test_administrator_accounts_are_not_linked(cast):
    with pytest.raises(DomainError, match="三员分立"):
        link_account(actor=cast.county_admin, member=cast.neighbour, username="sysadmin")


def test_unlink_ends_self_service(cast):
    unlink_account(actor=cast.secretary, member=cast.member)
    cast.member.refresh_from_db()
    assert cast.member.user is None
    response = cast.client(cast.member_user).get(reverse("members:detail", args=[cast.member.pk]))
    assert response.status_code == 404
    assert AuditEvent.objects.filter(action="members.unlink_account").exists()
