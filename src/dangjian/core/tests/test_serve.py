"""The production shape for real (issue 16, part 1): scripts/serve on a free port with its own
var dir starts gunicorn and the task worker; /health/ turns 200 (which takes the worker's
heartbeat); the pages carry the Content-Security-Policy and, on plain http, neither HSTS nor
Secure cookies; a hashed static file comes from WhiteNoise, compressed and cached for a year; a
demo secretary logs in; the access log is JSON without query strings; SIGTERM stops everything
and the script exits 0. (A child dying: test_serve_script.py, with stand-ins.)"""

from __future__ import annotations

import gzip
import http.cookiejar
import json
import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path
from typing import Any

import pytest

pytestmark = pytest.mark.faults

ROOT = Path(__file__).resolve().parents[4]
START_TIMEOUT = 300  # migrate and the demo county: ~30 s on an idle 2-core machine


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


def _session_pids(sid: int) -> list[int]:
    pids = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if os.getsid(int(entry.name)) == sid:
                    pids.append(int(entry.name))
            except ProcessLookupError:
                pass
    return pids


def _start(tmp: Path, port: int, name: str) -> subprocess.Popen[bytes]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DANGJIAN_", "DATABASE_"))}
    env.update(
        PY=sys.executable,
        PYTHONPATH=str(ROOT / "src"),
        HOST="127.0.0.1",
        PORT=str(port),
        DANGJIAN_VAR_DIR=str(tmp / "var"),
        DANGJIAN_STATIC_ROOT=str(tmp / "static"),
        DANGJIAN_WEB_WORKERS="2",
    )
    return subprocess.Popen(
        [str(ROOT / "scripts" / "serve")],
        cwd=ROOT,
        env=env,
        stdout=(tmp / f"{name}.stdout").open("w"),
        stderr=(tmp / f"{name}.stderr").open("w"),
        start_new_session=True,
    )


def _wait_for(proc: subprocess.Popen[bytes], url: str, tmp: Path, name: str) -> None:
    deadline = time.monotonic() + START_TIMEOUT
    while True:
        assert proc.poll() is None, f"scripts/serve exited: {(tmp / f'{name}.stderr').read_text()}"
        assert time.monotonic() < deadline, f"{url} never answered 200"
        try:
            with urllib.request.urlopen(url, timeout=5) as answer:
                if answer.status == 200:
                    return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            pass
        time.sleep(0.5)


def _gone(sid: int) -> bool:
    deadline = time.monotonic() + 10
    while _session_pids(sid) and time.monotonic() < deadline:
        time.sleep(0.2)
    return _session_pids(sid) == []


@pytest.fixture
def served(tmp_path: Path) -> Any:
    port = _free_port()
    proc = _start(tmp_path, port, "first")
    base = f"http://127.0.0.1:{port}"
    try:
        _wait_for(proc, f"{base}/health/", tmp_path, "first")  # 200 needs the worker's beat
        yield SimpleServer(base, proc, tmp_path)
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()


class SimpleServer:
    def __init__(self, base: str, proc: subprocess.Popen[bytes], tmp: Path) -> None:
        self.base, self.proc, self.tmp = base, proc, tmp
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(self.jar), _NoRedirect
        )

    def get(self, path: str, **headers: str) -> Any:
        try:
            return self.opener.open(urllib.request.Request(self.base + path, headers=headers))
        except urllib.error.HTTPError as answer:  # redirects and errors, read as answers
            return answer

    def post(self, path: str, data: dict[str, str]) -> Any:
        body = urllib.parse.urlencode(data).encode()
        request = urllib.request.Request(
            self.base + path, data=body, headers={"Referer": self.base}
        )
        try:
            return self.opener.open(request)
        except urllib.error.HTTPError as answer:
            return answer


def test_serve_runs_the_production_shape_and_stops_cleanly(served: SimpleServer) -> None:
    # secrets generated once, readable by the owner only
    for secret in ("secret_key", "keys/field.key"):
        assert (served.tmp / "var" / secret).stat().st_mode & 0o777 == 0o600

    login = served.get("/accounts/login/")
    html = login.read().decode()
    assert login.status == 200
    policy = login.headers["Content-Security-Policy"]
    assert "script-src 'self'" in policy and "frame-ancestors 'none'" in policy
    assert "unsafe-eval" not in policy
    assert login.headers["Strict-Transport-Security"] is None  # plain http: no HSTS
    assert login.headers["X-Frame-Options"] == "DENY"
    assert re.fullmatch(r"[0-9a-f]{32}", login.headers["X-Request-ID"])
    cookie = login.headers["Set-Cookie"]
    assert cookie.startswith("csrftoken=") and "SameSite=Lax" in cookie
    assert "Secure" not in cookie  # DANGJIAN_TLS=0: a Secure cookie never comes back over http

    # a hashed static file, from WhiteNoise, compressed, cached for a year
    css = re.search(r'href="(/static/core/app\.[0-9a-f]{12}\.css)"', html)
    assert css, "the page does not link the hashed stylesheet"
    static = served.get(css.group(1), **{"Accept-Encoding": "gzip"})
    assert static.status == 200
    assert "max-age=315360000" in static.headers["Cache-Control"]
    assert "immutable" in static.headers["Cache-Control"]
    assert static.headers["Content-Encoding"] == "gzip"
    assert b".htmx-indicator" in gzip.decompress(static.read())

    # a demo secretary logs in over plain http on 127.0.0.1
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html)
    assert token
    answer = served.post(
        "/accounts/login/",
        {"csrfmiddlewaretoken": token.group(1), "username": "secretary", "password": "Demo@2026"},
    )
    assert answer.status == 302, answer.read().decode()[:500]
    session = next(c for c in served.jar if c.name == "sessionid")
    assert session.has_nonstandard_attr("HttpOnly") and not session.secure
    home = served.get("/")
    assert home.status == 200 and "工作台" in home.read().decode()
    search = served.get("/members/?q=" + urllib.parse.quote("张三"))
    assert search.status == 200

    # SIGTERM: both children stop, the script exits 0
    served.proc.send_signal(signal.SIGTERM)
    assert served.proc.wait(timeout=60) == 0
    assert _gone(served.proc.pid)

    # the access log: JSON lines, the path without its query, the user's id
    stdout = (served.tmp / "first.stdout").read_text()
    lines = [json.loads(line) for line in stdout.splitlines() if line.startswith("{")]
    access = [e for e in lines if e.get("logger") == "gunicorn.access"]
    members = [e for e in access if e["path"] == "/members/"]
    assert members and members[0]["status"] == 200 and isinstance(members[0]["user_id"], int)
    assert all(set(e) >= {"request_id", "method", "duration_ms"} for e in access)
    assert "张三" not in stdout and "%E5%BC%A0" not in stdout
    assert "serve: stopped" in stdout
