"""组织关系转接 between two counties, each side logged in in turn: the secretary of 东街社区党支部
(清河县) sends 李明, the 城关镇 党委 issues the letter, the printed letter is checked, and the
secretary of 远山村党支部 (远山县) confirms his arrival."""

from __future__ import annotations

import io

import pypdf
from django.contrib.auth import get_user_model
from playwright.sync_api import expect

from dangjian.accounts.models import Role
from dangjian.accounts.services import grant_role
from dangjian.browser_tests.conftest import login, screenshot
from dangjian.conftest import PASSWORD, build_cast
from dangjian.members.models import Member
from dangjian.transfers.models import Transfer


def _logout(page):
    page.click(".userbox form button")
    page.wait_for_url("**/accounts/login/**")


def test_a_member_is_sent_from_one_county_and_received_in_the_other(page, transactional_db):
    cast = build_cast()
    users = get_user_model().objects
    approver = users.create_user("dangwei", password=PASSWORD, first_name="城关镇党委")
    far = users.create_user("farsec", password=PASSWORD, first_name="远山村书记")
    grant_role(actor=None, user=approver, role=Role.PARTY_COMMITTEE, org=cast.township,
               bootstrap=True)  # fmt: skip
    grant_role(actor=None, user=far, role=Role.BRANCH_SECRETARY, org=cast.far_branch,
               bootstrap=True)  # fmt: skip

    # 1. the sending branch's secretary starts the transfer on the member's page
    login(page, "secretary", PASSWORD)
    page.goto(f"/members/{cast.member.pk}/")
    page.click("#start-transfer")
    page.fill("#id_to_org_code", cast.far_branch.code)
    page.fill("#id_reason", "工作调动")
    page.fill("#id_dues_paid_to", "2026年11月")
    page.click("#transfer-form button[type=submit]")
    expect(page.locator("#status")).to_have_text("待审批")
    screenshot(page, "transfer-01-started")
    _logout(page)

    # 2. the 基层党委 approves and issues the letter
    login(page, "dangwei", PASSWORD)
    page.click("nav.sidenav >> text=组织关系转接")
    page.click("#transfers >> text=李明")
    page.click("#step-issue button")
    expect(page.locator("#status")).to_have_text("介绍信已开具，待报到")
    transfer = Transfer.objects.get(member=cast.member)
    expect(page.locator("#serial")).to_have_text(transfer.serial)
    letter = page.request.get(f"/transfers/{transfer.pk}/letter.pdf")
    assert letter.headers["content-type"] == "application/pdf"
    pages = pypdf.PdfReader(io.BytesIO(letter.body())).pages
    text = "".join("".join(p.extract_text().replace("\x00", "").split()) for p in pages)
    for expected in ("李明", transfer.serial, "东街社区党支部", "远山村党支部"):
        assert expected in text, expected
    screenshot(page, "transfer-02-issued")
    _logout(page)

    # 3. the receiving branch in the other county confirms arrival
    login(page, "farsec", PASSWORD)
    page.goto("/transfers/?side=in")
    page.click("#transfers >> text=李明")
    page.click("#step-arrive button")
    expect(page.locator("#status")).to_have_text("已报到")
    screenshot(page, "transfer-03-arrived")
    assert Member.objects.get(pk=cast.member.pk).org == cast.far_branch
