"""Printed and checked dates are Beijing's, also in the half hour after midnight there."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
import time_machine

from dangjian.rosters.parsing import CellProblem, parse_date
from dangjian.rosters.pdf import branch_roster_pdf, member_sheet_pdf
from dangjian.rosters.tests.test_pdf import page_texts

AFTER_MIDNIGHT = dt.datetime(2026, 12, 5, 16, 30, tzinfo=dt.UTC)  # 2026-12-06 00:30 Beijing


def test_a_date_of_today_in_beijing_is_not_in_the_future() -> None:
    with time_machine.travel(AFTER_MIDNIGHT, tick=False):
        assert parse_date("2026-12-06", label="入党日期") == dt.date(2026, 12, 6)


def test_tomorrow_in_beijing_is_refused_just_after_midnight() -> None:
    with time_machine.travel(AFTER_MIDNIGHT, tick=False), pytest.raises(CellProblem):
        parse_date("2026-12-07", label="入党日期")


def test_member_sheet_is_signed_with_the_beijing_date(cast: Any) -> None:
    with time_machine.travel(AFTER_MIDNIGHT, tick=False):
        [text] = page_texts(member_sheet_pdf(cast.member, full=False))
    assert "填表日期：2026年12月6日" in text


def test_roster_is_signed_with_the_beijing_date(cast: Any) -> None:
    with time_machine.travel(AFTER_MIDNIGHT, tick=False):
        text = "".join(
            page_texts(
                branch_roster_pdf(cast.branch, [cast.member], on=dt.date(2026, 12, 6), full=False)
            )
        )
    assert "填报日期：2026年12月6日" in text
