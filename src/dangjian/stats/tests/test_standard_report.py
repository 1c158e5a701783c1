"""The standard report against the cast, and against a recount from the events."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.management import call_command

from dangjian.members.services import record_event
from dangjian.stats.checks import differences
from dangjian.stats.reports import standard_report
from dangjian.testing import make_member

ON = dt.date(2026, 6, 30)


def test_county_report_counts_members_in_scope_on_the_date(cast: Any) -> None:
    report = standard_report(cast.county, ON)
    assert report.total == 2  # 李明 and 王芳; 赵强 is in another county
    assert dict(report.breakdown("gender").rows) == {"男": 1, "女": 1}
    assert dict(report.breakdown("category").rows)["正式党员"] == 2
    assert [n for _, n in report.breakdown("join_period").rows] == [0, 0, 1, 1]
    assert differences(cast.county, ON) == []


def test_a_past_date_counts_members_as_they_were(cast: Any) -> None:
    report = standard_report(cast.county, dt.date(2010, 12, 31))
    assert report.total == 1 and dict(report.breakdown("category").rows)["预备党员"] == 1
    assert differences(cast.county, dt.date(2010, 12, 31)) == []


def test_age_bands_use_the_age_on_the_report_date(cast: Any) -> None:
    make_member(
        cast.county_admin,
        cast.branch,
        name="周青",
        birth=dt.date(1995, 7, 1),
        join=dt.date(2020, 7, 1),
        full=dt.date(2021, 7, 1),
    )
    on_eve = standard_report(cast.branch, dt.date(2026, 6, 30)).breakdown("age_band")
    on_birthday = standard_report(cast.branch, dt.date(2026, 7, 1)).breakdown("age_band")
    assert dict(on_eve.rows)["30岁及以下"] == 1 and dict(on_birthday.rows)["31—35岁"] == 1


def test_flows_and_drill_down(cast: Any) -> None:
    make_member(cast.county_admin, cast.branch, name="周新", join=dt.date(2026, 3, 1), full=None)
    report = standard_report(cast.county, ON, (dt.date(2026, 1, 1), ON))
    assert report.developed["total"] == 1 and report.converted == 0
    assert dict((c.name, n) for c, n in report.children) == {
        "中共城关镇委员会": 2,
        "中共河口镇委员会": 1,
    }


def test_member_who_left_is_counted_before_and_not_after(cast: Any) -> None:
    record_event(
        actor=cast.county_admin,
        member=cast.neighbour,
        kind="out",
        effective_date=dt.date(2026, 1, 10),
        counterpart="外省",
    )
    assert standard_report(cast.county, dt.date(2026, 1, 9)).total == 2
    assert standard_report(cast.county, dt.date(2026, 1, 10)).total == 1
    call_command("check_stats", "--org", cast.county.code, "--on", "2026-01-10")
