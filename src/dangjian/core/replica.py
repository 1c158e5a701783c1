"""只读副本: reports and exports may read a streaming replica (DATABASE_REPLICA_URL).

Nothing reads the replica unless its code says it may: a read inside ``replica_ok()`` (a context
manager, or ``@replica_ok()`` on a function) is allowed to be a little stale, every other read
and every write goes to the primary. So a write path can never read stale data by accident;
the few places marked are the statistics pages and their exports, the column store's loading,
roster exports and the mobile members' export.

Inside a ``replica_ok`` block the primary is still used when

* no replica is configured (``"replica"`` not in DATABASES): nothing changes;
* the user wrote within DANGJIAN_REPLICA_STICKY_SECONDS (a signed cookie set by
  :class:`StickyMiddleware` after a request that wrote), or this request wrote already: a user
  sees their own writes;
* the default connection is inside a transaction (it may hold writes the replica cannot have);
* the replica is behind by more than DANGJIAN_REPLICA_MAX_LAG_SECONDS, or does not answer
  (measured at most every REFRESH seconds per process, logged when the state changes): a
  replica that is down costs the primary's load, never an error page;
* ``seen=`` names a row (a background task's own job) that the replica does not have yet.

The decision is taken once when the block starts, so one block reads one database (a load that
reads a horizon and then the rows must not mix the two). ``primary_only()`` forces the primary.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from functools import wraps
from typing import Any, TypeVar

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, InterfaceError, OperationalError, connections
from django.db.models import Model
from django.http import HttpRequest, HttpResponse

log = logging.getLogger(__name__)
F = TypeVar("F", bound=Callable[..., Any])

REPLICA = "replica"
REFRESH = 2.0  # seconds a lag reading is reused by this process
COOKIE = "dj_wrote"  # signed; its signature's age is the time since the user's last write
SALT = "dangjian.core.replica.sticky"
SAFE_METHODS = ("GET", "HEAD", "OPTIONS", "TRACE")


def configured() -> bool:
    return REPLICA in settings.DATABASES


# ---- where a read goes ------------------------------------------------------------------------


@dataclass
class _Block:
    alias: str
    wrote: bool = False


@dataclass
class _Request:
    pinned: bool  # the user wrote within the sticky window
    wrote: bool = False  # this request wrote


_block: ContextVar[_Block | None] = ContextVar("replica_block", default=None)
_request: ContextVar[_Request | None] = ContextVar("replica_request", default=None)


def read_alias() -> str:
    """Where a read issued now goes: the replica inside a block that chose it (and outside any
    transaction on the primary), else the primary. Raw SQL uses ``connections[read_alias()]``."""
    block = _block.get()
    if block is None or block.alias != REPLICA:
        return DEFAULT_DB_ALIAS
    if connections[DEFAULT_DB_ALIAS].in_atomic_block:
        return DEFAULT_DB_ALIAS
    return REPLICA


def _noted_write() -> None:
    for scope in (_block.get(), _request.get()):
        if scope is not None:
            scope.wrote = True


class ReplicaRouter:
    """settings.DATABASE_ROUTERS when a replica is configured: reads as :func:`read_alias`
    says (never by the instance's own database, so an object read from the replica does not
    drag later reads there), writes always to the primary, no migrations on the replica."""

    def db_for_read(self, model: type[Model], **hints: Any) -> str:
        return read_alias()

    def db_for_write(self, model: type[Model], **hints: Any) -> str:
        _noted_write()
        return DEFAULT_DB_ALIAS

    def allow_relation(self, obj1: Model, obj2: Model, **hints: Any) -> bool:
        return True  # both aliases are the same data

    def allow_migrate(self, db: str, app_label: str, **hints: Any) -> bool | None:
        # Only the primary's own alias: the replica is a physical copy, and PostgreSQL's
        # "progress" alias is a second connection to the primary (makemigrations checks every
        # alias a router allows).
        return db == DEFAULT_DB_ALIAS


def _choose(seen: Model | None) -> str:
    outer = _block.get()
    if outer is not None:
        return outer.alias  # nested: one block, one database
    if not configured() or connections[DEFAULT_DB_ALIAS].in_atomic_block:
        return DEFAULT_DB_ALIAS
    request = _request.get()
    if request is not None and (request.pinned or request.wrote):
        return DEFAULT_DB_ALIAS
    if not reading().usable:
        return DEFAULT_DB_ALIAS
    if seen is not None and not _replica_has(seen):
        return DEFAULT_DB_ALIAS
    return REPLICA


def _replica_has(row: Model) -> bool:
    """Whether the replica has replayed the commit of `row` (and so every earlier one)."""
    try:
        return type(row)._default_manager.using(REPLICA).filter(pk=row.pk).exists()
    except (OperationalError, InterfaceError):
        _went_down()
        return False


class replica_ok:  # lower case, like contextlib's context managers
    """Reads inside may come from the replica (see the module docstring).

    ``with replica_ok():`` or ``@replica_ok()``. As a decorator it also survives a replica
    that stops answering mid-way: the function is run again on the primary, unless it wrote
    already (decorate functions that read first and write last, if at all)."""

    def __init__(self, *, seen: Model | None = None) -> None:
        self.seen = seen
        self._tokens: list[Any] = []

    def __enter__(self) -> str:
        block = _Block(_choose(self.seen))
        self._tokens.append(_block.set(block))
        return block.alias

    def __exit__(self, *exc: object) -> None:
        _block.reset(self._tokens.pop())

    def __call__(self, func: F) -> F:
        seen = self.seen

        @wraps(func)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            block = _Block(_choose(seen))
            token = _block.set(block)
            try:
                return func(*args, **kwargs)
            except (OperationalError, InterfaceError):
                if block.alias != REPLICA or block.wrote or not _replica_broken():
                    raise
            finally:
                _block.reset(token)
            _went_down()
            with primary_only():
                return func(*args, **kwargs)

        return wrapper  # type: ignore[return-value]


@contextmanager
def primary_only() -> Iterator[None]:
    """Reads inside go to the primary, replica_ok blocks inside included."""
    token = _block.set(_Block(DEFAULT_DB_ALIAS))
    try:
        yield
    finally:
        _block.reset(token)


# ---- the replica's state -------------------------------------------------------------------------


@dataclass(frozen=True)
class Reading:
    state: str  # "ok", "lagging", "down", or "off" (none configured)
    lag: float | None = None  # seconds, for logs and tests (never on the public probe)
    at: float = 0.0  # time.monotonic() of the reading

    @property
    def usable(self) -> bool:
        return self.state == "ok"


_reading: Reading | None = None
_measuring = threading.Lock()


def reading(*, fresh: bool = False) -> Reading:
    """The replica's state, measured at most every REFRESH seconds per process. While another
    thread measures, the last reading stands (or, before any, the primary is used)."""
    global _reading
    if not configured():
        return Reading("off")
    last = _reading
    if not fresh and last is not None and time.monotonic() - last.at < REFRESH:
        return last
    if not _measuring.acquire(blocking=fresh):
        return last if last is not None else Reading("down")
    try:
        now = _measure()
        _note(last, now)
        _reading = now
        return now
    finally:
        _measuring.release()


def forget() -> None:
    """Drop the cached reading (tests; a process that knows the replica changed)."""
    global _reading
    _reading = None


def _went_down() -> None:
    global _reading
    now = Reading("down", None, time.monotonic())
    _note(_reading, now)
    _reading = now
    _close_replica()


def _note(before: Reading | None, now: Reading) -> None:
    if before is not None and before.state == now.state:
        return
    if now.state == "lagging":
        log.warning("read replica is %.1f s behind: reports read the primary", now.lag or 0)
    elif now.state == "down":
        log.warning("read replica does not answer: reports read the primary")
    elif before is not None:
        log.warning("read replica is back: reports read it again")


def lag_seconds() -> float:
    """How far the replica is behind the primary: 0 when it has replayed the primary's current
    WAL position, else the time since the last transaction it replayed (infinite before any).
    A replica that is not a standby (a test mirror, or the primary itself) is never behind."""
    replica = connections[REPLICA]
    if replica.vendor != "postgresql":
        return 0.0
    with connections[DEFAULT_DB_ALIAS].cursor() as cursor:
        cursor.execute("SELECT pg_current_wal_lsn()::text")
        primary_lsn = cursor.fetchone()[0]
    with replica.cursor() as cursor:
        cursor.execute(
            "SELECT pg_is_in_recovery(), pg_wal_lsn_diff(%s::pg_lsn, pg_last_wal_replay_lsn()), "
            "EXTRACT(EPOCH FROM clock_timestamp() - pg_last_xact_replay_timestamp())",
            [primary_lsn],
        )
        standby, behind, since = cursor.fetchone()
    if not standby or (behind is not None and behind <= 0):
        return 0.0
    return float("inf") if since is None else max(0.0, float(since))


def _measure() -> Reading:
    at = time.monotonic()
    try:
        lag = lag_seconds()
    except Exception:  # a replica that cannot be asked is down, whatever the error
        _close_replica()
        return Reading("down", None, at)
    limit = settings.DANGJIAN_REPLICA_MAX_LAG_SECONDS
    return Reading("ok" if lag <= limit else "lagging", lag, at)


def _replica_broken() -> bool:
    replica = connections[REPLICA]
    return replica.connection is None or not replica.is_usable()


def _close_replica() -> None:
    try:
        connections[REPLICA].close()
    except Exception:  # closing a dead connection may raise; it is gone either way
        log.debug("closing the replica connection failed", exc_info=True)


# ---- a user's own writes -----------------------------------------------------------------------


class StickyMiddleware:
    """A user reads the primary for DANGJIAN_REPLICA_STICKY_SECONDS after their own write.

    A request wrote when it used the ORM to write (the router sees every write) or was a POST
    (or other unsafe method) answered with a redirect, as a form that saved is; a form sent back
    with errors did not write. Its response then carries a signed cookie whose signature's age
    is the time since. Requests carrying a fresh one read the primary, as does
    the rest of a request once it has written. Without a replica it does nothing."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if not configured():
            return self.get_response(request)
        window = settings.DANGJIAN_REPLICA_STICKY_SECONDS
        pinned = request.get_signed_cookie(COOKIE, default=None, salt=SALT, max_age=window)
        scope = _Request(pinned=pinned is not None)
        token = _request.set(scope)
        try:
            response = self.get_response(request)
        finally:
            _request.reset(token)
        redirected = request.method not in SAFE_METHODS and 300 <= response.status_code < 400
        if scope.wrote or redirected:
            response.set_signed_cookie(
                COOKIE,
                "1",
                salt=SALT,
                max_age=window,
                httponly=True,
                samesite="Lax",
                secure=settings.SESSION_COOKIE_SECURE,
            )
        return response
