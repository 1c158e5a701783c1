"""The users of the load bench (bench/load.py runs this with locust, headless).

Secretaries (one login each, from LOAD_LOGINS) open 工作台, their member list, search it by name
and by pinyin, open a member's record, the statistics report and export their branch's roster,
with think time; members open the ballot of their branch's poll, review it and cast it, then the
next member logs in on the same phone. Each user also asks the trivial view (/health/live/), the
baseline. Every login goes through the login form with its CSRF token.

The timings are collected here, exactly (locust's own percentiles are rounded), from the end of
the ramp-up on, without the log-ins, and written to LOAD_RESULTS as JSON when the run stops.
"""

from __future__ import annotations

import http.cookiejar
import itertools
import json
import os
import random
import re
import time
from pathlib import Path
from typing import Any

from locust import HttpUser, between, events, task

LOGINS = json.loads(Path(os.environ["LOAD_LOGINS"]).read_text())
BASELINE = "trivial view /health/live/"
CSRF_RE = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
VOTE_RE = re.compile(r'<input type="radio" name="vote" value="([^"]+)"')
UNCOUNTED = {"login form", "login", "logout"}  # timed apart: not in the figures

secretaries = itertools.cycle(LOGINS["secretaries"])
voters = iter(LOGINS["voters"])
state: dict[str, Any] = {"measuring": False, "started": 0.0, "stopped": 0.0}
times: dict[str, list[float]] = {}
errors: dict[str, int] = {}
samples: dict[str, str] = {}
login_errors: dict[str, int] = {}


@events.spawning_complete.add_listener
def _start_measuring(user_count: int, **_: Any) -> None:
    state["measuring"] = True
    state["started"] = time.monotonic()


@events.request.add_listener
def _record(
    request_type: str, name: str, response_time: float, exception: Any, **kwargs: Any
) -> None:
    if name in UNCOUNTED:
        if exception is not None:
            login_errors[name] = login_errors.get(name, 0) + 1
            samples.setdefault(name, repr(exception)[:300])
        return
    if not state["measuring"]:
        return
    times.setdefault(name, []).append(response_time)
    if exception is not None:
        errors[name] = errors.get(name, 0) + 1
        samples.setdefault(name, repr(exception)[:300])


@events.test_stopping.add_listener
def _stop_measuring(**_: Any) -> None:
    state["measuring"] = False
    state["stopped"] = time.monotonic()


@events.quitting.add_listener
def _write(**_: Any) -> None:
    stopped = state["stopped"] or time.monotonic()
    measured = stopped - state["started"] if state["started"] else 0.0
    result = {
        "times": times,
        "errors": errors,
        "samples": samples,
        "login_errors": login_errors,
        "measured": measured,
    }
    Path(os.environ["LOAD_RESULTS"]).write_text(json.dumps(result, ensure_ascii=False))


def _loopback_is_secure(self: Any, cookie: Any, request: Any) -> bool:
    """Send the production settings' Secure cookies back over the loopback's plain http, as
    browsers do for 127.0.0.1 (a potentially trustworthy origin). Patched on the class: requests
    copies the session's cookies into a jar of its own for each request."""
    return True


http.cookiejar.DefaultCookiePolicy.return_ok_secure = _loopback_is_secure  # type: ignore[method-assign]


class Client(HttpUser):
    abstract = True
    wait_time = between(1, 5)  # think time

    def login(self, username: str) -> None:
        """Through the real login form: GET it for the CSRF token, POST the credentials."""
        self.client.cookies.clear()
        page = self.client.get("/accounts/login/", name="login form")
        token = CSRF_RE.search(page.text)
        with self.client.post(
            "/accounts/login/",
            data={
                "username": username,
                "password": LOGINS["password"],
                "csrfmiddlewaretoken": token.group(1) if token else "",
            },
            headers={"Referer": f"{self.host}/accounts/login/"},
            name="login",
            allow_redirects=False,
            catch_response=True,
        ) as response:
            if response.status_code != 302:
                why = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", response.text))[:200]
                response.failure(f"login as {username}: {response.status_code} {why}")
                raise RuntimeError(f"login failed for {username}")

    def get(self, path: str, name: str, **kwargs: Any) -> Any:
        with self.client.get(path, name=name, catch_response=True, **kwargs) as response:
            if response.status_code != 200 or response.url.split("?")[0].endswith("/login/"):
                response.failure(f"{response.status_code} {response.url}")
            return response


