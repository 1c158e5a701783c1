"""The one way to decide what a user may see and do (数据范围与能力).

A role granted on a node brings abilities over that node's subtree (`accounts.abilities`).
Every page, htmx partial, API endpoint and service asks for a named ability on an
organization's path (`scope_for(user).can(Ability.EDIT_MEMBERS, member.org_path)`), scopes its
querysets through the subtrees where the user can view (`Scope.org_q`/`member_q`, used by
`Organization.objects.visible_to(scope)` and `Member.objects.visible_to(user)`) and fetches
single objects by id from a request through `get_for`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, TypeVar

from django.core.exceptions import ObjectDoesNotExist, PermissionDenied
from django.db.models import Model, Q, QuerySet
from django.http import Http404

from dangjian.accounts.abilities import ROLE_GLOBAL_ABILITIES, Ability, GlobalAbility, abilities_of
from dangjian.accounts.models import NODE_ROLES, RoleGrant
from dangjian.core.actors import actor_user
from dangjian.core.paths import any_subtree_q
from dangjian.orgs.models import Organization, OrganizationQuerySet, OrgKind

_CACHE_ATTR = "_dangjian_scope"
M = TypeVar("M", bound=Model)


def _minimal(paths: set[str]) -> tuple[str, ...]:
    """Drop paths already covered by an ancestor path, so each query has fewest prefixes."""
    kept: list[str] = []
    for path in sorted(paths):
        if not any(path.startswith(k) for k in kept):
            kept.append(path)
    return tuple(kept)


@dataclass(frozen=True)
class Scope:
    """What one user may do where: per ability, the organization subtrees it reaches."""

    own_member_id: int | None = None
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

    def has_global(self, ability: str) -> bool:
        """A 三员 ability (accounts, grants, audit log, the API): not tied to a node."""
        return ability in self.global_abilities

    def require_global(self, ability: str) -> None:
        """403 unless the user holds the 三员 ability (the administrators' pages)."""
        if ability not in self.global_abilities:
            raise PermissionDenied("您没有访问该功能的权限")

    def org_q(self, field: str = "path") -> Q:
        """Organizations the user sees: those under a node where they can view."""
        return any_subtree_q(field, self.paths(Ability.VIEW_MEMBERS))

    def member_q(self) -> Q:
        q = any_subtree_q("org_path", self.paths(Ability.VIEW_MEMBERS))
        if self.own_member_id is not None:
            q |= Q(pk=self.own_member_id)
        return q

    @property
    def sees_orgs(self) -> bool:
        return bool(self.paths(Ability.VIEW_MEMBERS))

    @property
    def sees_members(self) -> bool:
        return self.sees_orgs or self.own_member_id is not None


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
    reach: dict[str, set[str]] = {}
    for g, org in nodes:
        for ability in abilities_of(g.role, sensitive=g.can_view_sensitive):
            reach.setdefault(ability, set()).add(org.path)
    scope = Scope(
        own_member_id=_own_member_id(user),
        ability_paths={a: _minimal(paths) for a, paths in reach.items()},
        global_abilities=frozenset().union(
            *(ROLE_GLOBAL_ABILITIES.get(g.role, frozenset()) for g in grants)
        ),
    )
    setattr(user, _CACHE_ATTR, scope)
    return scope


def _own_member_id(user: Any) -> int | None:
    """The member record linked to this login (党员 self-service), if any."""
    try:
        return int(user.member.pk)
    except ObjectDoesNotExist:
        return None


def forget_scope(user: Any) -> None:
    """Drop the cached scope (after grants change within one request or test)."""
    if hasattr(user, _CACHE_ATTR):
        delattr(user, _CACHE_ATTR)


def get_for(
    actor: Any,
    ability: str | None,
    visible: QuerySet[M],
    pk: Any,
    *,
    path_of: str | Callable[[M], str] = "path",
    missing: str = "记录不存在或不在您的管理范围内",
    refusal: str = "",
) -> M:
    """The object `pk` for `actor` to act on with `ability`: the one way to fetch by id.

    `visible` is what the actor may see (a `visible_to` queryset): an id outside it is a 404,
    so nobody learns what exists elsewhere. A visible object whose organization (`path_of`: an
    attribute chain such as "org_path" or "organization__path", or a function) lies outside the
    subtrees where the actor has `ability` is a 403. `ability=None`: seeing is enough.
    `missing` and `refusal` are the Chinese messages of the 404 and the 403 (by default the
    refusal names the ability).
    """
    found = visible.filter(pk=_int(pk)).first()
    if found is None:
        raise Http404(missing)
    if ability is not None and not scope_for(actor).can(ability, path_at(found, path_of)):
        raise PermissionDenied(refusal or refusal_for(ability))
    return found


def refusal_for(ability: str) -> str:
    """The 403 message naming what the user may not do here."""
    labels = dict(Ability.choices) | dict(GlobalAbility.choices)
    return f"您在该组织没有“{labels.get(ability, ability)}”的权限"


def path_at(obj: Any, path_of: str | Callable[[Any], str]) -> str:
    if callable(path_of):
        return path_of(obj)
    for name in path_of.split("__"):
        obj = getattr(obj, name)
    return str(obj)


def get_org_for_user(user: Any, pk: Any, ability: str | None = None) -> Organization:
    """The organization if the user sees it (404) and, given an ability, holds it there (403)."""
    visible = Organization.objects.visible_to(scope_for(user))
    return get_for(user, ability, visible, pk, missing="组织不存在或不在您的管理范围内")


def orgs_with(user: Any, ability: str, *, holding_members: bool = False) -> OrganizationQuerySet:
    """Active organizations where the user holds `ability` (a form's choices)."""
    qs = Organization.objects.active().within(scope_for(user).paths(ability))
    return qs.exclude(kind=OrgKind.GROUP) if holding_members else qs


def _int(pk: Any) -> int:
    try:
        return int(pk)
    except (TypeError, ValueError) as exc:
        raise Http404("编号无效") from exc
