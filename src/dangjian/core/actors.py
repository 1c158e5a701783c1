"""Who acts (操作人): the user and the address they act from, handed to every service.

Services never see an `HttpRequest`: a page or API view builds an `Actor` from its request, a
management command or a task builds one from a user (or `Actor.system()` for scheduled work),
and the audit log reads the user and address from it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Actor:
    """操作人: a user (None for the system's own scheduled work) and their address."""

    user: Any
    ip: str | None = None

    @classmethod
    def from_request(cls, request: Any) -> Actor:
        return cls(user=request.user, ip=client_ip(request))

    @classmethod
    def system(cls) -> Actor:
        return cls(user=None)

    @property
    def is_system(self) -> bool:
        return self.user is None


def as_actor(actor: Any) -> Actor:
    """An `Actor` from an Actor or a bare user (tests and shells pass users)."""
    if isinstance(actor, Actor):
        return actor
    return Actor(user=actor)


def actor_user(actor: Any) -> Any:
    """The user behind an Actor or a bare user."""
    return actor.user if isinstance(actor, Actor) else actor


def client_ip(request: Any) -> str | None:
    if request is None:
        return None
    # Behind a reverse proxy, REMOTE_ADDR is the proxy; the deployment sets X-Forwarded-For.
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    ip = forwarded.split(",")[0].strip() if forwarded else request.META.get("REMOTE_ADDR")
    return ip or None
