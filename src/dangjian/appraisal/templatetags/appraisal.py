"""`{% appraisal_panel member %}`: the member page's 民主评议 panel (the grades of past years,
and a 组织处置 under way for those who see it)."""

from __future__ import annotations

from typing import Any

from django import template

from dangjian.appraisal.selectors import dispositions_visible_to, results_of

register = template.Library()


@register.inclusion_tag("appraisal/partials/member_panel.html", takes_context=True)
def appraisal_panel(context: Any, member: Any) -> dict[str, Any]:
    user = context["request"].user
    results = list(results_of(member)[:10])
    dispositions = list(
        dispositions_visible_to(user).filter(member_id=member.pk).order_by("-created_at")[:5]
    )
    return {"member": member, "results": results, "dispositions": dispositions}
