"""规则参数: every rule value, grouped, with its source and the kind of text it rests on."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.urls import reverse

from dangjian.core import rules_seed
from dangjian.core.models import RuleValue
from dangjian.core.selectors import group_of, plain_value, rule_groups

pytestmark = pytest.mark.django_db


def entry(html: str, description: str) -> str:
    """The page's <li> of the rule described so."""
    found = re.search(
        r'<li class="rule[^"]*">((?:(?!</li>).)*?' + re.escape(description) + r".*?)</li>",
        html,
        re.S,
    )
    assert found, description
    return found.group(1)


def test_a_local_value_seeded_later_shows_the_local_badge(cast, monkeypatch):
    row = ("meetings.test_local_days", "7", "天", dt.date(2026, 1, 1), "某县委组织部通知（示例）",
           "测试用的地方规定", rules_seed.LOCAL)  # fmt: skip
    monkeypatch.setattr(rules_seed, "RULES", [*rules_seed.RULES, row])
    rules_seed.seed_rules()
    html = cast.client(cast.member_user).get(reverse("core:rules")).content.decode()
    item = entry(html, "测试用的地方规定")
    assert "地方或通行做法" in item and "全国性" not in item
    assert "7</strong> 天" in item and "某县委组织部通知（示例）" in item


def test_national_and_setting_values_have_their_badges(cast):
    html = cast.client(cast.member_user).get(reverse("core:rules")).content.decode()
    assert "全国性" in entry(html, "申请入党须年满十八岁")
    assert "本系统设置" in entry(html, "工作台提前提醒预备期满的天数")


def test_groups_follow_the_key_prefix_and_superseded_values_are_marked():
    groups = {g.label: g for g in rule_groups(dt.date(2026, 12, 7))}
    assert {"发展党员", "预备期", "选举与表决", "流动党员", "组织关系转接", "提醒"} <= set(groups)
    states = [r.state for r in groups["预备期"].rows if r.rule.key == "probation.months"]
    assert states[0] == "现行" and set(states[1:]) == {"已被取代"}
    assert group_of("nothing.known") == "其他"


def test_value_is_written_as_in_the_rule():
    from decimal import Decimal

    assert plain_value(Decimal("12.0000")) == "12"
    assert plain_value(Decimal("0.3333")) == "0.3333"
    assert plain_value(Decimal("10")) == "10"


def test_rules_page_needs_a_login(client):
    response = client.get(reverse("core:rules"))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_api_lists_every_value_with_its_basis(cast):
    client = cast.client(cast.member_user)
    data = client.get("/api/rules/").json()
    assert len(data) == RuleValue.objects.count()
    cap = next(r for r in data if r["key"] == "evaluation.excellent_cap")
    assert cap["basis"] == "local" and cap["basis_display"] == "地方规定或通行做法"
    assert cap["group"] == "民主评议" and cap["state"] == "现行"


def test_api_names_the_basis_enum():
    from drf_spectacular.generators import SchemaGenerator

    schema = SchemaGenerator().get_schema(request=None, public=True)
    assert "RuleBasisEnum" in schema["components"]["schemas"]
