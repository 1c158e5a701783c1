from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest

from dangjian.accounts.abilities import Ability, GlobalAbility
from dangjian.accounts.scope import scope_for


def scope(request: HttpRequest) -> dict[str, Any]:
    """Expose the user's scope to templates for the navigation (never for data decisions)."""
    user_scope = scope_for(getattr(request, "user", None))
    return {
        "user_scope": user_scope,
        "nav": {
            "members": user_scope.sees_orgs,
            "imports": user_scope.can_anywhere(Ability.IMPORT_ROSTERS),
            "own_record": user_scope.own_member_id,
            "accounts": user_scope.has_global(GlobalAbility.MANAGE_ACCOUNTS),
            "grants": user_scope.has_global(GlobalAbility.MANAGE_GRANTS),
            "audit": user_scope.has_global(GlobalAbility.READ_AUDIT),
            "api_docs": user_scope.has_global(GlobalAbility.USE_API),
            # 两步验证 (accounts.otp): offered unless DANGJIAN_2FA=off
            "second_factor": settings.DANGJIAN_2FA != "off",
            # 跨系统转接: letters and packets for registers, the trust list for the 安全管理员
            "exchange": user_scope.can_anywhere(Ability.EDIT_MEMBERS),
            "exchange_trust": user_scope.has_global(GlobalAbility.MANAGE_GRANTS),
            # 我的入党进度: asked only when the template gets there (a callable), i.e. for a
            # user who does not see the branches' files anyway
            "applicant": lambda: _has_applicant_file(getattr(request, "user", None)),
        },
    }


def _has_applicant_file(user: Any) -> bool:
    """Whether the login is linked to a 发展党员 file (through the reverse relation: recruitment
    sits above accounts)."""
    if not getattr(user, "is_authenticated", False):
        return False
    return getattr(user, "applicant", None) is not None
