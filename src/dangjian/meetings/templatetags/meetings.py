"""`{% meetings_panel member %}`: the member page's 组织生活参加情况 — the meetings the member
attended in the last twelve months, at home or (away from home) at the destination."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import template

from dangjian.core.dates import today
from dangjian.meetings.selectors import participation

register = template.Library()


@register.inclusion_tag("meetings/partials/member_panel.html", takes_context=True)
def meetings_panel(context: Any, member: Any) -> dict[str, Any]:
    end = today()
    start = end - dt.timedelta(days=365)
    return {"member": member, "rows": participation(member, start, end), "start": start}
