"""DRF permissions shared by the API's descriptions."""

from __future__ import annotations

from typing import Any

from rest_framework.permissions import BasePermission

from dangjian.accounts.abilities import GlobalAbility
from dangjian.accounts.scope import scope_for


class UsesApi(BasePermission):
    """接口文档 and the schema: only for those who use the API (GlobalAbility.USE_API)."""

    message = "您的角色不使用数据接口，无权查看接口文档。"

    def has_permission(self, request: Any, view: Any) -> bool:
        return bool(
            request.user
            and request.user.is_authenticated
            and scope_for(request.user).has_global(GlobalAbility.USE_API)
        )
