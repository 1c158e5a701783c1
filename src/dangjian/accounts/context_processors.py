from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from dangjian.accounts.models import Role
from dangjian.accounts.scope import scope_for, uses_api


def scope(request: HttpRequest) -> dict[str, Any]:
    """Expose the user's scope to templates for the navigation (never for data decisions)."""
    user_scope = scope_for(getattr(request, "user", None))
    return {
        "user_scope": user_scope,
        "nav": {
            "members": bool(user_scope.read_paths),
            "imports": bool(user_scope.write_paths),
            "own_record": user_scope.own_member_id,
            "accounts": user_scope.has(Role.SYSTEM_ADMIN),
            "grants": user_scope.has(Role.SECURITY_ADMIN),
            "audit": user_scope.has(Role.AUDIT_ADMIN),
            "api_docs": uses_api(getattr(request, "user", None)),
        },
    }
