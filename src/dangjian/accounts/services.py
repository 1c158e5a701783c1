"""Accounts and role grants. 三员分立 is enforced here, for every entry point."""

from __future__ import annotations

import re
import secrets
import string
from collections.abc import Sequence
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from pypinyin import lazy_pinyin

from dangjian.accounts.abilities import Ability, GlobalAbility
from dangjian.accounts.models import ADMIN_ROLES, NODE_ROLES, AccountProfile, Role, RoleGrant
from dangjian.accounts.scope import forget_scope, scope_for
from dangjian.audit.actions import register_action
from dangjian.audit.services import before_after, record_audit
from dangjian.core.actors import actor_user
from dangjian.core.exceptions import DomainError
from dangjian.orgs.models import Organization

User = get_user_model()
# The session remembers a pending forced change, so the middleware needs no query per request.
MUST_CHANGE_KEY = "dangjian_must_change_password"

CREATE_ACCOUNT = register_action("accounts.create_account", "新建账号")
SET_ACCOUNT_ACTIVE = register_action("accounts.set_account_active", "启用或停用账号")
GRANT_ROLE = register_action("accounts.grant_role", "授权")
REVOKE_ROLE = register_action("accounts.revoke_role", "撤销授权")
CHANGE_OWN_PASSWORD = register_action("accounts.change_own_password", "修改密码")
RESET_PASSWORD = register_action("accounts.reset_password", "重置密码")
CREATE_API_TOKEN = register_action("accounts.create_api_token", "生成接口令牌")
CREATE_ADMINISTRATOR = register_action("accounts.create_administrator", "建立三员账号")


def create_account(*, actor: Any, username: str, password: str, full_name: str = "") -> Any:
    """新建账号 (system administrator). The password must satisfy the policy."""
    scope_for(actor).require_global(GlobalAbility.MANAGE_ACCOUNTS)
    if User.objects.filter(username=username).exists():
        raise DomainError(f"用户名「{username}」已存在。", field="username")
    try:
        validate_password(password, User(username=username))
    except ValidationError as exc:
        raise DomainError("；".join(exc.messages), field="password") from exc
    with transaction.atomic():
        user = User.objects.create_user(username=username, password=password, first_name=full_name)
        record_audit(CREATE_ACCOUNT, actor=actor, target=user)
    return user


def create_administrator(
    *,
    actor: Any,
    username: str,
    full_name: str,
    role: str,
    allow_second: bool = False,
    actor_name: str = "命令行 create_admin",
) -> tuple[Any, str]:
    """建立三员账号 on the server (`manage.py create_admin`): a new account holding one of the
    three administrator roles, with a one-time password it must change at first login (and, with
    `DANGJIAN_2FA=required`, enrol 两步验证 first). Returns the user and that password, which is
    stored nowhere else. Never a Django superuser or staff account. Only the system acts here
    (`Actor.system()`, named in the audit log by `actor_name`): no page creates administrators,
    since the system administrator creating the security administrator would undo 三员分立.

    Refused: an existing username (an existing account is never turned into an administrator:
    三员分立 forbids it holding anything else), and a second current holder of the role on an
    active account unless `allow_second` (a stand-in or a handover; the audit row says so), so a
    command repeated by mistake does not leave two system administrators.
    """
    if actor_user(actor) is not None:
        raise DomainError("三员账号只能由实施人员在服务器上用 create_admin 命令建立。")
    if role not in ADMIN_ROLES:
        raise DomainError("只能建立系统管理员、安全管理员或审计管理员。", field="role")
    full_name = full_name.strip()
    if not full_name:
        raise DomainError("请填写管理员的显示名（姓名）。", field="full_name")
    username_field = User._meta.get_field("username")
    try:
        username_field.clean(username, None)
    except ValidationError as exc:
        raise DomainError("用户名：" + "；".join(exc.messages), field="username") from exc
    if User.objects.filter(username__iexact=username).exists():
        raise DomainError(f"用户名「{username}」已存在。", field="username")
    holders = sorted(
        RoleGrant.objects.current()
        .filter(role=role, user__is_active=True)
        .values_list("user__username", flat=True)
    )
    label = Role(role).label
    if holders and not allow_second:
        raise DomainError(
            f"已经有{label}（{'、'.join(holders)}）。确需再设一名（如临时替岗或交接），"
            "请加 --allow-second；交接完成后由安全管理员撤销原来的授权。",
            field="role",
        )
    password = temporary_password()
    with transaction.atomic():
        user = User.objects.create_user(username=username, password=password, first_name=full_name)
        AccountProfile.objects.update_or_create(user=user, defaults={"must_change_password": True})
        record_audit(
            CREATE_ADMINISTRATOR,
            actor=actor,
            target=user,
            actor_name=actor_name,
            detail={"role": role, "full_name": full_name, "other_holders": holders},
        )
        grant_role(actor=actor, user=user, role=role, bootstrap=True)
    return user, password


