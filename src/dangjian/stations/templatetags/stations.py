"""`{% load stations %}{% help_section member %}`: a member's help records (帮扶记录) the user may
see, with a link to record more, for another app's page (a mobile member's stay page);
`{% help_section member region=code %}` adds the open stations where the member is (流入地)."""

from __future__ import annotations

from typing import Any

from django import template

from dangjian.members.models import Member
from dangjian.stations.selectors import (
    help_for_member,
    helpable_members,
    may_record_help,
    stations_near,
)

register = template.Library()


@register.inclusion_tag("stations/partials/help_section.html", takes_context=True)
def help_section(context: Any, member: Member, region: str = "") -> dict[str, Any]:
    user = context["request"].user
    can_record = may_record_help(user) and helpable_members(user).filter(pk=member.pk).exists()
    return {
        "member": member,
        "helps": list(help_for_member(user, member)[:20]),
        "can_record": can_record,
        "near": stations_near(region, limit=5) if region else [],
    }
