"""People's names for login accounts: a page shows 张三, not zhangsan.

It reads the account through its relations only (`user.member`, `user.role_grants`), so it
lives in core and every page can use it without core importing the apps above it."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ObjectDoesNotExist


def person_name(user: Any) -> str:
    """The account's full name, else the linked member's name, else its roles (系统管理员,
    for the administrators' function accounts), else "" (never the login)."""
    if user is None:
        return ""
    full = user.get_full_name().strip()
    if full:
        return str(full)
    try:
        return str(user.member.name)
    except (ObjectDoesNotExist, AttributeError):
        pass
    # .all() so that a prefetch of role_grants is used; revoked grants are filtered here.
    roles = [g.get_role_display() for g in user.role_grants.all() if g.revoked_at is None]
    return "、".join(dict.fromkeys(roles))
