"""Structured logs (issue 16): one JSON object a line in production, for journald or a log
collector, human-readable in development (settings.LOGGING).

Every request carries an id: nginx's X-Request-ID when it sends a sane one, else a fresh one. It
is returned in the response's X-Request-ID header, added to every log record written while the
request runs, and left in the WSGI environ (with the user's id) for gunicorn's access line
(dangjian.gunicorn_conf.JsonAccessLogger): one line a request, with the method, the path WITHOUT
its query string (queries carry names and ID numbers), the status, the duration and the user's
id, never their name.

No Django import at module level: gunicorn's configuration imports this before Django is set up.
"""

from __future__ import annotations

import contextvars
import datetime as dt
import json
import logging
import re
import uuid
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from django.http import HttpRequest, HttpResponseBase

request_id_var: contextvars.ContextVar[str] = contextvars.ContextVar("request_id", default="")

# Keys gunicorn's access logger reads from the WSGI environ (= Django's request.META).
ENVIRON_REQUEST_ID = "dangjian.request_id"
ENVIRON_USER_ID = "dangjian.user_id"

# nginx's $request_id is 32 hex digits; accept any short token, never anything that could
# smuggle a newline or markup into a log line.
_SANE_ID = re.compile(r"[A-Za-z0-9._-]{1,64}\Z")

_STANDARD = set(vars(logging.LogRecord("", 0, "", 0, "", None, None))) | {"message", "asctime"}
# Extras Django attaches that must not be logged: the request's repr carries its query string.
_DROPPED = {"request", "server_time"}


def new_request_id() -> str:
    return uuid.uuid4().hex


class JsonFormatter(logging.Formatter):
    """time, level, logger, message, request_id (inside a request), simple `extra` values, and
    the traceback if any. Objects in extras are dropped rather than repr'd: a repr may carry
    personal data (Django's request repr shows the query string)."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "time": dt.datetime.fromtimestamp(record.created, dt.UTC).isoformat(
                timespec="milliseconds"
            ),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        request_id = request_id_var.get()
        if request_id:
            entry["request_id"] = request_id
        for key, value in record.__dict__.items():
            if key in _STANDARD or key in _DROPPED or key.startswith("_") or key in entry:
                continue
            if value is None or isinstance(value, str | int | float | bool):
                entry[key] = value
        if record.exc_info:
            entry["exc"] = self.formatException(record.exc_info)
        if record.stack_info:
            entry["stack"] = self.formatStack(record.stack_info)
        return json.dumps(entry, ensure_ascii=False)


class RequestIdMiddleware:
    """First in settings.MIDDLEWARE, so redirects, static files and errors carry the id too."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        incoming = request.META.get("HTTP_X_REQUEST_ID", "")
        request_id = incoming if _SANE_ID.match(incoming) else new_request_id()
        request.META[ENVIRON_REQUEST_ID] = request_id
        token = request_id_var.set(request_id)
        try:
            response = self.get_response(request)
        finally:
            request_id_var.reset(token)
        response["X-Request-ID"] = request_id
        # Only a user the request already loaded: never a session query just for the log.
        user = getattr(request, "_cached_user", None)
        if user is not None and user.is_authenticated:
            request.META[ENVIRON_USER_ID] = user.pk
        return response


def access_entry(
    environ: dict[str, Any], status: str | int, duration_ms: float, sent: int | None
) -> dict[str, Any]:
    """The access line's fields, shared by gunicorn's logger and its test."""
    code = int(str(status).split(None, 1)[0]) if status else 0
    return {
        "time": dt.datetime.now(dt.UTC).isoformat(timespec="milliseconds"),
        "level": "INFO",
        "logger": "gunicorn.access",
        "request_id": environ.get(ENVIRON_REQUEST_ID, ""),
        "method": environ.get("REQUEST_METHOD", ""),
        "path": environ.get("PATH_INFO", ""),  # never QUERY_STRING or RAW_URI
        "status": code,
        "duration_ms": round(duration_ms, 1),
        "bytes": sent,
        "user_id": environ.get(ENVIRON_USER_ID),
    }
