"""gunicorn's configuration: the one place it is set, for `make serve` (scripts/serve), the
systemd unit of docs/zh/deploy.md and the load bench:

    gunicorn -c python:dangjian.gunicorn_conf dangjian.wsgi

Read from the environment (docs/configuration.md): HOST and PORT (bind, default 127.0.0.1:8000),
DANGJIAN_WEB_WORKERS (processes, default 2 × cores + 1), DANGJIAN_WEB_TIMEOUT (seconds a request
may take before its worker is replaced, default 60). The access log goes to stdout and gunicorn's
own messages to stderr, both as JSON lines (dangjian.core.logs).
"""

from __future__ import annotations

import json
import os
import traceback
from typing import Any

from gunicorn.glogging import Logger

from dangjian.core.logs import JsonFormatter, access_entry


def _int(name: str, default: int) -> int:
    raw = os.environ.get(name, "").strip()
    return int(raw) if raw else default


bind = [f"{os.environ.get('HOST') or '127.0.0.1'}:{os.environ.get('PORT') or '8000'}"]

# Sync workers: a page is a few short queries and Python work; nginx in front buffers slow
# clients. 2 × cores + 1 (5 on the usual 2-core county server) keeps the cores busy while some
# workers wait on the database. Each process holds its own statistics column store (stats.columnar)
# once a county is large, so on a small machine with a province's data set fewer.
# The cores this process may run on (a container's or a taskset's), not the machine's.
CORES = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1
workers = _int("DANGJIAN_WEB_WORKERS", 2 * CORES + 1)
worker_class = "sync"
# Long work (imports, big exports, statistics rebuilds) runs in the task worker, never in a
# request: a request still running after this is stuck, and its worker is replaced.
timeout = _int("DANGJIAN_WEB_TIMEOUT", 60)
graceful_timeout = 30  # SIGTERM: finish the requests in flight, at most this long
keepalive = 5  # behind nginx, which keeps its upstream connections open
# Recycle each worker after about a thousand requests, staggered so they never restart together:
# bounds the damage of a slow leak in any library.
max_requests = 1000
max_requests_jitter = 200
# The workers' heartbeat files on tmpfs where there is one (a slow disk stalls the heartbeat).
worker_tmp_dir = "/dev/shm" if os.path.isdir("/dev/shm") else None
proc_name = "dangjian-web"

accesslog = "-"  # stdout
errorlog = "-"  # stderr
loglevel = os.environ.get("DANGJIAN_LOG_LEVEL", "info").lower()


class JsonLogger(Logger):
    """gunicorn's logger with JSON lines: its own messages through core.logs.JsonFormatter, and
    one access line a request built from the environ Django's RequestIdMiddleware filled in
    (request id, user id), with the path and never the query string."""

    def setup(self, cfg: Any) -> None:
        super().setup(cfg)
        for handler in self.error_log.handlers:
            handler.setFormatter(JsonFormatter())

    def access(self, resp: Any, req: Any, environ: dict[str, Any], request_time: Any) -> None:
        if not self.access_log_enabled:
            return
        try:
            entry = access_entry(
                environ,
                resp.status,
                request_time.total_seconds() * 1000,
                getattr(resp, "sent", None),
            )
            self.access_log.info(json.dumps(entry, ensure_ascii=False))
        except Exception:
            self.error(traceback.format_exc())


logger_class = JsonLogger
