from django.contrib.auth import get_user_model
from django.urls import reverse

from dangjian.accounts.models import RoleGrant
from dangjian.audit.models import AuditEvent


def test_security_admin_grants_and_revokes_through_the_page(cast):
    client = cast.client(cast.secadmin)
    response = client.post(
        reverse("accounts:grants"),
        {"user": cast.member_user.pk, "role": "committee", "org": cast.branch.pk},
    )
    assert response.status_code == 302
    grant = RoleGrant.objects.get(user=cast.member_user, role="committee")
    assert AuditEvent.objects.filter(action="accounts.grant_role", actor=cast.secadmin).exists()
    client.post(reverse("accounts:grant-revoke", args=[grant.pk]))
    grant.refresh_from_db()
    assert grant.revoked_at is not None


def test_grant_page_explains_separation_of_duties(cast):
    response = cast.client(cast.secadmin).post(
        reverse("accounts:grants"),
        {"user": cast.auditadmin.pk, "role": "orgadmin", "org": cast.county.pk},
    )
    assert "三员分立" in response.content.decode()
    assert not RoleGrant.objects.filter(user=cast.auditadmin, role="orgadmin").exists()


def test_system_admin_creates_and_disables_accounts(cast):
    client = cast.client(cast.sysadmin)
    weak = client.post(reverse("accounts:users"), {"username": "zhang", "password": "password1"})
    assert "至少 3 类" in weak.content.decode()
    client.post(reverse("accounts:users"), {"username": "zhang", "password": "Zhang@2026x"})
    user = get_user_model().objects.get(username="zhang")
    client.post(reverse("accounts:user-toggle", args=[user.pk]))
    user.refresh_from_db()
    assert not user.is_active
