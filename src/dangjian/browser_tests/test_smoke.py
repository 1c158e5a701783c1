"""Smoke test: the login page renders in a real browser, with its stylesheet and htmx."""

from __future__ import annotations

from typing import Any

from dangjian.browser_tests.conftest import screenshot


def test_login_page_renders(browser_page: Any) -> None:
    page = browser_page
    response = page.goto("/accounts/login/")
    assert response is not None and response.ok, response and response.status

    assert "党建" in page.title()
    form = page.locator("form:has(#id_username)")
    assert form.count() == 1
    assert form.locator("#id_username").is_visible()
    assert form.locator("#id_password").get_attribute("type") == "password"
    screenshot(page, "login")

    # Static files come through live_server: the app's own and the vendor libraries that
    # `npm ci` puts in node_modules (settings.DANGJIAN_VENDOR_STATIC).
    assert page.evaluate("typeof window.htmx") == "object"
    assert page.js_errors == []
    for path in (
        "/static/core/app.css",
        "/static/vendor/htmx/htmx.min.js",
        "/static/vendor/echarts/echarts.min.js",
    ):
        assert page.request.get(path).ok, path
