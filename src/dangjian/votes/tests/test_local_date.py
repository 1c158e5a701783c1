"""Printed dates are Beijing's: a count just after midnight is dated the new day, not UTC's."""

import datetime as dt

import time_machine
from django.urls import reverse

from dangjian.votes.tests.test_pages import closed_with_votes
from dangjian.votes.tests.test_pdf import text_of

# 2026-12-06 07:47 in Beijing is still 2026-12-05 in UTC.
MORNING = dt.datetime(2026, 12, 5, 23, 47, tzinfo=dt.UTC)
AFTER_MIDNIGHT = dt.datetime(2026, 12, 5, 16, 30, tzinfo=dt.UTC)  # 00:30 Beijing


def test_count_sheet_is_dated_with_the_beijing_day_of_the_count(cast, voters):
    with time_machine.travel(MORNING, tick=False):
        poll = closed_with_votes(cast, voters)
        response = cast.client(cast.secretary).get(reverse("votes:record-pdf", args=[poll.pk]))
    assert "计票日期：2026年12月6日" in text_of(response.content)


def test_count_sheet_just_after_midnight_is_dated_the_new_day(cast, voters):
    with time_machine.travel(AFTER_MIDNIGHT, tick=False):
        poll = closed_with_votes(cast, voters)
        response = cast.client(cast.secretary).get(reverse("votes:record-pdf", args=[poll.pk]))
    assert "计票日期：2026年12月6日" in text_of(response.content)
