"""Which transfers a user sees: both sides, the approving 党委 and the member."""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet

from dangjian.accounts.abilities import Ability
from dangjian.accounts.scope import get_for, scope_for
from dangjian.core.paths import any_subtree_q
from dangjian.transfers.models import Transfer


def transfers_visible_to(user: Any) -> QuerySet[Transfer]:
    """Transfers out of or into organizations the user sees, those the user's 党委 approves,
    and the member's own."""
    scope = scope_for(user)
    view = scope.paths(Ability.VIEW_MEMBERS)
    q = (
        any_subtree_q("from_org__path", view)
        | any_subtree_q("to_org__path", view)
        | any_subtree_q("approver__path", scope.paths(Ability.APPROVE_TRANSFERS))
    )
    if scope.own_member_id is not None:
        q |= Q(member_id=scope.own_member_id)
    return Transfer.objects.filter(q).select_related("member", "from_org", "to_org", "approver")


def outgoing(user: Any) -> QuerySet[Transfer]:
    """转出: from organizations the user sees (or approves for)."""
    scope = scope_for(user)
    q = any_subtree_q("from_org__path", scope.paths(Ability.VIEW_MEMBERS)) | any_subtree_q(
        "approver__path", scope.paths(Ability.APPROVE_TRANSFERS)
    )
    if scope.own_member_id is not None:
        q |= Q(member_id=scope.own_member_id)
    return transfers_visible_to(user).filter(q)


def incoming(user: Any) -> QuerySet[Transfer]:
    """转入: into organizations the user sees."""
    paths = scope_for(user).paths(Ability.VIEW_MEMBERS)
    return transfers_visible_to(user).filter(any_subtree_q("to_org__path", paths))


def get_transfer_for_user(user: Any, pk: Any) -> Transfer:
    return get_for(user, None, transfers_visible_to(user), pk, missing="没有找到该组织关系转接")


def transfers_of_member(user: Any, member_id: int) -> QuerySet[Transfer]:
    return transfers_visible_to(user).filter(member_id=member_id)
