"""Writing to the audit log. Every entry point records through `record_audit`."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from django.db import models

from dangjian.audit.actions import AuditAction, get_action
from dangjian.audit.models import AuditEvent
from dangjian.core.actors import as_actor, client_ip
from dangjian.core.masking import mask_id_number, mask_phone

__all__ = ["before_after", "client_ip", "record_audit"]

# Personal data never enters the log in full, whichever service records a change of it.
MASKS: dict[str, Callable[[str], str]] = {"id_number": mask_id_number, "phone": mask_phone}


def record_audit(
    action: AuditAction | str,
    *,
    actor: Any = None,
    target: models.Model | None = None,
    detail: dict[str, Any] | None = None,
    actor_name: str = "",
) -> AuditEvent:
    """审计: append one entry. Call it inside the same transaction as the change it records.

    `action` is a declared action (audit.actions); `actor` is an `Actor` (user and address), a
    bare user, or None for the system.
    """
    name = get_action(action).name
    who = as_actor(actor)
    user = who.user if getattr(who.user, "is_authenticated", False) else None
    return AuditEvent.objects.create(
        actor=user,
        actor_name=actor_name or (user.get_username() if user else ""),
        action=name,
        target_type=target._meta.label_lower if target is not None else "",
        target_id=str(target.pk) if target is not None else "",
        target_repr=str(target)[:200] if target is not None else "",
        detail=detail or {},
        ip=who.ip,
    )


def before_after(before: Mapping[str, Any], after: Mapping[str, Any]) -> dict[str, dict[str, Any]]:
    """修改前后: `{before, after}` of the fields whose value changed, personal data masked.

    Values should be JSON-ready (dates as ISO strings, related objects as their names)."""
    changed = [k for k in after if before.get(k) != after[k]]
    return {
        "before": {k: _masked(k, before.get(k)) for k in changed},
        "after": {k: _masked(k, after[k]) for k in changed},
    }


def _masked(key: str, value: Any) -> Any:
    mask = MASKS.get(key)
    return mask(str(value)) if mask is not None and value else value
