from __future__ import annotations

from collections.abc import Callable
from functools import cache
from typing import Any

from django.http import HttpRequest

from dangjian.core.notify import unread_count


def notifications(request: HttpRequest) -> dict[str, Callable[[], int]]:
    """The unread count beside 通知 in the navigation: one indexed count, made only when a
    template shows it (a callable; htmx fragments and PDFs never ask)."""
    user: Any = getattr(request, "user", None)
    return {"unread_notifications": cache(lambda: unread_count(user))}
