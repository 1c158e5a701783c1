"""提醒: the daily run that turns 工作台 items into notifications.

Here, not in core, because it needs who the users are and their scopes (accounts); the items
come from the providers the apps registered with `core.workbench`. Run it once a day from the
background worker; running it twice, or on a day with nothing new, sends nothing twice.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

from django.contrib.auth import get_user_model
from django.db.models import Q
from django.utils import timezone

from dangjian.accounts.models import NODE_ROLES, RoleGrant
from dangjian.accounts.scope import scope_for
from dangjian.core import workbench
from dangjian.core.notify import notify


def _people() -> Iterator[Any]:
    """Active users who may have items: node roles, or a login linked to a member."""
    granted = RoleGrant.objects.current().filter(role__in=NODE_ROLES).values("user_id")
    users = get_user_model().objects.filter(
        Q(pk__in=granted) | Q(member__isnull=False), is_active=True
    )
    return users.order_by("pk").iterator(chunk_size=500)


def reminder_key(item: workbench.WorkItem) -> str:
    """One reminder per item and phase: when it comes into the window, and once more when it
    becomes overdue; a new due date (an extended probation) is a new item."""
    return f"{item.key}:{'overdue' if item.overdue else 'due'}"


def send_due_reminders(today: dt.date) -> int:
    """Notify every user of the 工作台 items they have not been told about; returns how many
    notifications were created."""
    created = 0
    for user in _people():
        for item in workbench.items_for(user, scope_for(user), today):
            body = "，".join(filter(None, [item.title, item.due_in_words(today)]))
            created += notify(
                recipient=user,
                title=f"{item.kind}：{item.subject}",
                body=body,
                link=item.url,
                key=reminder_key(item),
            )
    return created


def send_todays_reminders() -> int:
    """The daily job's entry point (the background worker's periodic registry calls it)."""
    return send_due_reminders(timezone.localdate())
