"""工作日: 公示 and other working-day limits over holidays and 调休, and unknown years refused."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.management import CommandError, call_command

from dangjian.core.exceptions import DomainError
from dangjian.core.workdays import (
    CalendarMissing,
    add_working_days,
    enter_year,
    is_working_day,
    parse_days,
    working_days_between,
)

pytestmark = pytest.mark.django_db
D = dt.date


def test_a_publicity_period_over_national_day_2026_ends_on_the_swapped_saturday() -> None:
    # 2026: 国庆 10-01..10-07 off, Saturday 10-10 a working day (调休).
    assert add_working_days(D(2026, 9, 29), 5) == D(2026, 10, 10)


def test_the_day_before_the_fifth_working_day_is_not_enough() -> None:
    assert working_days_between(D(2026, 9, 29), D(2026, 10, 9)) == 4
    assert working_days_between(D(2026, 9, 29), D(2026, 10, 10)) == 5


def test_a_notice_published_on_a_holiday_starts_counting_on_the_next_working_day() -> None:
    assert add_working_days(D(2026, 10, 1), 1) == D(2026, 10, 8)
    assert not is_working_day(D(2026, 9, 25))  # 中秋节, a Friday


def test_a_year_nobody_has_entered_is_refused_with_a_message() -> None:
    with pytest.raises(CalendarMissing, match="2100 年的节假日安排"):
        add_working_days(D(2100, 1, 4), 5)


def test_an_entered_year_is_counted_from_the_notice() -> None:
    enter_year(
        year=2100,
        source="测试通知",
        holidays=parse_days("2100-01-01,2100-01-04..2100-01-05"),
        workdays=parse_days("2100-01-09"),
    )
    assert not is_working_day(D(2100, 1, 4)) and is_working_day(D(2100, 1, 9))
    # Fri 1-1 off, Mon-Tue off, Wed 6 … Sat 9 working: the 4th working day is Saturday.
    assert add_working_days(D(2100, 1, 1), 4) == D(2100, 1, 9)


def test_an_entered_year_overrides_the_package() -> None:
    assert is_working_day(D(2026, 10, 8))
    enter_year(year=2026, source="更正", holidays=[D(2026, 10, 8)], workdays=[])
    assert not is_working_day(D(2026, 10, 8))
    # The entered year replaces the package's whole year: a day it does not list follows the
    # plain week, so whoever corrects a year enters all of its notice.
    assert is_working_day(D(2026, 10, 1))


@pytest.mark.parametrize(
    ("holidays", "workdays", "message"),
    [
        ("2100-01-01", "2100-01-01", "既放假又上班"),
        ("", "2100-01-04", "本来就上班"),
        ("2099-12-31", "", "不在 2100 年内"),
    ],
)
def test_entering_a_year_refuses_inconsistent_days(
    holidays: str, workdays: str, message: str
) -> None:
    with pytest.raises(DomainError, match=message):
        enter_year(
            year=2100, source="x", holidays=parse_days(holidays), workdays=parse_days(workdays)
        )


def test_the_command_says_what_is_wrong_in_chinese() -> None:
    with pytest.raises(CommandError, match="不是有效的日期"):
        call_command("calendar_year", "2100", "--source", "x", "--holidays", "2100-13-01")
    call_command("calendar_year", "2100", "--source", "通知", "--holidays", "2100-01-01")
    assert not is_working_day(D(2100, 1, 1))
