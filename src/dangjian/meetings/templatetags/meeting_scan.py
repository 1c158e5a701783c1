"""`{% scan_panel meeting %}`: the 扫码确认出席 panel of a meeting's page, with the switch for
whoever may run the meeting (so the meeting page's view need not know about scanning)."""

from __future__ import annotations

from typing import Any

from django import template

from dangjian.core.dates import today
from dangjian.meetings.models import Meeting
from dangjian.meetings.scan import may_present

register = template.Library()


@register.inclusion_tag("meetings/scan_panel.html", takes_context=True)
def scan_panel(context: dict[str, Any], meeting: Meeting) -> dict[str, Any]:
    request = context.get("request")
    user = getattr(request, "user", None)
    can = bool(user and user.is_authenticated and may_present(user, meeting))
    return {
        "meeting": meeting,
        "can_present": can,
        "past": meeting.date < today(),  # a scan is only taken on the meeting's day
        "csrf_token": context.get("csrf_token"),
    }
