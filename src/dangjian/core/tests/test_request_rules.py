"""Rule values are read once per web request (core.models._RequestRules): one query for every
rule a page asks for, a write to the table seen at once, and nothing kept outside a request."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager
from decimal import Decimal
from typing import Any

import pytest
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from django.urls import reverse

from dangjian.core.models import RuleBook, RuleMissing, RuleValue, rule_value

pytestmark = pytest.mark.django_db
DAY = dt.date(2026, 6, 1)


@pytest.fixture
def two_rules() -> None:
    RuleValue.objects.create(key="test.a", effective_from=dt.date(2020, 1, 1), value=Decimal(3))
    RuleValue.objects.create(key="test.a", effective_from=DAY, value=Decimal(5))
    RuleValue.objects.create(key="test.b", effective_from=dt.date(2020, 1, 1), value=Decimal(7))


@contextmanager
def _keeping_connections() -> Iterator[None]:
    """Send the request signals as Django's test client does: without close_old_connections,
    which would close the test's connection (and its transaction) on PostgreSQL."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


@pytest.fixture
def in_request() -> Iterator[None]:
    with _keeping_connections():
        request_started.send(sender=None)
        yield
        request_finished.send(sender=None)


def test_a_request_reads_the_rules_once(
    two_rules: None, in_request: None, django_assert_num_queries: Any
) -> None:
    with django_assert_num_queries(1):
        assert rule_value("test.a", DAY - dt.timedelta(days=1)) == 3  # the day before
        assert rule_value("test.a", DAY) == 5  # the day it takes effect
        assert rule_value("test.b", DAY) == 7
        book = RuleBook("test.a", "test.b")
        assert (book.value("test.a", DAY), book.value("test.b", DAY)) == (5, 7)
    with pytest.raises(RuleMissing):
        rule_value("test.a", dt.date(2019, 12, 31))
    with pytest.raises(RuleMissing):
        rule_value("test.missing", DAY)


def test_a_rule_written_during_the_request_is_read_again(two_rules: None, in_request: None) -> None:
    assert rule_value("test.b", DAY) == 7
    RuleValue.objects.create(key="test.b", effective_from=DAY, value=Decimal(9))
    assert rule_value("test.b", DAY) == 9
    RuleValue.objects.filter(key="test.b", effective_from=DAY).get().delete()
    assert rule_value("test.b", DAY) == 7


def test_outside_a_request_every_read_asks_the_table(
    two_rules: None, django_assert_num_queries: Any
) -> None:
    with _keeping_connections():
        request_started.send(sender=None)
        request_finished.send(sender=None)
    with django_assert_num_queries(2):
        assert rule_value("test.a", DAY) == 5
        assert rule_value("test.a", DAY) == 5
    RuleValue.objects.filter(key="test.a", effective_from=DAY).update(value=Decimal(6))
    assert rule_value("test.a", DAY) == 6  # an update() without signals is seen too


def test_a_page_asks_for_its_rules_in_one_query(cast: Any) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = cast.client(cast.secretary)
    with CaptureQueriesContext(connection) as queries:
        assert client.get(reverse("core:home")).status_code == 200
    rule_reads = [q for q in queries.captured_queries if '"core_rulevalue"' in q["sql"]]
    assert len(rule_reads) == 1
