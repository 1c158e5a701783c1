"""Logins, logouts and failed logins go to the audit log."""

from __future__ import annotations

from typing import Any

from axes.signals import user_locked_out
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver

from dangjian.audit.actions import register_action
from dangjian.audit.services import record_audit
from dangjian.core.actors import Actor, client_ip

LOGIN = register_action("auth.login", "登录")
LOGOUT = register_action("auth.logout", "退出")
LOGIN_FAILED = register_action("auth.login_failed", "登录失败", tone="alert")
LOCKED_OUT = register_action("auth.locked_out", "账号锁定", tone="alert")


def _actor(user: Any, request: Any) -> Actor:
    return Actor(user=user, ip=client_ip(request))


@receiver(user_logged_in)
def on_login(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    record_audit(LOGIN, actor=_actor(user, request))


@receiver(user_logged_out)
def on_logout(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    if user is not None:
        record_audit(LOGOUT, actor=_actor(user, request))


@receiver(user_login_failed)
def on_login_failed(
    sender: Any, credentials: dict[str, Any], request: Any = None, **kw: Any
) -> None:
    name = str(credentials.get("username", ""))[:150]
    record_audit(LOGIN_FAILED, actor=_actor(None, request), actor_name=name)


@receiver(user_locked_out)
def on_locked_out(sender: Any, request: Any = None, username: str = "", **kw: Any) -> None:
    record_audit(LOCKED_OUT, actor=_actor(None, request), actor_name=(username or "")[:150])
