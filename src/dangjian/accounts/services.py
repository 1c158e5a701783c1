"""Accounts and role grants. 三员分立 is enforced here, for every entry point."""

from __future__ import annotations

import re
import secrets
import string
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from django.contrib.auth import get_user_model, update_session_auth_hash
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from pypinyin import lazy_pinyin

from dangjian.accounts.abilities import Ability
from dangjian.accounts.models import ADMIN_ROLES, NODE_ROLES, AccountProfile, Role, RoleGrant
from dangjian.accounts.scope import forget_scope, may_edit_member, require_role, scope_for
from dangjian.audit.models import AuditEvent
from dangjian.audit.services import record_audit
from dangjian.core.exceptions import DomainError
from dangjian.orgs.models import Organization

if TYPE_CHECKING:
    from dangjian.members.models import Member

User = get_user_model()
# The session remembers a pending forced change, so the middleware needs no query per request.
MUST_CHANGE_KEY = "dangjian_must_change_password"


def create_account(
    *, actor: Any, username: str, password: str, full_name: str = "", request: Any = None
) -> Any:
    """新建账号 (system administrator). The password must satisfy the policy."""
    require_role(actor, Role.SYSTEM_ADMIN)
    if User.objects.filter(username=username).exists():
        raise DomainError(f"用户名「{username}」已存在。", field="username")
    try:
        validate_password(password, User(username=username))
    except ValidationError as exc:
        raise DomainError("；".join(exc.messages), field="password") from exc
    with transaction.atomic():
        user = User.objects.create_user(username=username, password=password, first_name=full_name)
        record_audit(
            AuditEvent.Action.ACCOUNT,
            actor=actor,
            target=user,
            detail={"op": "create"},
            request=request,
        )
    return user


def set_account_active(*, actor: Any, user: Any, active: bool, request: Any = None) -> None:
    """停用/启用账号 (system administrator)."""
    require_role(actor, Role.SYSTEM_ADMIN)
    if user.pk == actor.pk:
        raise DomainError("不能停用自己的账号。")
    with transaction.atomic():
        user.is_active = active
        user.save(update_fields=["is_active"])
        record_audit(
            AuditEvent.Action.ACCOUNT,
            actor=actor,
            target=user,
            detail={"op": "enable" if active else "disable"},
            request=request,
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
    request: Any = None,
    bootstrap: bool = False,
) -> RoleGrant:
    """授权 (security administrator). `bootstrap` is only for the setup commands."""
    if not bootstrap:
        require_role(actor, Role.SECURITY_ADMIN)
        if user.pk == getattr(actor, "pk", None):
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
            granted_by=actor if getattr(actor, "is_authenticated", False) else None,
        )
        record_audit(
            AuditEvent.Action.GRANT,
            actor=actor,
            target=user,
            request=request,
            detail={"role": role, "org": org.name if org else "", "sensitive": can_view_sensitive},
        )
    forget_scope(user)
    return grant


def revoke_role(*, actor: Any, grant: RoleGrant, request: Any = None) -> None:
    """撤销授权 (security administrator). Kept, with the time it ended."""
    require_role(actor, Role.SECURITY_ADMIN)
    if grant.revoked_at is not None:
        raise DomainError("该授权已经撤销。")
    with transaction.atomic():
        grant.revoked_at = timezone.now()
        grant.save(update_fields=["revoked_at"])
        record_audit(
            AuditEvent.Action.REVOKE,
            actor=actor,
            target=grant.user,
            request=request,
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


def change_own_password(
    *, actor: Any, old_password: str, new_password: str, request: Any = None
) -> None:
    """修改密码: every user, for their own account only; ends a forced change."""
    if not getattr(actor, "is_authenticated", False):
        raise DomainError("请先登录。")
    if not actor.check_password(old_password):
        raise DomainError("原密码不正确。", field="old_password")
    if new_password == old_password:
        raise DomainError("新密码不能与原密码相同。", field="new_password1")
    _check_policy(new_password, actor, "new_password1")
    with transaction.atomic():
        actor.set_password(new_password)
        actor.save(update_fields=["password"])
        AccountProfile.objects.update_or_create(
            user=actor,
            defaults={"must_change_password": False, "password_changed_at": timezone.now()},
        )
        record_audit(
            AuditEvent.Action.ACCOUNT,
            actor=actor,
            target=actor,
            detail={"op": "password_change"},
            request=request,
        )
    if request is not None:
        # The new password changes the session hash; keep this session, end the others.
        update_session_auth_hash(request, actor)
        request.session.pop(MUST_CHANGE_KEY, None)


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


def reset_password(*, actor: Any, user: Any, request: Any = None) -> str:
    """重置密码 (system administrator): a temporary password the user must change at next login.

    三员分立: the system administrator cannot reset an administrator's password (that would let
    them log in as the security or audit administrator); those are reset on the server with
    `manage.py changepassword`. The user's API tokens end with the old password.
    """
    require_role(actor, Role.SYSTEM_ADMIN)
    if user.pk == actor.pk:
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
        record_audit(
            AuditEvent.Action.ACCOUNT,
            actor=actor,
            target=user,
            detail={"op": "password_reset"},
            request=request,
        )
    return password


def _drop_api_tokens(user: Any) -> None:
    from rest_framework.authtoken.models import Token

    Token.objects.filter(user=user).delete()


def link_member_account(*, actor: Any, member: Member, username: str, request: Any = None) -> None:
    """关联登录账号: one account per member, set by whoever may edit the member's record.

    The system administrator sees no member data (三员分立), so the member's organizers link;
    administrator accounts are not linked (they hold no member data, their own included).
    """
    if not may_edit_member(actor, member):
        raise DomainError("您没有修改该党员信息的权限。")
    user = User.objects.filter(username=username.strip()).first()
    if user is None or not user.is_active:
        raise DomainError(f"没有启用的账号「{username}」。", field="username")
    if RoleGrant.objects.current().filter(user=user, role__in=ADMIN_ROLES).exists():
        raise DomainError("三员分立：管理员账号不能关联党员档案。", field="username")
    other = type(member).objects.filter(user=user).exclude(pk=member.pk).first()
    if other is not None:
        raise DomainError(
            "该账号已关联其他党员的档案，一个账号只能关联一名党员。", field="username"
        )
    if member.user_id is not None and member.user_id != user.pk:
        raise DomainError("该党员已关联其他账号，请先解除关联。", field="username")
    if member.user_id == user.pk:
        return
    _set_member_user(actor=actor, member=member, user=user, request=request)


def unlink_member_account(*, actor: Any, member: Member, request: Any = None) -> None:
    """解除关联: the account keeps existing, it just no longer opens the member's record."""
    if not may_edit_member(actor, member):
        raise DomainError("您没有修改该党员信息的权限。")
    if member.user_id is None:
        raise DomainError("该党员没有关联登录账号。")
    _set_member_user(actor=actor, member=member, user=None, request=request)


def _set_member_user(*, actor: Any, member: Member, user: Any, request: Any) -> None:
    before = member.user
    account = user if user is not None else before
    assert account is not None  # link has a user, unlink a linked member
    with transaction.atomic():
        member.user = user
        member._history_user = actor  # type: ignore[attr-defined]
        member.save(update_fields=["user"])
        record_audit(
            AuditEvent.Action.ACCOUNT,
            actor=actor,
            target=member,
            detail={
                "op": "link_member" if user is not None else "unlink_member",
                "user": account.pk,
            },
            request=request,
        )
    for account in (before, user):
        if account is not None:
            forget_scope(account)


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
    so a branch cannot make an administrator or give itself more reach (三员分立, decision 35).
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
