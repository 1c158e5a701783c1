import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.urls import reverse

from dangjian.accounts.middleware import LAST_SEEN_KEY
from dangjian.accounts.models import Role
from dangjian.accounts.services import create_account, grant_role
from dangjian.core.exceptions import DomainError

ROOT = Path(__file__).resolve().parents[4]


def test_passwords_are_hashed_with_argon2():
    from dangjian import settings as project_settings

    assert project_settings.PASSWORD_HASHERS[0].endswith("Argon2PasswordHasher")


@pytest.mark.parametrize("password", ["short1A", "alllowercase", "lowerdigits123"])
def test_password_policy_refuses_weak_passwords(password):
    with pytest.raises(ValidationError):
        validate_password(password)


def test_password_policy_accepts_three_classes():
    validate_password("Qinghe2026dj")


def test_system_admin_creates_accounts_but_not_weak_ones(cast):
    with pytest.raises(DomainError, match="至少 3 类"):
        create_account(actor=cast.sysadmin, username="newbie", password="abcdefgh")
    user = create_account(actor=cast.sysadmin, username="newbie", password="Abcdefg1!")
    assert user.check_password("Abcdefg1!")


def test_three_administrators_are_separated(cast):
    with pytest.raises(DomainError, match="三员分立"):
        grant_role(actor=cast.secadmin, user=cast.auditadmin, role=Role.ORG_ADMIN, org=cast.county)
    with pytest.raises(DomainError, match="三员分立"):
        grant_role(actor=cast.secadmin, user=cast.county_admin, role=Role.AUDIT_ADMIN)
    with pytest.raises(DomainError, match="不能给自己授权"):
        grant_role(actor=cast.secadmin, user=cast.secadmin, role=Role.SECURITY_ADMIN)


def test_only_security_admin_grants_roles(cast):
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        grant_role(actor=cast.sysadmin, user=cast.secretary, role=Role.ORG_ADMIN, org=cast.county)


def test_idle_session_is_logged_out(cast, settings):
    client = cast.client(cast.secretary)
    assert client.get(reverse("core:home")).status_code == 200
    session = client.session
    session[LAST_SEEN_KEY] = session[LAST_SEEN_KEY] - settings.SESSION_IDLE_TIMEOUT_SECONDS - 5
    session.save()
    response = client.get(reverse("core:home"))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_deploy_check_is_clean_under_production_settings(tmp_path):
    env = {
        **os.environ,
        "DANGJIAN_ENV": "production",
        "DANGJIAN_SECRET_KEY": "x" * 64 + "Yz9!",
        "DANGJIAN_ALLOWED_HOSTS": "dangjian.example.org",
        "DANGJIAN_FIELD_KEY": "k" * 44,
        "DANGJIAN_VAR_DIR": str(tmp_path),
        "PYTHONPATH": str(ROOT / "src"),
    }
    env.pop("DATABASE_URL", None)
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)  # set by the browser tests' fixture
    result = subprocess.run(
        [sys.executable, "-m", "dangjian", "check", "--deploy", "--fail-level", "WARNING"],
        env=env,
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_last_seen_is_rewritten_once_a_step_not_on_every_request(cast):
    from dangjian.accounts.middleware import LAST_SEEN_STEP_SECONDS

    client = cast.client(cast.secretary)
    assert client.get(reverse("core:home")).status_code == 200
    session = client.session
    recent = session[LAST_SEEN_KEY] - LAST_SEEN_STEP_SECONDS + 5
    session[LAST_SEEN_KEY] = recent
    session.save()
    assert client.get(reverse("core:home")).status_code == 200
    assert client.session[LAST_SEEN_KEY] == recent  # within the step: the row is not rewritten
    session = client.session
    stale = session[LAST_SEEN_KEY] - 10
    session[LAST_SEEN_KEY] = stale
    session.save()
    assert client.get(reverse("core:home")).status_code == 200
    assert client.session[LAST_SEEN_KEY] > stale  # a step old: rewritten
