"""规则参数修订: a revised value is a new row from its date, recorded by the 系统管理员 only,
audited; a retroactive date asks for confirmation; cases started before keep the old value."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from django.urls import reverse

from dangjian.audit.models import AuditEvent
from dangjian.core.exceptions import DomainError
from dangjian.core.models import RuleValue, rule_value
from dangjian.core.procedures import NeedsConfirmation
from dangjian.home.rules import Revision, revise_rule

KEY = "recruitment.activist_training_months"


def _revision(on: dt.date, value: str = "18", **kw: Any) -> Revision:
    fields = {"key": KEY, "value": Decimal(value), "effective_from": on,
              "source": "《中国共产党发展党员工作细则》(修订) 第十三条（测试）", "description": "",
              "basis": RuleValue.Basis.NATIONAL} | kw  # fmt: skip
    return Revision(**fields)


def test_a_revision_applies_from_its_date_and_keeps_the_old_value_before(cast: Any) -> None:
    start = dt.date.today() + dt.timedelta(days=30)
    row = revise_rule(actor=cast.sysadmin, revision=_revision(start))
    assert row.unit == "月" and row.description  # carried over from the row before
    assert rule_value(KEY, start - dt.timedelta(days=1)) == 12
    assert rule_value(KEY, start) == 18
    assert AuditEvent.objects.filter(action="home.revise_rule").count() == 1


def test_a_retroactive_revision_asks_for_confirmation(cast: Any) -> None:
    past = dt.date(2026, 5, 1)
    with pytest.raises(NeedsConfirmation, match="此前开始计时的事项仍按原取值"):
        revise_rule(actor=cast.sysadmin, revision=_revision(past))
    assert not RuleValue.objects.filter(key=KEY, effective_from=past).exists()
    revise_rule(actor=cast.sysadmin, revision=_revision(past), confirmed=True)
    assert rule_value(KEY, past) == 18


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"key": "no.such_rule"}, "只能修订系统已有的规则参数"),
        ({"value": Decimal("-1")}, "不能为负数"),
        ({"value": Decimal("12.5")}, "应为整数"),
        ({"key": "meeting.quorum", "value": Decimal("2")}, "0到1之间"),
        ({"source": "  "}, "请写明依据"),
        ({"effective_from": dt.date(2014, 6, 10)}, "已有取值"),
    ],
)
def test_bad_revisions_are_refused_with_the_field(cast: Any, change: dict, message: str) -> None:
    revision = _revision(dt.date.today() + dt.timedelta(days=1))
    for name, value in change.items():
        setattr(revision, name, value)
    with pytest.raises(DomainError, match=message):
        revise_rule(actor=cast.sysadmin, revision=revision, confirmed=True)


def test_only_the_system_administrator_revises(cast: Any) -> None:
    with pytest.raises(DomainError, match="只有系统管理员"):
        revise_rule(actor=cast.county_admin, revision=_revision(dt.date.today()))
    assert cast.client(cast.county_admin).get(reverse("core:rule-revise")).status_code == 403


def test_the_page_records_a_revision_and_the_rules_page_shows_it(cast: Any) -> None:
    client = cast.client(cast.sysadmin)
    start = dt.date.today() + dt.timedelta(days=10)
    page = client.get(reverse("core:rule-revise") + f"?key={KEY}")
    assert "发展党员" in page.content.decode()
    data = {"key": KEY, "value": "18", "effective_from": start.isoformat(), "description": "",
            "source": "修订细则第十三条（测试）", "basis": "national"}  # fmt: skip
    assert client.post(reverse("core:rule-revise"), data).status_code == 302
    rules_page = client.get(reverse("core:rules")).content.decode()
    assert "修订细则第十三条（测试）" in rules_page and "尚未生效" in rules_page


def test_the_api_records_a_revision_once_confirmed(cast: Any) -> None:
    client = cast.client(cast.sysadmin)
    data = {"key": KEY, "value": "18", "effective_from": "2026-05-01", "basis": "national",
            "source": "修订细则第十三条（测试）"}  # fmt: skip
    url = reverse("rule-revise")
    refused = client.post(url, data, content_type="application/json")
    assert refused.status_code == 400 and "原取值" in refused.json()["detail"]
    done = client.post(url, {**data, "confirmed": True}, content_type="application/json")
    assert done.status_code == 201 and done.json()["value"] == "18"
    assert client.post(url, data, content_type="application/json").status_code == 400  # same day
    other = cast.client(cast.county_admin).post(url, data, content_type="application/json")
    assert other.status_code == 403
