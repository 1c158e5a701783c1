"""Structured logs (issue 16): JSON lines with the request id, and gunicorn's access line with
the method, the path without its query string, the status, the duration and the user's id, never
the query (it carries names and ID numbers) nor the user's name."""

from __future__ import annotations

import datetime as dt
import importlib
import json
import logging
import sys
from types import SimpleNamespace
from typing import Any

import pytest
from django.urls import reverse
from gunicorn.config import Config

from dangjian import gunicorn_conf
from dangjian.core import logs


def _record(msg: str = "hello %s", args: tuple[Any, ...] = ("world",), **extra: Any) -> Any:
    record = logging.LogRecord("dangjian.x", logging.WARNING, __file__, 1, msg, args, None)
    record.__dict__.update(extra)
    return record


def test_json_formatter_writes_one_object_a_line() -> None:
    line = logs.JsonFormatter().format(_record(status_code=404))
    entry = json.loads(line)
    assert "\n" not in line
    assert entry["message"] == "hello world" and entry["level"] == "WARNING"
    assert entry["logger"] == "dangjian.x" and entry["status_code"] == 404
    assert dt.datetime.fromisoformat(entry["time"]).tzinfo is not None


def test_json_formatter_drops_the_request_and_objects() -> None:
    """Django's django.request records carry the request, whose repr shows the query string."""
    request = SimpleNamespace(__repr__=lambda self: "<WSGIRequest: GET '/members/?q=张三'>")
    entry = json.loads(logs.JsonFormatter().format(_record(request=request, other=object())))
    assert "request" not in entry and "other" not in entry
    assert "张三" not in json.dumps(entry, ensure_ascii=False)


def test_json_formatter_adds_the_request_id_and_the_traceback() -> None:
    token = logs.request_id_var.set("abc123")
    try:
        try:
            raise ValueError("boom")
        except ValueError:
            record = _record()
            record.exc_info = sys.exc_info()
        entry = json.loads(logs.JsonFormatter().format(record))
    finally:
        logs.request_id_var.reset(token)
    assert entry["request_id"] == "abc123"
    assert "ValueError: boom" in entry["exc"]


@pytest.mark.django_db
def test_the_request_id_comes_from_nginx_or_is_made(client: Any) -> None:
    url = reverse("health-live")
    assert client.get(url, headers={"X-Request-ID": "7f3a-B.9_x"})["X-Request-ID"] == "7f3a-B.9_x"
    made = client.get(url)["X-Request-ID"]
    assert len(made) == 32 and made != client.get(url)["X-Request-ID"]
    for bad in ("a b", "x" * 65, "<script>", "a\u200bb"):
        assert client.get(url, headers={"X-Request-ID": bad})["X-Request-ID"] != bad


@pytest.mark.django_db
def test_records_written_during_a_request_carry_its_id(client: Any, monkeypatch: Any) -> None:
    from dangjian.core import health

    lines: list[dict[str, Any]] = []

    def check() -> health.Result:
        lines.append(json.loads(logs.JsonFormatter().format(_record())))
        return health.Result("x", "x", True)

    monkeypatch.setattr(health, "CHECKS", (check,))
    client.get(reverse("health"), headers={"X-Request-ID": "req-43"})
    assert [line["request_id"] for line in lines] == ["req-43"]
    assert logs.request_id_var.get() == ""  # and not after it


@pytest.mark.django_db
def test_the_user_id_is_left_for_the_access_line(client: Any, django_user_model: Any) -> None:
    user = django_user_model.objects.create_user(username="zhangsan", password="x")
    client.force_login(user)
    response = client.get(reverse("core:home"))
    assert response.wsgi_request.META[logs.ENVIRON_USER_ID] == user.pk
    assert response.wsgi_request.META[logs.ENVIRON_REQUEST_ID] == response["X-Request-ID"]


def _environ(**extra: Any) -> dict[str, Any]:
    return {
        "REQUEST_METHOD": "GET",
        "PATH_INFO": "/members/",
        "QUERY_STRING": "q=张三&id=110101199003077777",
        "RAW_URI": "/members/?q=张三&id=110101199003077777",
        "SERVER_PROTOCOL": "HTTP/1.1",
        **extra,
    }


def test_gunicorn_writes_the_access_line_as_json(capsys: Any) -> None:
    cfg = Config()
    cfg.set("accesslog", "-")
    logger = gunicorn_conf.JsonLogger(cfg)
    environ = _environ(**{logs.ENVIRON_REQUEST_ID: "r1", logs.ENVIRON_USER_ID: 42})
    response = SimpleNamespace(status="200 OK", sent=1234, headers=[])
    logger.access(response, SimpleNamespace(headers=[]), environ, dt.timedelta(milliseconds=37))
    out = capsys.readouterr().out
    entry = json.loads(out.strip().splitlines()[-1])
    assert entry == {
        "time": entry["time"],
        "level": "INFO",
        "logger": "gunicorn.access",
        "request_id": "r1",
        "method": "GET",
        "path": "/members/",
        "status": 200,
        "duration_ms": 37.0,
        "bytes": 1234,
        "user_id": 42,
    }
    assert "张三" not in out and "110101" not in out


def test_gunicorn_errors_are_json_lines(capsys: Any) -> None:
    logger = gunicorn_conf.JsonLogger(Config())
    logger.error("worker %s timed out", 7)
    entry = json.loads(capsys.readouterr().err.strip().splitlines()[-1])
    assert entry["message"] == "worker 7 timed out" and entry["level"] == "ERROR"


def test_gunicorn_conf_reads_host_port_and_workers(monkeypatch: Any) -> None:
    monkeypatch.setenv("HOST", "0.0.0.0")
    monkeypatch.setenv("PORT", "9123")
    monkeypatch.setenv("DANGJIAN_WEB_WORKERS", "3")
    try:
        conf = importlib.reload(gunicorn_conf)
        assert conf.bind == ["0.0.0.0:9123"] and conf.workers == 3
    finally:
        monkeypatch.undo()
        conf = importlib.reload(gunicorn_conf)
    assert conf.bind == ["127.0.0.1:8000"]
    assert conf.workers >= 3 and conf.max_requests_jitter > 0 and conf.accesslog == "-"
    assert conf.logger_class is conf.JsonLogger
