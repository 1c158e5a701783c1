"""`{% transfer_panel member %}`: the member page's 组织关系转接 card (members/member_detail.html
loads it; the members app imports nothing of transfers)."""

from __future__ import annotations

from typing import Any

from django import template

from dangjian.accounts.abilities import Ability
from dangjian.accounts.scope import scope_for
from dangjian.transfers.selectors import transfers_of_member

register = template.Library()


@register.inclusion_tag("transfers/partials/member_panel.html", takes_context=True)
def transfer_panel(context: dict[str, Any], member: Any) -> dict[str, Any]:
    user = context["request"].user
    rows = list(transfers_of_member(user, member.pk)[:10])
    scope = scope_for(user)
    return {
        "member": member,
        "transfers": rows,
        "open": next((t for t in rows if t.is_open), None),
        "can_start": member.status == "active" and scope.can(Ability.EDIT_MEMBERS, member.org_path),
        # the member's own login asks for it (the branch accepts it)
        "can_request": member.status == "active" and scope.own_member_id == member.pk,
    }
