"""The one way to decide what a user may see and change (数据范围).

Every page, htmx partial and API endpoint scopes its querysets through `scope_for(user)` —
via `Organization.objects.visible_to(user)` / `Member.objects.visible_to(user)` — and fetches
single objects through the getters below. Roles are granted on a node and reach its subtree.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ObjectDoesNotExist, PermissionDenied
from django.db.models import Q
from django.http import Http404

from dangjian.accounts.abilities import ROLE_GLOBAL_ABILITIES, abilities_of
from dangjian.accounts.models import API_ROLES, NODE_ROLES, WRITE_ROLES, Role, RoleGrant
from dangjian.core.actors import actor_user
from dangjian.core.paths import any_subtree_q

if TYPE_CHECKING:
    from dangjian.members.models import Member
    from dangjian.orgs.models import Organization

_CACHE_ATTR = "_dangjian_scope"


def _minimal(paths: set[str]) -> tuple[str, ...]:
    """Drop paths already covered by an ancestor path, so each query has fewest prefixes."""
    kept: list[str] = []
    for path in sorted(paths):
        if not any(path.startswith(k) for k in kept):
            kept.append(path)
    return tuple(kept)


@dataclass(frozen=True)
class Scope:
    """What one user may reach: organization subtrees to read, to write, to unmask."""

    read_paths: tuple[str, ...] = ()
    write_paths: tuple[str, ...] = ()
    sensitive_paths: tuple[str, ...] = ()
    own_member_id: int | None = None
    roles: frozenset[str] = frozenset()
    # ability → the subtrees it reaches (minimal path prefixes)
    ability_paths: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    global_abilities: frozenset[str] = frozenset()

    def paths(self, ability: str) -> tuple[str, ...]:
        """The subtrees where the user has `ability` (empty: nowhere)."""
        return self.ability_paths.get(ability, ())

    def can(self, ability: str, path: str) -> bool:
        """Whether the user has `ability` on the organization at `path`."""
        return any(path.startswith(p) for p in self.paths(ability))

    def can_anywhere(self, ability: str) -> bool:
        return bool(self.paths(ability)) or ability in self.global_abilities

    def org_q(self) -> Q:
        return any_subtree_q("path", self.read_paths)

    def member_q(self) -> Q:
        q = any_subtree_q("org_path", self.read_paths)
        if self.own_member_id is not None:
            q |= Q(pk=self.own_member_id)
        return q

    def covers(self, path: str, *, write: bool = False) -> bool:
        paths = self.write_paths if write else self.read_paths
        return any(path.startswith(p) for p in paths)

    def may_unmask(self, path: str) -> bool:
        return any(path.startswith(p) for p in self.sensitive_paths)

    def has(self, role: str) -> bool:
        return role in self.roles

    @property
    def sees_members(self) -> bool:
        return bool(self.read_paths) or self.own_member_id is not None


EMPTY_SCOPE = Scope()


def scope_for(user: Any) -> Scope:
    """The user's scope, computed once per user object (i.e. once per request)."""
    user = actor_user(user)
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return EMPTY_SCOPE
    cached = getattr(user, _CACHE_ATTR, None)
    if cached is not None:
        return cached
    grants = list(RoleGrant.objects.current().filter(user=user).select_related("org"))
    # Grants on dissolved organizations lapse with them.
    nodes = [
        (g, g.org) for g in grants if g.role in NODE_ROLES and g.org is not None and g.org.is_active
    ]
    member = _own_member(user)
    reach: dict[str, set[str]] = {}
    for g, org in nodes:
        for ability in abilities_of(g.role, sensitive=g.can_view_sensitive):
            reach.setdefault(ability, set()).add(org.path)
    scope = Scope(
        read_paths=_minimal({org.path for _, org in nodes}),
        write_paths=_minimal({org.path for g, org in nodes if g.role in WRITE_ROLES}),
        sensitive_paths=_minimal({org.path for g, org in nodes if g.can_view_sensitive}),
        own_member_id=member.pk if member is not None else None,
        roles=frozenset(g.role for g in grants),
        ability_paths={a: _minimal(paths) for a, paths in reach.items()},
        global_abilities=frozenset().union(
            *(ROLE_GLOBAL_ABILITIES.get(g.role, frozenset()) for g in grants)
        ),
    )
    setattr(user, _CACHE_ATTR, scope)
    return scope


def _own_member(user: Any) -> Member | None:
    """The member record linked to this login (党员 self-service), if any."""
    try:
        return user.member  # type: ignore[no-any-return]
    except ObjectDoesNotExist:
        return None


def forget_scope(user: Any) -> None:
    """Drop the cached scope (after grants change within one request or test)."""
    if hasattr(user, _CACHE_ATTR):
        delattr(user, _CACHE_ATTR)


def get_org_for_user(user: Any, pk: Any, *, write: bool = False) -> Organization:
    """The organization if the user may see it (404 otherwise) and, with write, change it (403)."""
    from dangjian.orgs.models import Organization

    org = Organization.objects.visible_to(user).filter(pk=_int(pk)).first()
    if org is None:
        raise Http404("组织不存在或不在您的管理范围内")
    if write and not scope_for(user).covers(org.path, write=True):
        raise PermissionDenied("您没有修改该组织的权限")
    return org


def get_member_for_user(user: Any, pk: Any, *, write: bool = False) -> Member:
    """The member if visible (404 otherwise); with write, only within write scope (403)."""
    from dangjian.members.models import Member

    member = Member.objects.visible_to(user).select_related("org", "group").filter(pk=_int(pk))
    found = member.first()
    if found is None:
        raise Http404("党员不存在或不在您的管理范围内")
    if write and not may_edit_member(user, found):
        raise PermissionDenied("您没有修改该党员信息的权限")
    return found


def may_edit_member(user: Any, member: Member) -> bool:
    return scope_for(user).covers(member.org_path, write=True)


def may_unmask_member(user: Any, member: Member) -> bool:
    """Full ID number and phone: the permission on the member's subtree, or one's own record."""
    scope = scope_for(user)
    return scope.may_unmask(member.org_path) or scope.own_member_id == member.pk


def uses_api(user: Any) -> bool:
    """Whether the user's roles use the JSON API (and so see its description, 接口文档)."""
    return bool(scope_for(user).roles & API_ROLES)


def require_role(user: Any, *roles: Role) -> None:
    if not any(scope_for(user).has(r) for r in roles):
        raise PermissionDenied("您没有访问该功能的权限")


def _int(pk: Any) -> int:
    try:
        return int(pk)
    except (TypeError, ValueError) as exc:
        raise Http404("编号无效") from exc
