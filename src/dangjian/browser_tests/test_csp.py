"""The Content-Security-Policy in a real browser (issue 16): a secretary and a county officer open
the main pages of the demo county (工作台, the member list, a member, statistics with a chart, a
vote, a meeting, recruitment; and 接口文档, Swagger UI) and Chromium reports no
`securitypolicyviolation` and no CSP message on the console; the statistics chart still draws
(ECharts under script-src 'self')."""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from playwright.sync_api import expect

from dangjian.browser_tests.conftest import login, screenshot
from dangjian.demo.generator import DEMO_PASSWORD
from dangjian.demo.services import load_demo

# Injected by Playwright outside the page's policy; collects what the policy refused.
LISTEN = """
window.__csp = [];
document.addEventListener("securitypolicyviolation", (e) => {
  window.__csp.push(e.violatedDirective + " " + (e.blockedURI || "inline") + " " + e.sourceFile
    + ":" + e.lineNumber);
});
"""


def _pages(username: str) -> list[tuple[str, str]]:
    from dangjian.meetings.models import Meeting
    from dangjian.members.models import Member
    from dangjian.votes.models import Poll

    member = Member.objects.get(user__username="member")  # in the secretary's branch
    within = member.org.path if username == "secretary" else ""
    poll = Poll.objects.filter(organization__path__startswith=within).order_by("pk").first()
    meeting = Meeting.objects.filter(org__path__startswith=within).order_by("pk").first()
    pages = [
        ("workbench", reverse("core:home")),
        ("members", reverse("members:list")),
        ("member", reverse("members:detail", args=[member.pk])),
        ("stats", reverse("stats:report")),
        ("votes", reverse("votes:list")),
        ("meetings", reverse("meetings:list")),
        ("recruitment", reverse("recruitment:list")),
    ]
    if poll is not None:
        pages.append(("vote", reverse("votes:detail", args=[poll.pk])))
    if meeting is not None:
        pages.append(("meeting", reverse("meetings:detail", args=[meeting.pk])))
    if username == "county":  # 接口文档, for the offices that use the API
        pages.append(("api-docs", reverse("api-docs")))
    return pages


def test_main_pages_break_no_policy(page: Any, transactional_db: Any) -> None:
    load_demo(members=60, seed=2026)
    page.context.add_init_script(LISTEN)
    console: list[str] = []
    page.on("console", lambda msg: console.append(msg.text))
    for username in ("secretary", "county"):
        page.context.clear_cookies()
        login(page, username, DEMO_PASSWORD)
        visited = []
        for name, url in _pages(username):
            response = page.goto(url)
            assert response is not None and response.status == 200, (username, url)
            assert "script-src 'self'" in response.headers["content-security-policy"]
            if name == "stats":
                # ECharts drew (svg or canvas) inside the first chart box
                expect(page.locator("[data-chart] svg, [data-chart] canvas").first).to_be_visible()
                screenshot(page, f"csp-stats-{username}")
            if name == "api-docs":  # Swagger UI drew the operations from the schema
                # the schema of every API is built on request: slow on a busy machine
                expect(page.locator("#swagger-ui .opblock").first).to_be_visible(timeout=60_000)
            page.wait_for_load_state("networkidle")
            violations = page.evaluate("window.__csp")
            assert violations == [], (username, url, violations)
            visited.append(name)
        assert len(visited) == (9 if username == "secretary" else 10), visited  # vote, meeting
    policy_messages = [m for m in console if "Content Security Policy" in m]
    assert policy_messages == []
    assert page.js_errors == []
    # the watch works: an inline script the page would add is refused, and seen
    page.evaluate(
        "() => { const s = document.createElement('script'); s.textContent = 'window.x = 1';"
        " document.body.appendChild(s); }"
    )
    page.wait_for_function("window.__csp.length > 0")
    assert page.evaluate("window.x") is None
    assert any("Content Security Policy" in m for m in console)