def set_account_active(*, actor: Any, user: Any, active: bool) -> None:
    """停用/启用账号 (system administrator)."""
    scope_for(actor).require_global(GlobalAbility.MANAGE_ACCOUNTS)
    if user.pk == actor_user(actor).pk:
        raise DomainError("不能停用自己的账号。")
    with transaction.atomic():
        before = user.is_active
        user.is_active = active
        user.save(update_fields=["is_active"])
        record_audit(
            SET_ACCOUNT_ACTIVE,
            actor=actor,
            target=user,
            detail=before_after({"is_active": before}, {"is_active": active}),
        )


def check_separation(user: Any, role: str) -> None:
    """三员分立: an administrator role excludes every other role, and vice versa."""
    held = set(RoleGrant.objects.current().filter(user=user).values_list("role", flat=True))
    if role in ADMIN_ROLES and held - {role}:
        raise DomainError("三员分立：系统、安全、审计管理员不能兼任其他角色。", field="role")
    if role not in ADMIN_ROLES and held & ADMIN_ROLES:
        raise DomainError(
            "三员分立：该账号是系统、安全或审计管理员，不能再授予业务角色。", field="role"
        )


def grant_role(
    *,
    actor: Any,
    user: Any,
    role: str,
    org: Organization | None = None,
    can_view_sensitive: bool = False,
    bootstrap: bool = False,
) -> RoleGrant:
    """授权 (security administrator). `bootstrap` is only for the setup commands."""
    if not bootstrap:
        scope_for(actor).require_global(GlobalAbility.MANAGE_GRANTS)
        if user.pk == getattr(actor_user(actor), "pk", None):
            raise DomainError("不能给自己授权。")
    if role in NODE_ROLES and org is None:
        raise DomainError("该角色必须指定授权的党组织。", field="org")
    if role not in NODE_ROLES and org is not None:
        raise DomainError("管理员角色不按组织授权，请不要选择党组织。", field="org")
    if role not in NODE_ROLES and can_view_sensitive:
        raise DomainError("管理员角色不能查看党员敏感信息。", field="can_view_sensitive")
    if org is not None and not org.is_active:
        raise DomainError("不能在已撤销的组织上授权。", field="org")
    with transaction.atomic():
        check_separation(user, role)
        grant = RoleGrant.objects.create(
            user=user,
            role=role,
            org=org,
            can_view_sensitive=can_view_sensitive,
            granted_by=_user(actor),
        )
        record_audit(
            GRANT_ROLE,
            actor=actor,
            target=user,
            detail={"role": role, "org": org.name if org else "", "sensitive": can_view_sensitive},
        )
    forget_scope(user)
    return grant


def revoke_role(*, actor: Any, grant: RoleGrant) -> None:
    """撤销授权 (security administrator). Kept, with the time it ended."""
    scope_for(actor).require_global(GlobalAbility.MANAGE_GRANTS)
    if grant.revoked_at is not None:
        raise DomainError("该授权已经撤销。")
    with transaction.atomic():
        grant.revoked_at = timezone.now()
        grant.save(update_fields=["revoked_at"])
        record_audit(
            REVOKE_ROLE,
            actor=actor,
            target=grant.user,
            detail={"role": grant.role, "org": grant.org.name if grant.org else ""},
        )
    forget_scope(grant.user)


def _check_policy(password: str, user: Any, field: str) -> None:
    try:
        validate_password(password, user)
    except ValidationError as exc:
        raise DomainError("；".join(exc.messages), field=field) from exc


def must_change_password(user: Any) -> bool:
    """Whether the account still logs in with a temporary password (set by a reset)."""
    return AccountProfile.objects.filter(user=user, must_change_password=True).exists()


def change_own_password(*, actor: Any, old_password: str, new_password: str) -> None:
    """修改密码: every user, for their own account only; ends a forced change.

    The page then keeps its session (`update_session_auth_hash`): the new password ends the
    others."""
    user = actor_user(actor)
    if not getattr(user, "is_authenticated", False):
        raise DomainError("请先登录。")
    if not user.check_password(old_password):
        raise DomainError("原密码不正确。", field="old_password")
    if new_password == old_password:
        raise DomainError("新密码不能与原密码相同。", field="new_password1")
    _check_policy(new_password, user, "new_password1")
    with transaction.atomic():
        user.set_password(new_password)
        user.save(update_fields=["password"])
        AccountProfile.objects.update_or_create(
            user=user,
            defaults={"must_change_password": False, "password_changed_at": timezone.now()},
        )
        record_audit(CHANGE_OWN_PASSWORD, actor=actor, target=user)


