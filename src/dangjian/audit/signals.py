"""Logins, logouts and failed logins go to the audit log."""

from __future__ import annotations

from typing import Any

from axes.signals import user_locked_out
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver

from dangjian.audit.models import AuditEvent
from dangjian.audit.services import record_audit


@receiver(user_logged_in)
def on_login(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    record_audit(AuditEvent.Action.LOGIN, actor=user, request=request)


@receiver(user_logged_out)
def on_logout(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    if user is not None:
        record_audit(AuditEvent.Action.LOGOUT, actor=user, request=request)


@receiver(user_login_failed)
def on_login_failed(
    sender: Any, credentials: dict[str, Any], request: Any = None, **kw: Any
) -> None:
    name = str(credentials.get("username", ""))[:150]
    record_audit(AuditEvent.Action.LOGIN_FAILED, actor_name=name, request=request)


@receiver(user_locked_out)
def on_locked_out(sender: Any, request: Any = None, username: str = "", **kw: Any) -> None:
    record_audit(AuditEvent.Action.LOCKED_OUT, actor_name=(username or "")[:150], request=request)
