"""One age rule for every engine: the report, the recount, the rollups, the column store."""

from __future__ import annotations

import datetime as dt
from typing import Any

from dangjian.members.services import record_event
from dangjian.stats.checks import differences
from dangjian.stats.reports import age_band, band_changes, standard_report
from dangjian.testing import make_member

LEAP = dt.date(1996, 2, 29)


def test_born_on_29_february_turns_31_on_1_march_in_a_common_year() -> None:
    assert age_band(LEAP, dt.date(2027, 2, 28)) == "30岁及以下"
    assert age_band(LEAP, dt.date(2027, 3, 1)) == "31—35岁"
    assert band_changes(LEAP)[0] == dt.date(2027, 3, 1)


def test_recount_agrees_with_the_report_on_a_29_february_birthday(cast: Any) -> None:
    make_member(cast.county_admin, cast.branch, name="周闰", birth=LEAP,
                join=dt.date(2020, 7, 1), full=dt.date(2021, 7, 1))  # fmt: skip
    on = dt.date(2027, 2, 28)
    assert dict(standard_report(cast.branch, on).breakdown("age_band").rows)["30岁及以下"] == 1
    assert differences(cast.branch, on) == []


def test_cancelled_probationer_leaves_the_report_and_the_recount(cast: Any) -> None:
    member = make_member(cast.county_admin, cast.branch, name="周新",
                         join=dt.date(2023, 6, 1), full=None)  # fmt: skip
    record_event(actor=cast.county_admin, member=member, kind="extend",
                 effective_date=dt.date(2024, 6, 1), months=6)  # fmt: skip
    record_event(actor=cast.county_admin, member=member, kind="cancel",
                 effective_date=dt.date(2024, 10, 1))  # fmt: skip
    for on in (dt.date(2024, 6, 1), dt.date(2024, 9, 30), dt.date(2024, 10, 1)):
        assert differences(cast.county, on) == []
    assert standard_report(cast.branch, dt.date(2024, 9, 30)).total == 2
    assert standard_report(cast.branch, dt.date(2024, 10, 1)).total == 1
