"""修改密码, 重置密码 (forced change at next login)."""

import pytest
from django.core.exceptions import PermissionDenied
from django.test import Client
from django.urls import reverse
from rest_framework.authtoken.models import Token

from dangjian.accounts.services import change_own_password, reset_password
from dangjian.audit.models import AuditEvent
from dangjian.conftest import PASSWORD
from dangjian.core.exceptions import DomainError

NEW = "Neuer@2026pw"


def _change(client, old=PASSWORD, new=NEW):
    return client.post(
        reverse("accounts:password-change"),
        {"old_password": old, "new_password1": new, "new_password2": new},
    )


def test_every_user_changes_own_password_on_the_page(cast):
    client = cast.client(cast.member_user)
    response = _change(client)
    assert response.status_code == 302
    cast.member_user.refresh_from_db()
    assert cast.member_user.check_password(NEW)
    assert AuditEvent.objects.filter(
        action="accounts.change_own_password", actor=cast.member_user
    ).exists()
    assert client.get(reverse("core:home")).status_code in (200, 302)  # still logged in


def test_wrong_old_password_is_refused_with_a_chinese_message(cast):
    response = _change(cast.client(cast.secretary), old="Wrong@2026pw")
    assert "原密码不正确" in response.content.decode()
    cast.secretary.refresh_from_db()
    assert cast.secretary.check_password(PASSWORD)


def test_new_password_must_meet_the_policy(cast):
    with pytest.raises(DomainError, match="至少 3 类"):
        change_own_password(actor=cast.secretary, old_password=PASSWORD, new_password="abcdefghij")


def test_password_change_page_needs_login():
    response = Client().get(reverse("accounts:password-change"))
    assert response.status_code == 302 and "/login/" in response["Location"]


def test_only_the_system_admin_resets_passwords(cast):
    with pytest.raises(PermissionDenied):
        reset_password(actor=cast.county_admin, user=cast.secretary)
    response = cast.client(cast.outsider).post(
        reverse("accounts:user-reset-password", args=[cast.secretary.pk]), {"confirmed": "1"}
    )
    assert response.status_code == 403
    cast.secretary.refresh_from_db()
    assert cast.secretary.check_password(PASSWORD)


def test_system_admin_cannot_reset_the_other_administrators(cast):
    for admin in (cast.secadmin, cast.auditadmin):
        with pytest.raises(DomainError, match="三员分立"):
            reset_password(actor=cast.sysadmin, user=admin)
    with pytest.raises(DomainError, match="自己"):
        reset_password(actor=cast.sysadmin, user=cast.sysadmin)


def test_reset_ends_api_tokens_and_is_audited(cast):
    Token.objects.create(user=cast.secretary)
    reset_password(actor=cast.sysadmin, user=cast.secretary)
    assert not Token.objects.filter(user=cast.secretary).exists()
    entry = AuditEvent.objects.get(action="accounts.reset_password")
    assert entry.actor == cast.sysadmin and entry.target_id == str(cast.secretary.pk)


def test_forced_change_flow_end_to_end(cast):
    url = reverse("accounts:user-reset-password", args=[cast.secretary.pk])
    asked = cast.client(cast.sysadmin).post(url)
    assert "原来的密码和接口令牌立即失效" in asked.content.decode()
    cast.secretary.refresh_from_db()
    assert cast.secretary.check_password(PASSWORD)  # nothing happens before the confirmation
    page = cast.client(cast.sysadmin).post(url, {"confirmed": "1"})
    temporary = page.context["password"]
    assert temporary in page.content.decode() and page["Cache-Control"] == "no-store"

    client = Client()
    login = client.post(reverse("accounts:login"), {"username": "secretary", "password": temporary})
    assert login.status_code == 302
    # Every other page and the API lead to the change page until the password is changed.
    home = client.get(reverse("core:home"))
    assert home.status_code == 302 and home["Location"] == reverse("accounts:password-change")
    assert client.get(reverse("members:list")).status_code == 302
    api = client.get("/api/members/")
    assert api.status_code == 403 and "临时密码" in api.json()["detail"]
    forced = client.get(reverse("accounts:password-change"))
    assert "临时密码" in forced.content.decode()

    assert _change(client, old=temporary).status_code == 302
    assert client.get(reverse("core:home")).status_code == 200
    assert client.get("/api/members/").status_code == 200
    cast.secretary.refresh_from_db()
    assert cast.secretary.account_profile.must_change_password is False


def test_forced_change_allows_logout(cast):
    reset_password(actor=cast.sysadmin, user=cast.secretary)
    client = cast.client(cast.secretary)
    response = client.post(reverse("accounts:logout"))
    assert response.status_code == 302 and "/login/" in response["Location"]


def test_accounts_page_shows_who_still_has_a_temporary_password(cast):
    client = cast.client(cast.sysadmin)
    assert "待修改临时密码" not in client.get(reverse("accounts:users")).content.decode()
    reset_password(actor=cast.sysadmin, user=cast.secretary)
    assert "待修改临时密码" in client.get(reverse("accounts:users")).content.decode()


def test_temporary_passwords_pass_the_policy_and_avoid_look_alikes():
    from django.contrib.auth.password_validation import validate_password

    from dangjian.accounts.services import temporary_password

    for _ in range(50):
        password = temporary_password()
        validate_password(password)
        assert len(password) == 12 and not set(password) & set("O0Il1o")
