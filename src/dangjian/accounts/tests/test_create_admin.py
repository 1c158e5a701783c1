"""`manage.py create_admin` → `create_administrator`: the three administrators (三员) created on
the server, each with exactly its role's abilities, a one-time password changed at first login
(after enrolling 两步验证 where it is required), refusals in Chinese, and the audit rows."""

from __future__ import annotations

import re
from io import StringIO
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command
from django.test import Client
from django.urls import reverse
from django_otp.plugins.otp_totp.models import TOTPDevice

from dangjian.accounts.abilities import GlobalAbility
from dangjian.accounts.scope import scope_for
from dangjian.accounts.services import change_own_password, create_administrator
from dangjian.accounts.tests.test_ability_matrix import GLOBAL, ON_BRANCH, ROUTES
from dangjian.accounts.tests.test_second_factor import code
from dangjian.audit.models import AuditEvent
from dangjian.core.actors import Actor
from dangjian.core.exceptions import DomainError

NEW = "Neuer@2026pw"
# --role → the cast's administrator of that role, whose abilities the route matrix checks
CAST_NAME = {"system": "sysadmin", "security": "secadmin", "audit": "auditadmin"}


def create_admin(*args: str) -> tuple[Any, str, str]:
    """Run the command; the new user, its one-time password and everything printed."""
    out = StringIO()
    call_command("create_admin", *args, stdout=out)
    printed = out.getvalue()
    password = re.search(r"一次性密码：(\S+)", printed)
    assert password is not None, printed
    return get_user_model().objects.get(username=args[-1]), password.group(1), printed


@pytest.mark.parametrize("role", sorted(CAST_NAME))
def test_each_role_gets_exactly_the_abilities_of_that_role(db, role):
    user, password, _ = create_admin("--role", role, "--name", "张三", "admin1")
    assert not user.is_superuser and not user.is_staff and user.first_name == "张三"
    scope = scope_for(user)
    assert scope.global_abilities == GLOBAL[CAST_NAME[role]]
    assert scope.ability_paths == {} and ON_BRANCH[CAST_NAME[role]] == set()
    change_own_password(actor=user, old_password=password, new_password=NEW)
    client = Client()
    client.force_login(user)
    checked = 0
    for name, route in ROUTES.items():  # the 三员 pages of the route matrix
        if route.ability in GlobalAbility.values and (route.target, route.method) == (None, "get"):
            status = client.get(reverse(name)).status_code
            assert status == (200 if route.ability in GLOBAL[CAST_NAME[role]] else 403), name
            checked += 1
    assert checked >= 6


def test_the_one_time_password_must_be_changed_at_first_login(db):
    user, password, printed = create_admin("--role", "audit", "--name", "王审计", "shenji")
    assert "只显示这一次" in printed and "首次登录后必须先修改密码" in printed
    assert user.check_password(password) and len(password) == 12
    client = Client()
    client.post(reverse("accounts:login"), {"username": "shenji", "password": password})
    assert client.get(reverse("audit:list"))["Location"] == reverse("accounts:password-change")
    client.post(
        reverse("accounts:password-change"),
        {"old_password": password, "new_password1": NEW, "new_password2": NEW},
    )
    assert client.get(reverse("audit:list")).status_code == 200


def test_in_production_mode_the_new_admin_enrols_two_factor_first(db, settings):
    settings.DANGJIAN_2FA = "required"
    settings.OTP_TOTP_THROTTLE_FACTOR = 0
    _, password, printed = create_admin("--role", "security", "--name", "李安全", "anquan")
    assert "须先启用两步验证" in printed
    client = Client()
    client.post(reverse("accounts:login"), {"username": "anquan", "password": password})
    assert client.get(reverse("accounts:grants"))["Location"].startswith(
        reverse("accounts:otp-enrol")
    )
    client.get(reverse("accounts:otp-enrol"))
    device = TOTPDevice.objects.get(user__username="anquan")
    assert client.post(reverse("accounts:otp-enrol"), {"code": code(device)}).status_code == 200
    assert client.get(reverse("accounts:grants"))["Location"] == reverse("accounts:password-change")


def test_creation_and_grant_are_audited_as_the_command_line(db):
    user, _, _ = create_admin("--role", "system", "--name", "赵系统", "xitong")
    entry = AuditEvent.objects.get(action="accounts.create_administrator")
    assert entry.actor is None and entry.actor_name.startswith("命令行 create_admin（")
    assert entry.target_id == str(user.pk)
    assert entry.detail == {"role": "sysadmin", "full_name": "赵系统", "other_holders": []}
    grant = AuditEvent.objects.get(action="accounts.grant_role")
    assert grant.target_id == str(user.pk) and grant.detail["role"] == "sysadmin"


# ---- refusals -------------------------------------------------------------------------------


def test_an_existing_username_is_refused_whatever_its_case(cast):
    for taken in ("secretary", "SECRETARY"):
        with pytest.raises(CommandError, match=r"用户名「.*」已存在"):
            create_admin("--role", "audit", "--name", "王审计", "--allow-second", taken)
    assert scope_for(cast.secretary).global_abilities == frozenset()


def test_a_second_holder_of_a_role_needs_allow_second(cast):
    users = get_user_model().objects.count()
    with pytest.raises(CommandError, match=r"已经有系统管理员（sysadmin）.*--allow-second"):
        create_admin("--role", "system", "--name", "钱系统", "xitong2")
    assert get_user_model().objects.count() == users
    assert not AuditEvent.objects.filter(action="accounts.create_administrator").exists()
    user, _, _ = create_admin("--role", "system", "--name", "钱系统", "--allow-second", "xitong2")
    entry = AuditEvent.objects.get(action="accounts.create_administrator")
    assert entry.detail["other_holders"] == ["sysadmin"] and entry.target_id == str(user.pk)


def test_a_deactivated_holder_does_not_count(cast):
    cast.auditadmin.is_active = False
    cast.auditadmin.save()
    create_admin("--role", "audit", "--name", "孙审计", "shenji2")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--role", "audit", "--name", "  ", "shenji"), "显示名"),
        (("--role", "audit", "--name", "王审计", "shen ji"), "用户名："),
        (("--role", "root", "--name", "王审计", "shenji"), "invalid choice"),
    ],
)
def test_bad_arguments_are_refused(db, args, message):
    with pytest.raises(CommandError, match=message):
        call_command("create_admin", *args, stdout=StringIO())
    assert not get_user_model().objects.exists()


def test_only_the_command_line_creates_administrators(cast):
    with pytest.raises(DomainError, match="服务器上"):
        create_administrator(actor=cast.sysadmin, username="x1", full_name="甲", role="secadmin")
    with pytest.raises(DomainError, match="只能建立"):
        create_administrator(actor=Actor.system(), username="x1", full_name="甲", role="secretary")
