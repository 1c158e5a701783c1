"""通知: tell a user something, in the app and through whatever other channels are configured.

`notify(...)` stores a `Notification` (the in-app message, always) and, once the transaction
commits, hands it to each channel in `settings.DANGJIAN_NOTIFY_CHANNELS` (dotted paths to
classes with a `deliver(notification)` method). Only the in-app channel exists now; an SMS or
mail channel is one class added to that list (practice.md: reminders by SMS or WeChat where the
deployment has them, in-app notices always).
"""

from __future__ import annotations

import logging
from functools import cache
from typing import Any, Protocol

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.module_loading import import_string

from dangjian.core.models import Notification

log = logging.getLogger(__name__)


class Channel(Protocol):
    """A way to reach the recipient beyond the app. `deliver` runs after the commit; a
    failure is logged and never undoes the in-app notification."""

    def deliver(self, notification: Notification) -> None: ...


class InAppChannel:
    """站内通知: the stored row is the delivery; nothing more to send."""

    def deliver(self, notification: Notification) -> None:
        return None


@cache
def _channels(paths: tuple[str, ...]) -> tuple[Channel, ...]:
    return tuple(import_string(path)() for path in paths)


def channels() -> tuple[Channel, ...]:
    return _channels(tuple(getattr(settings, "DANGJIAN_NOTIFY_CHANNELS", ())))


def notify(*, recipient: Any, title: str, body: str = "", link: str = "", key: str = "") -> bool:
    """Store a notification for `recipient` and send it on every channel after the commit.

    With a `key`, the same recipient is told once per key: a second call returns False and
    stores nothing (the daily reminder run relies on this)."""
    if key and Notification.objects.filter(recipient=recipient, key=key).exists():
        return False
    try:
        with transaction.atomic():  # a savepoint: a concurrent run's duplicate is not an error
            note = Notification.objects.create(
                recipient=recipient, title=title[:200], body=body[:500], link=link, key=key
            )
    except IntegrityError:
        return False
    transaction.on_commit(lambda: _deliver(note))
    return True


def _deliver(note: Notification) -> None:
    for channel in channels():
        try:
            channel.deliver(note)
        except Exception:  # one channel down must not stop the others
            log.exception("notification %s not delivered by %s", note.pk, type(channel).__name__)


def unread_count(user: Any) -> int:
    if not getattr(user, "is_authenticated", False):
        return 0
    return Notification.objects.filter(recipient=user, read_at__isnull=True).count()


def mark_read(*, user: Any, pk: int | None = None) -> int:
    """Mark one of the user's notifications (or, without pk, all of them) read."""
    unread = Notification.objects.filter(recipient=user, read_at__isnull=True)
    if pk is not None:
        unread = unread.filter(pk=pk)
    return unread.update(read_at=timezone.now())
