"""Accounts and role grants. 三员分立 is enforced here, for every entry point."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from dangjian.accounts.models import ADMIN_ROLES, NODE_ROLES, Role, RoleGrant
from dangjian.accounts.scope import forget_scope, require_role
from dangjian.audit.models import AuditEvent
from dangjian.audit.services import record_audit
from dangjian.core.exceptions import DomainError
from dangjian.orgs.models import Organization

User = get_user_model()


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
