"""跨系统转接 on a 390 px phone: a branch secretary types in a paper letter from another system,
previews it (a new record), receives the member; then signs a transfer packet for a member
leaving for another installation and sees its link and QR code; the 安全管理员 trusts another
installation. Every page fits the phone."""

from __future__ import annotations

import datetime as dt
from typing import Any

from playwright.sync_api import expect

from dangjian.browser_tests.conftest import login, screenshot
from dangjian.browser_tests.test_phone_layout import OVERFLOW_JS, PHONE
from dangjian.conftest import PASSWORD, build_cast
from dangjian.exchange import signing
from dangjian.exchange.models import ExportedPacket, IncomingLetter
from dangjian.testing import make_id_number


def test_letter_received_and_packet_signed_on_a_phone(
    page: Any, transactional_db: Any, settings: Any, tmp_path: Any
) -> None:
    settings.DANGJIAN_SIGNING_KEY_FILE = tmp_path / "keys" / "signing.pem"
    signing.reset_key_cache()
    cast = build_cast()
    page.set_viewport_size(PHONE)
    login(page, "secretary", PASSWORD)
    page.goto("/exchange/")
    assert page.evaluate(OVERFLOW_JS) == []
    page.click("#letter-create")
    values = {
        "serial": "鄂组字第 0456 号",
        "from_org": "中共武汉市江岸区某街道工作委员会",
        "issue_date": "2026-10-01",
        "valid_until": "2026-12-31",
        "received_on": "2026-11-02",
        "name": "孙丽",
        "birth_date": "1992-04-08",
        "id_number": make_id_number(dt.date(1992, 4, 8), "F", area="420102"),
        "join_date": "2016-06-01",
        "full_date": "2017-06-01",
    }
    for field, value in values.items():
        page.fill(f"#id_{field}", value)
    page.select_option("#id_gender", label="女")
    page.select_option("#id_education", label="大学本科")
    page.select_option("#id_person_category", label="专业技术人员")
    assert page.evaluate(OVERFLOW_JS) == []
    page.click("#letter-form button[type=submit]")
    expect(page.locator("#outcome")).to_contain_text("新建党员档案")
    assert page.evaluate(OVERFLOW_JS) == []
    screenshot(page, "exchange-01-preview")
    page.click("#receive-btn")
    expect(page.locator("h1")).to_contain_text("孙丽同志的组织关系介绍信")
    expect(page.locator("#outcome")).to_contain_text("新建党员档案")
    assert IncomingLetter.objects.get().member.org == cast.branch
    assert page.evaluate(OVERFLOW_JS) == []

    page.goto(f"/members/{cast.member.pk}/")
    page.click("#packet-export")
    page.fill("#id_serial", "清组字第 0007 号")
    page.fill("#id_to_org", "远山村党支部")
    page.fill("#id_valid_until", "2027-01-31")
    page.click("#packet-export button[type=submit]")
    packet = ExportedPacket.objects.get()
    expect(page.locator("#link")).to_contain_text(packet.token)
    expect(page.locator("svg")).to_have_count(1)
    assert page.evaluate(OVERFLOW_JS) == []
    screenshot(page, "exchange-02-packet")
    assert page.js_errors == []

    page.context.clear_cookies()
    login(page, "secadmin", PASSWORD)
    page.goto("/exchange/installations/")
    page.fill("#id_name", "远山县党建工作平台")
    page.fill("#id_public_key", signing.own_public_key())
    page.click("#trust-form button[type=submit]")
    expect(page.locator("#installations")).to_contain_text("远山县党建工作平台")
    assert page.evaluate(OVERFLOW_JS) == []
    screenshot(page, "exchange-03-trust")
