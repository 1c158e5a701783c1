"""Writing to the audit log. Every entry point records through `record_audit`."""

from __future__ import annotations

from typing import Any

from django.db import models
from django.http import HttpRequest

from dangjian.audit.models import AuditEvent
from dangjian.core.actors import Actor, client_ip

__all__ = ["client_ip", "record_audit"]


def record_audit(
    action: str,
    *,
    actor: Any = None,
    target: models.Model | None = None,
    detail: dict[str, Any] | None = None,
    request: HttpRequest | None = None,
    actor_name: str = "",
) -> AuditEvent:
    """审计: append one entry. Call it inside the same transaction as the change it records.

    `actor` is an `Actor` (user and address) or a bare user; a request, where given, supplies
    the address for callers not yet passing an Actor.
    """
    ip = actor.ip if isinstance(actor, Actor) else None
    if isinstance(actor, Actor):
        actor = actor.user
    user = actor if actor is not None and getattr(actor, "is_authenticated", False) else None
    return AuditEvent.objects.create(
        actor=user,
        actor_name=actor_name or (user.get_username() if user else ""),
        action=action,
        target_type=target._meta.label_lower if target is not None else "",
        target_id=str(target.pk) if target is not None else "",
        target_repr=str(target)[:200] if target is not None else "",
        detail=detail or {},
        ip=ip or client_ip(request),
    )