def temporary_password() -> str:
    """A random 12-character password with all four character classes (passes the policy),
    without look-alikes (O/0, I/l/1): it is read out to the user over the phone."""
    pools = [
        "".join(c for c in string.ascii_uppercase if c not in "IO"),
        "".join(c for c in string.ascii_lowercase if c not in "lo"),
        "23456789",
        "@#%+=!",
    ]
    letters = "".join(pools)
    chars = [secrets.choice(pool) for pool in pools]
    chars += [secrets.choice(letters) for _ in range(8)]
    secrets.SystemRandom().shuffle(chars)
    return "".join(chars)


def reset_password(*, actor: Any, user: Any) -> str:
    """重置密码 (system administrator): a temporary password the user must change at next login.

    三员分立: the system administrator cannot reset an administrator's password (that would let
    them log in as the security or audit administrator); those are reset on the server with
    `manage.py changepassword`. The user's API tokens end with the old password.
    """
    scope_for(actor).require_global(GlobalAbility.MANAGE_ACCOUNTS)
    if user.pk == actor_user(actor).pk:
        raise DomainError("不能重置自己的密码，请使用「修改密码」。")
    if RoleGrant.objects.current().filter(user=user, role__in=ADMIN_ROLES).exists():
        raise DomainError("三员分立：系统、安全、审计管理员的密码不能由系统管理员重置。")
    if not user.is_active:
        raise DomainError("该账号已停用，请先启用再重置密码。")
    password = temporary_password()
    with transaction.atomic():
        user.set_password(password)
        user.save(update_fields=["password"])
        AccountProfile.objects.update_or_create(user=user, defaults={"must_change_password": True})
        _drop_api_tokens(user)
        record_audit(RESET_PASSWORD, actor=actor, target=user)
    return password


def create_api_token(*, actor: Any) -> str:
    """生成接口令牌 (the offices that connect other systems: `GlobalAbility.USE_API`): a new
    token for one's own account, replacing the old one; the key is returned once.

    Reached only from a page, i.e. from a session that has passed 两步验证 where the account
    must use it (accounts.otp, accounts.authentication)."""
    from rest_framework.authtoken.models import Token

    scope_for(actor).require_global(GlobalAbility.USE_API)
    user = actor_user(actor)
    with transaction.atomic():
        replaced = Token.objects.filter(user=user).exists()
        _drop_api_tokens(user)
        token = Token.objects.create(user=user)
        record_audit(CREATE_API_TOKEN, actor=actor, target=user, detail={"replaced": replaced})
    return str(token.key)


def _drop_api_tokens(user: Any) -> None:
    from rest_framework.authtoken.models import Token

    Token.objects.filter(user=user).delete()


def _user(actor: Any) -> Any:
    """The acting account, for a 'by whom' column (None for the system)."""
    user = actor_user(actor)
    return user if getattr(user, "is_authenticated", False) else None


# ---- accounts for a branch's members (为党员开通账号) -------------------------------------


def username_base(name: str) -> str:
    """A login from a person's name: its pinyin without tones or separators (李明 → liming;
    阿卜杜·热合曼 → abodureheman, the first reading of each character); "dangyuan" when
    nothing Latin remains."""
    letters = re.sub(r"[^a-z0-9]", "", "".join(lazy_pinyin(name)).lower())
    return letters[:30] or "dangyuan"


def member_usernames(names: Sequence[str]) -> list[str]:
    """Predictable, unused logins for `names`, in order: the pinyin, then pinyin2, pinyin3 …
    for a name already taken (by an account or earlier in the same list)."""
    taken: set[str] = set()
    found: list[str] = []
    for name in names:
        base = username_base(name)
        existing = {
            u.lower()
            for u in User.objects.filter(username__istartswith=base).values_list(
                "username", flat=True
            )
        }
        candidate, n = base, 1
        while candidate in existing or candidate in taken:
            n += 1
            candidate = f"{base}{n}"
        taken.add(candidate)
        found.append(candidate)
    return found


def create_member_logins(
    *, actor: Any, org_path: str, names: Sequence[str]
) -> list[tuple[Any, str]]:
    """为党员开通账号, the accounts half: one login per name with a one-time password, each
    bound to change it at first login. Returns (user, password) pairs; the passwords are
    nowhere else (only their hashes are stored).

    Called by `members.accounts.create_member_accounts`, which links each login to its member
    and audits the batch. The accounts are plain member logins: no role is ever granted here,
    so a branch cannot make an administrator or give itself more reach (三员分立, decision 42).
    """
    if not scope_for(actor).can(Ability.MANAGE_ACCOUNTS_OF_MEMBERS, org_path):
        raise DomainError("您没有为该党组织的党员开通账号的权限。")
    created = []
    with transaction.atomic():
        for name, username in zip(names, member_usernames(names), strict=True):
            password = temporary_password()
            user = User.objects.create_user(username=username, password=password, first_name=name)
            AccountProfile.objects.create(user=user, must_change_password=True)
            created.append((user, password))
    return created
