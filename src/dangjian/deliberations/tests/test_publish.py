"""两公开 and the 工作台: decisions passed but not published; results not published in time."""

from __future__ import annotations

import pytest

from dangjian.accounts.scope import scope_for
from dangjian.core.exceptions import DomainError
from dangjian.core.models import RuleValue
from dangjian.deliberations import services
from dangjian.deliberations.models import MatterStatus as S
from dangjian.deliberations.tests.conftest import days_ago, notice, resolve, reviewed
from dangjian.deliberations.workbench import DecisionsToPublish, ResultsToPublish


@pytest.fixture
def resolved(village):
    m = reviewed(village)
    resolve(village, m)
    return m


def _publish(cast, m, on, kind="decision"):
    fn = services.publish_decision if kind == "decision" else services.publish_result
    fn(actor=cast.secretary, matter=m, version=m.version, notice=notice(on))
    m.refresh_from_db()


def test_a_decision_passed_and_not_published_is_on_the_workbench(village, resolved):
    scope = scope_for(village.secretary)
    items = list(DecisionsToPublish().items_for(village.secretary, scope, days_ago(0)))
    assert [i.title for i in items] == ["决议已通过，待公开：修建村道"]
    assert DecisionsToPublish().count_for(village.member_user, scope_for(village.member_user),
                                          days_ago(0)) == 0  # fmt: skip


def test_publishing_the_decision_then_the_result_completes_the_matter(village, resolved):
    _publish(village, resolved, days_ago(2))
    assert resolved.status == S.PUBLISHED
    _publish(village, resolved, days_ago(1), kind="result")
    assert resolved.status == S.COMPLETED
    assert [p.kind for p in resolved.publications.order_by("pk")] == ["decision", "result"]


def test_another_channel_must_be_named(village, resolved):
    n = services.Notice(on=days_ago(1), channel="other", text="决议内容")
    with pytest.raises(DomainError, match="其他公开渠道的名称"):
        services.publish_decision(actor=village.secretary, matter=resolved,
                                  version=resolved.version, notice=n)  # fmt: skip


def test_the_result_reminder_comes_the_day_the_window_is_met(village, resolved):
    RuleValue.objects.filter(key="fourtwo.result_reminder_days").update(value=2)
    _publish(village, resolved, days_ago(2))
    scope, provider = scope_for(village.secretary), ResultsToPublish()
    assert provider.count_for(village.secretary, scope, days_ago(1)) == 0  # the day before
    assert provider.count_for(village.secretary, scope, days_ago(0)) == 1  # the day it is met
    _publish(village, resolved, days_ago(0), kind="result")
    assert provider.count_for(village.secretary, scope, days_ago(0)) == 0