class Secretary(Client):
    weight = 4

    def on_start(self) -> None:
        self.me = next(secretaries)
        self.login(self.me["username"])
        self.csrf = ""

    @task(3)
    def home(self) -> None:
        self.get("/", "工作台 /")

    @task(3)
    def member_list(self) -> None:
        page = self.get("/members/", "member list")
        token = CSRF_RE.search(page.text or "")
        if token:
            self.csrf = token.group(1)

    @task(2)
    def search_name(self) -> None:
        name = random.choice(self.me["names"])
        self.get("/members/", "search by name", params={"q": name}, headers={"HX-Request": "true"})

    @task(2)
    def search_pinyin(self) -> None:
        term = random.choice(self.me["pinyin"])
        self.get(
            "/members/", "search by pinyin", params={"q": term}, headers={"HX-Request": "true"}
        )

    @task(3)
    def member_record(self) -> None:
        self.get(f"/members/{random.choice(self.me['members'])}/", "member record")

    @task(1)
    def statistics(self) -> None:
        self.get("/stats/", "statistics report")

    @task(1)
    def roster_export(self) -> None:
        if not self.csrf:
            self.member_list()
        with self.client.post(
            f"/rosters/exports/?org={self.me['branch']}",
            data={"csrfmiddlewaretoken": self.csrf},
            headers={"Referer": f"{self.host}/members/"},
            name="roster export (one branch)",
            allow_redirects=False,
            catch_response=True,
        ) as response:
            target = response.headers.get("Location", "")
            if response.status_code != 302 or "/download/" not in target:
                response.failure(f"{response.status_code} → {target or 'no redirect'}")
                return
        with self.client.get(target, name="roster download", catch_response=True) as download:
            kind = download.headers.get("Content-Type", "")
            if download.status_code != 200 or "spreadsheet" not in kind:
                download.failure(f"{download.status_code} {kind}")

    @task(2)
    def trivial(self) -> None:
        self.get("/health/live/", BASELINE)


class Voter(Client):
    """A member's phone: log in, open the ballot, review, cast; then the next member."""

    weight = 1

    def on_start(self) -> None:
        self.me: dict[str, Any] | None = None
        self.next_voter()

    def next_voter(self) -> None:
        self.me = next(voters, None)
        if self.me is not None:
            self.login(self.me["username"])

    @task(4)
    def vote(self) -> None:
        if self.me is None:  # every voter has voted: the phone only checks the server
            self.trivial()
            return
        path = f"/votes/v/{self.me['token']}/"
        page = self.get(path, "ballot page")
        token, marks = CSRF_RE.search(page.text or ""), VOTE_RE.findall(page.text or "")
        if not token or not marks:
            return
        self.wait()  # reading the motion
        mark = random.choice(marks)
        data = {"csrfmiddlewaretoken": token.group(1), "vote": mark}
        headers = {"Referer": f"{self.host}{path}"}
        with self.client.post(
            path, data=data, headers=headers, name="ballot review", catch_response=True
        ) as review:
            token = CSRF_RE.search(review.text or "")
            if review.status_code != 200 or not token:
                review.failure(f"{review.status_code}: no confirmation page")
        self.wait()
        with self.client.post(
            path,
            data={**data, "csrfmiddlewaretoken": token.group(1) if token else "", "confirmed": "1"},
            headers=headers,
            name="ballot cast",
            allow_redirects=False,
            catch_response=True,
        ) as cast:
            if cast.status_code != 302 or "cast=1" not in cast.headers.get("Location", ""):
                cast.failure(f"{cast.status_code}: ballot not cast")
        self.wait()
        self.client.post(
            "/accounts/logout/",
            data={"csrfmiddlewaretoken": token.group(1) if token else ""},
            headers=headers,
            name="logout",
            allow_redirects=False,
        )
        self.next_voter()

    @task(1)
    def trivial(self) -> None:
        self.get("/health/live/", BASELINE)
