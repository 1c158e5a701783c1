"""Long work off the request thread: roster checks, imports and big exports, statistics folds.

Deliberately small: a thread in the web process, started after the transaction that created
the job commits, and a progress table in memory. Statuses live in the database, so a page
polling a job from another process still sees it start and finish (just not the percentage).
Tests, and DANGJIAN_JOBS_INLINE=true, run the work inline.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.db import close_old_connections, connections, transaction

log = logging.getLogger(__name__)
_progress: dict[str, tuple[int, int]] = {}
_lock = threading.Lock()


def run(key: str, work: Callable[..., Any], *args: Any) -> None:
    """Run `work(*args)` now (inline mode) or in a thread once the current transaction commits."""
    if settings.DANGJIAN_JOBS_INLINE:
        try:
            work(*args)
        finally:
            forget(key)
        return

    def target() -> None:
        close_old_connections()
        try:
            work(*args)
        except Exception:  # the work records its own failure; this is the last resort
            log.exception("background job %s failed", key)
        finally:
            forget(key)
            connections.close_all()

    transaction.on_commit(
        lambda: threading.Thread(target=target, name=f"job-{key}", daemon=True).start()
    )


def report(key: str, done: int, total: int) -> None:
    with _lock:
        _progress[key] = (done, total)


def progress(key: str) -> tuple[int, int] | None:
    with _lock:
        return _progress.get(key)


def forget(key: str) -> None:
    with _lock:
        _progress.pop(key, None)
