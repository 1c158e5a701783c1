"""Harness for the browser tests: one headless Chromium per test session, a fresh browser
context (cookies, storage) per test, pages pointed at pytest-django's live_server.

Fixtures: `chromium` (the session's browser), `page` (alias `browser_page`: a new page whose
base_url is the live server, so `page.goto("/accounts/login/")` works). Helpers to import:
`screenshot(page, name)` and `login(page, username, password)`.

The browser is Debian's /usr/bin/chromium (`apt-get install chromium fonts-noto-cjk`):
Playwright's own browser download cannot work on a machine that reaches only the package
registries, so `playwright install` is never needed.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

CHROMIUM = Path(os.environ.get("DANGJIAN_CHROMIUM", "/usr/bin/chromium"))
# --no-sandbox: Chromium's sandbox refuses to run as root (as tests do here and in CI).
# The background-networking, component-update and sync switches stop Chromium from dialling
# Google services, which this machine's closed network refuses many times per start.
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
# test-artifacts/ at the repository root, next to src/ (gitignored).
ARTIFACTS = Path(__file__).resolve().parents[3] / "test-artifacts"
HERE = Path(__file__).resolve().parent
PLACE = {
    "test_every_page_fits_a_phone_for_every_role[half-1]": 0,
    "test_every_page_fits_a_phone_for_every_role[half-2]": 2,
}


# tryfirst: add the marker before pytest's own hook applies `-m browser` / `-m "not browser"`.
@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Mark every test in this package `browser`, so none can forget it. A conftest's
    collection hook sees the whole session's items, hence the path check."""
    for item in items:
        if HERE in Path(str(item.path)).resolve().parents:
            item.add_marker(pytest.mark.browser)
    # The stage runs on two xdist workers with --dist worksteal, which gives the first half of
    # the list to one worker and the second half to the other: the two halves of the phone-layout
    # test (two thirds of the stage's time) go first and last, so they run side by side.
    items.sort(key=lambda item: PLACE.get(item.name, 1))


@pytest.fixture(scope="session")
def chromium() -> Iterator[Any]:
    """One Chromium for the whole session (starting it costs about a second).

    launch() gives it a fresh, empty user-data dir (a temp dir Playwright deletes when the
    browser closes): no profile state leaks in from an earlier run.
    """
    if not CHROMIUM.exists():
        message = f"{CHROMIUM} not installed (apt-get install chromium fonts-noto-cjk)"
        if os.environ.get("DANGJIAN_REQUIRE_BROWSER") == "1":
            pytest.fail(message)
        pytest.skip(message)
    from playwright.sync_api import sync_playwright

    # Playwright's sync API runs an asyncio event loop in this thread, and Django refuses ORM
    # calls from a thread with a running loop ("async-unsafe") unless told the test knows what
    # it does. Set here, not at import, so the database stages (which import this conftest
    # too) and their subprocesses never see it; undone when the session ends.
    with pytest.MonkeyPatch.context() as mp, sync_playwright() as p:
        mp.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
        browser = p.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
        )
        yield browser
        browser.close()


@pytest.fixture
def page(chromium: Any, live_server: Any) -> Iterator[Any]:
    """A page in a fresh browser context whose base_url is the live server.

    Using live_server makes pytest-django give the test a real, flushed-afterwards database
    (transactional_db): the server answers from another thread, which cannot see the data of
    an uncommitted test transaction. Static files (app CSS/JS and the node_modules vendor
    files) are served by live_server's StaticFilesHandler through the staticfiles finders.
    JavaScript errors raised in the page are collected in `page.js_errors`.
    """
    context = chromium.new_context(
        base_url=live_server.url,
        locale="zh-CN",
        timezone_id="Asia/Shanghai",
        viewport={"width": 1280, "height": 900},
    )
    page = context.new_page()
    page.set_default_timeout(10_000)
    page.js_errors = []
    page.on("pageerror", lambda exc: page.js_errors.append(str(exc)))
    yield page
    context.close()


@pytest.fixture
def browser_page(page: Any) -> Any:
    """Alias of `page`."""
    return page


def screenshot(page: Any, name: str) -> Path:
    """Keep a picture of what the user saw: test-artifacts/<name>.png (not committed)."""
    ARTIFACTS.mkdir(exist_ok=True)
    safe = re.sub(r"[^\w.-]+", "-", name)
    path = ARTIFACTS / f"{safe}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


def login(page: Any, username: str, password: str) -> None:
    """Log in through the real login form and wait for the redirect to the home page."""
    page.goto("/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    page.click("#login-form button[type=submit]")
    # "**/" alone also matches the login page itself, so it could return before the redirect.
    page.wait_for_url(lambda url: "/accounts/login/" not in url)
