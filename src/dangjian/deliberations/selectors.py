"""Which 村级重大事项 a user sees: those of the organizations in their scope, and a member's own
branch's (党务公开: the members review them at the 党员大会)."""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet

from dangjian.accounts.abilities import Ability
from dangjian.accounts.scope import get_for, scope_for
from dangjian.core.paths import any_subtree_q
from dangjian.deliberations.models import Matter
from dangjian.deliberations.procedures import REVIEWING_KINDS, VILLAGE_CATEGORIES
from dangjian.members.models import Member
from dangjian.orgs.models import Organization


def matters_visible_to(user: Any) -> QuerySet[Matter]:
    scope = scope_for(user)
    q = any_subtree_q("org_path", scope.paths(Ability.VIEW_MEMBERS))
    if scope.own_member_id is not None:
        own_org = Member.objects.filter(pk=scope.own_member_id).values("org_id")
        q |= Q(org_id__in=own_org)
    return Matter.objects.filter(q).select_related("org")


def get_matter_for_user(user: Any, pk: Any, ability: str | None = None) -> Matter:
    return get_for(
        user, ability, matters_visible_to(user), pk, path_of="org_path",
        missing="没有找到该村级重大事项",
    )  # fmt: skip


def orgs_for_proposing(user: Any) -> QuerySet[Organization]:
    """村党组织 where the user may propose: RUN_MEETINGS there and the unit a village."""
    paths = scope_for(user).paths(Ability.RUN_MEETINGS)
    return (
        Organization.objects.active()
        .within(paths)
        .filter(unit__category__in=VILLAGE_CATEGORIES, kind__in=REVIEWING_KINDS)
        .select_related("unit")
    )
