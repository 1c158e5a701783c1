"""A branch secretary runs a secret, contested election of the branch committee: creates the
poll (3 seats, 4 candidates, online), opens it, members vote on their phones, the secretary
marks attendance, closes and sees who is elected, with the chart."""

from __future__ import annotations

from typing import Any

from playwright.sync_api import expect

from dangjian.browser_tests.conftest import login, screenshot
from dangjian.conftest import PASSWORD, build_cast
from dangjian.testing import make_voter

CANDIDATES = ("马力", "王强", "孙丽", "赵敏")
# Four ballots for 马力、王强、孙丽, one for 马力、王强、赵敏: with 6 present, more than 3 yes
# votes elect, so 赵敏 (1) is not elected.
BALLOTS = [("马力", "王强", "孙丽")] * 4 + [("马力", "王强", "赵敏")]


def _voters(cast: Any) -> list[str]:
    """Five more full members of the branch, each with a login; usernames in ballot order."""
    names = []
    for i, name in enumerate((*CANDIDATES, "周涛"), start=1):
        make_voter(
            cast.county_admin, cast.branch, name=name, username=f"voter{i}", password=PASSWORD
        )
        names.append(f"voter{i}")
    return names


def _vote(chromium: Any, base_url: str, link: str, username: str, yes: tuple[str, ...]) -> Any:
    """One voter on a phone-sized screen: log in, open the link, mark, submit."""
    context = chromium.new_context(
        base_url=base_url,
        locale="zh-CN",
        timezone_id="Asia/Shanghai",
        viewport={"width": 390, "height": 844},
        device_scale_factor=2,
    )
    phone = context.new_page()
    phone.set_default_timeout(10_000)
    login(phone, username, PASSWORD)
    phone.goto(link)
    expect(phone.locator("#seat-note")).to_contain_text("最多赞成 3 人")
    for name in CANDIDATES:
        mark = "yes" if name in yes else "no"
        phone.locator(".ballot-row", has_text=name).locator(f"input[value={mark}]").check()
    # votes/vote.js (a static file under the Content-Security-Policy) counts the 赞成 marks
    expect(phone.locator("#yes-count")).to_contain_text(
        f"已赞成 {sum(name in yes for name in CANDIDATES)} 人"
    )
    return context, phone


def test_secret_contested_election_of_the_branch_committee(
    page, chromium, live_server, transactional_db
):
    cast = build_cast()
    usernames = _voters(cast)
    page.on("dialog", lambda dialog: dialog.accept())
    login(page, "secretary", PASSWORD)
    page.click("nav >> text=表决与选举")
    page.click("#new-poll")
    page.select_option("#id_kind", "election")
    page.click("#start-form button[type=submit]")
    page.fill("#id_title", "东街社区党支部委员会选举")
    page.fill("#id_context", "东街社区党支部党员大会")
    page.select_option("#id_method", "online")
    page.select_option("#id_preset", "election")
    page.fill("#id_seats", "3")
    for name in CANDIDATES:
        page.locator("#field-candidates label", has_text=name).locator("input").check()
    screenshot(page, "election-01-create")
    page.click("#poll-form button[type=submit]")
    expect(page.locator("#rules")).to_contain_text("到会人数须超过应到会人数的 4/5")

    page.click("#open-form button")
    expect(page.locator("#confirm-step")).to_contain_text("此操作不能撤销")
    page.click("#confirm-yes")
    expect(page.locator("#vote-qr svg")).to_have_count(1)
    expect(page.locator("#turnout-entitled")).to_have_text("6")
    screenshot(page, "election-02-open")
    link = page.locator("#vote-link").inner_text().strip()

    for i, (username, yes) in enumerate(zip(usernames, BALLOTS, strict=True)):
        context, phone = _vote(chromium, live_server.url, link, username, yes)
        if i == 0:
            screenshot(phone, "election-03-ballot")
        phone.click("#ballot button[type=submit]")
        expect(phone.locator("#review")).to_be_visible()  # 请确认您的选票
        phone.click("#confirm-vote")
        expect(phone.locator("#voted")).to_contain_text("您的选票已投出")
        if i == 0:
            screenshot(phone, "election-04-cast")
        context.close()

    expect(page.locator("#turnout-voted")).to_have_text("5", timeout=8_000)  # htmx, every 3 s
    expect(page.locator("#not-voted")).to_contain_text("李明")
    page.locator("#attendance label", has_text="李明").locator("input").check()
    page.click("#attendance button[type=submit]")
    expect(page.locator(".msg-success")).to_contain_text("实到会 6 人")
    page.click("#close button[type=submit]")
    page.click("#confirm-yes")

    expect(page.locator("#result-table")).to_be_visible()
    for name, outcome in zip(CANDIDATES, ("当选", "当选", "当选", "未当选"), strict=True):
        row = page.locator("#result-table tbody tr", has_text=name)
        expect(row.locator("td").last).to_have_text(outcome)
    expect(page.locator("#elected")).to_contain_text("马力")
    expect(page.locator("[data-chart=result] svg")).to_have_count(1)  # ECharts drew it
    screenshot(page, "election-05-result")
    assert page.js_errors == []
