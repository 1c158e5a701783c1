"""A county organizer logs in, opens the tree, finds a member by pinyin initials, opens the
record and reveals the full ID number (which is audited)."""

from __future__ import annotations

from playwright.sync_api import expect

from dangjian.audit.models import AuditEvent
from dangjian.browser_tests.conftest import login, screenshot
from dangjian.conftest import PASSWORD, build_cast


def test_find_member_by_pinyin_initials_and_open_record(page, transactional_db):
    cast = build_cast()
    login(page, "county", PASSWORD)
    expect(page.locator("h1")).to_have_text("工作台")

    page.click("nav >> text=组织架构")
    tree = page.locator("#org-tree")
    expect(tree).to_contain_text("中共清河县委员会")
    page.click("summary:has-text('中共城关镇委员会')")  # htmx loads the next level
    expect(tree).to_contain_text("东街社区党支部")
    expect(tree).not_to_contain_text("远山")
    screenshot(page, "01-tree")

    page.click("nav >> text=党员名册")
    page.fill("#member-search", "lm")  # 李明 by pinyin initials, live search via htmx
    results = page.locator("#member-results tbody")
    expect(results).to_contain_text("李明")
    expect(results).not_to_contain_text("王芳")
    screenshot(page, "02-search")

    page.click("#member-results >> text=李明")
    expect(page.locator("h1")).to_contain_text("李明")
    expect(page.locator("body")).to_contain_text(cast.member.id_masked)
    full = cast.member.reveal_id_number()
    expect(page.locator("body")).not_to_contain_text(full)
    page.click("#reveal-btn")
    expect(page.locator("#sensitive-values")).to_contain_text(full)
    screenshot(page, "03-record")
    assert (
        AuditEvent.objects.filter(
            action="members.reveal_sensitive", actor=cast.county_admin
        ).count()
        == 1
    )


def test_outsider_sees_nothing_of_our_county(page, transactional_db):
    cast = build_cast()
    login(page, "outsider", PASSWORD)
    page.goto("/members/")
    expect(page.locator("#member-results")).to_contain_text("赵强")
    expect(page.locator("#member-results")).not_to_contain_text("李明")
    response = page.goto(f"/members/{cast.member.pk}/")
    assert response.status == 404


def test_phone_layout_has_menu_and_masked_list(page, transactional_db):
    build_cast()
    page.set_viewport_size({"width": 390, "height": 844})
    login(page, "secretary", PASSWORD)
    page.click("text=菜单")
    page.click("nav >> text=党员名册")
    expect(page.locator("#member-results")).to_contain_text("139****1111")
    screenshot(page, "04-phone-list")
