"""DANGJIAN_ENV=production (issue 16): with TLS (the default) `check --deploy` has nothing to say
and cookies, redirect and HSTS are on; with DANGJIAN_TLS=0 (make serve on http://127.0.0.1) they
are off, the rest of production stays. Settings are read at import, so each case runs in its own
interpreter."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[4]
SHOW = """
import json, sys, django
django.setup()
from django.conf import settings as s
from django.core.management import call_command
if "--check-deploy" in sys.argv:
    call_command("check", deploy=True, fail_level="WARNING")  # raises SystemCheckError
print(json.dumps({
    "debug": s.DEBUG, "tls": s.TLS, "session_secure": s.SESSION_COOKIE_SECURE,
    "csrf_secure": s.CSRF_COOKIE_SECURE, "hsts": s.SECURE_HSTS_SECONDS,
    "redirect": s.SECURE_SSL_REDIRECT, "proxy": s.SECURE_PROXY_SSL_HEADER,
    "frame": s.X_FRAME_OPTIONS, "log": s.LOGGING["handlers"]["console"]["formatter"],
    "storage": s.STORAGES["staticfiles"]["BACKEND"],
    "script_src": s.CONTENT_SECURITY_POLICY["DIRECTIVES"]["script-src"],
    "conn": [s.DATABASES["default"]["CONN_MAX_AGE"], s.DATABASES["default"]["CONN_HEALTH_CHECKS"]],
}))
"""


def _run(args: list[str], **env: str) -> subprocess.CompletedProcess[str]:
    base = {k: v for k, v in os.environ.items() if not k.startswith(("DANGJIAN_", "DATABASE_"))}
    base.update(
        PYTHONPATH=str(ROOT / "src"),
        DJANGO_SETTINGS_MODULE="dangjian.settings",
        DANGJIAN_ENV="production",
        DANGJIAN_SECRET_KEY="k" * 20 + "-production-test-only-0123456789abcdefghijkl",
        DANGJIAN_ALLOWED_HOSTS="dj.example.gov.cn",
    )
    base.update(env)
    return subprocess.run(args, cwd=ROOT, env=base, capture_output=True, text=True, timeout=120)


def _settings(*args: str, **env: str) -> dict[str, Any]:
    done = _run([sys.executable, "-c", SHOW, *args], **env)
    assert done.returncode == 0, done.stdout + done.stderr
    return dict(json.loads(done.stdout.strip().splitlines()[-1]))


def test_tls_turns_on_secure_cookies_redirect_and_hsts_and_check_deploy_is_clean() -> None:
    on = _settings("--check-deploy")
    assert on["debug"] is False and on["tls"] is True
    assert on["session_secure"] and on["csrf_secure"] and on["redirect"]
    assert on["hsts"] == 31536000 and on["proxy"] == ["HTTP_X_FORWARDED_PROTO", "https"]
    assert on["frame"] == "DENY" and on["log"] == "json"
    assert on["storage"] == "dangjian.core.staticfiles.ManifestStorage"
    assert on["script_src"] == ["'self'"]


def test_plain_http_keeps_production_but_not_tls() -> None:
    off = _settings(DANGJIAN_TLS="0")
    assert off["debug"] is False and off["tls"] is False
    assert not off["session_secure"] and not off["csrf_secure"] and not off["redirect"]
    assert off["hsts"] == 0 and off["proxy"] is None
    assert off["frame"] == "DENY" and off["log"] == "json"


def test_production_keeps_database_connections_and_checks_them_before_reuse() -> None:
    """One connection a worker, not one a request; a database restart must not cost a 500."""
    url = "postgres://dangjian:pw@127.0.0.1:5432/dangjian"
    assert _settings(DATABASE_URL=url)["conn"] == [60, True]
    assert _settings(DATABASE_URL=url, DANGJIAN_DB_CONN_MAX_AGE="0")["conn"] == [0, False]
    assert _settings(DATABASE_URL=url, DANGJIAN_ENV="development")["conn"] == [0, False]
