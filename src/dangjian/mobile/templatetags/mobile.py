"""`{% mobile_panel member %}`: the member page's 流动党员 panel (the open stay, its flags, and
外出登记 for those who may register one)."""

from __future__ import annotations

from typing import Any

from django import template

from dangjian.accounts.abilities import Ability
from dangjian.accounts.scope import scope_for
from dangjian.core.dates import today
from dangjian.mobile.selectors import Limits, flags, side_of, stays_visible_to

register = template.Library()


@register.inclusion_tag("mobile/partials/member_panel.html", takes_context=True)
def mobile_panel(context: Any, member: Any) -> dict[str, Any]:
    user = context["request"].user
    stays = list(
        stays_visible_to(user)
        .filter(member_id=member.pk)
        .select_related("destination_org")
        .order_by("-start_on", "-id")[:5]
    )
    current = next((s for s in stays if s.is_open), None)
    can_register = (
        current is None
        and member.status == "active"
        and scope_for(user).can(Ability.EDIT_MEMBERS, member.org_path)
    )
    return {
        "member": member,
        "stays": stays,
        "current": current,
        "flags": flags(current, Limits.on(today())) if current else None,
        "home": current is not None and side_of(user, current) == "home",
        "can_register": can_register,
    }
