"""工作日: the Chinese working-day calendar, so "公示 5 个工作日" is a computed date.

Public holidays and the swapped working weekends (调休) come from the `chinese-calendar`
package, which knows the years the 国务院办公厅 had announced when it was released. A year it
does not know is refused with a message, never guessed: the system administrator enters it
from the notice (`manage.py calendar_year`), and an entered year also overrides the package.
"""

from __future__ import annotations

import datetime as dt

import chinese_calendar
from django.db import transaction

from dangjian.core.exceptions import DomainError
from dangjian.core.models import CalendarDay, CalendarYear

# A 公示 or a time limit of this many working days spans at most a few weeks; the cap only
# stops a runaway loop on a nonsensical count.
MAX_SPAN_DAYS = 3660


class CalendarMissing(DomainError):
    """The working days of a year are not known (neither the package nor an entered year)."""

    def __init__(self, year: int) -> None:
        super().__init__(
            f"系统还没有 {year} 年的节假日安排，无法计算工作日。请系统管理员按国务院办公厅的"
            f"放假通知录入（manage.py calendar_year {year}）。",
            field="date",
        )


class WorkingDays:
    """The calendar for one computation: each entered year is read once (one query), so a
    count over a month costs a query or two and a year entered elsewhere is seen at once."""

    def __init__(self) -> None:
        self._years: dict[int, dict[dt.date, bool] | None] = {}

    def is_working_day(self, day: dt.date) -> bool:
        """Whether `day` is a working day (工作日), holidays and 调休 included."""
        if day.year not in self._years:
            self._years[day.year] = _entered_year(day.year)
        entered = self._years[day.year]
        if entered is not None:
            return entered.get(day, day.weekday() < 5)
        try:
            return bool(chinese_calendar.is_workday(day))
        except NotImplementedError as exc:  # the package's way of saying "year not covered"
            raise CalendarMissing(day.year) from exc

    def add(self, start: dt.date, count: int) -> dt.date:
        """The day on which `count` working days counted from `start` are complete: `start` is
        the first if it is a working day itself (公示自发布之日起计算), else the next one is."""
        if count < 1:
            raise ValueError("count must be at least 1")
        day, seen = start, 0
        for _ in range(MAX_SPAN_DAYS):
            if self.is_working_day(day):
                seen += 1
                if seen == count:
                    return day
            day += dt.timedelta(days=1)
        raise ValueError(f"{count} working days from {start} exceed {MAX_SPAN_DAYS} days")

    def between(self, start: dt.date, end: dt.date) -> int:
        """How many working days lie in [start, end], both ends included (0 if end < start)."""
        total, day = 0, start
        while day <= end:
            total += self.is_working_day(day)
            day += dt.timedelta(days=1)
        return total


def is_working_day(day: dt.date) -> bool:
    return WorkingDays().is_working_day(day)


def add_working_days(start: dt.date, count: int) -> dt.date:
    return WorkingDays().add(start, count)


def working_days_between(start: dt.date, end: dt.date) -> int:
    return WorkingDays().between(start, end)


def _entered_year(year: int) -> dict[dt.date, bool] | None:
    """An entered year's changed days (day → working), or None if the year was not entered."""
    row = CalendarYear.objects.filter(year=year).first()
    if row is None:
        return None
    return dict(row.days.values_list("day", "working"))


def parse_days(text: str) -> list[dt.date]:
    """'2027-01-01,2027-02-05..2027-02-11' → the days, ranges included (both ends)."""
    days: list[dt.date] = []
    for part in filter(None, (p.strip() for p in text.split(","))):
        first, _, last = part.partition("..")
        try:
            low = dt.date.fromisoformat(first)
            high = dt.date.fromisoformat(last) if last else low
        except ValueError as exc:
            raise DomainError(
                f"「{part}」不是有效的日期或日期范围（年-月-日..年-月-日）。"
            ) from exc
        if high < low:
            raise DomainError(f"「{part}」的结束日期早于开始日期。")
        days.extend(low + dt.timedelta(days=i) for i in range((high - low).days + 1))
    return days


@transaction.atomic
def enter_year(
    *, year: int, source: str, holidays: list[dt.date], workdays: list[dt.date]
) -> CalendarYear:
    """录入节假日安排: a year's 放假 days and 调休上班 weekend days, from the official notice.
    Replaces what was entered for that year before; the package's data for it is then ignored."""
    if not source.strip():
        raise DomainError("请填写依据（国务院办公厅放假通知的文号）。", field="source")
    for day in (*holidays, *workdays):
        if day.year != year:
            raise DomainError(f"{day:%Y-%m-%d} 不在 {year} 年内。", field="date")
    both = set(holidays) & set(workdays)
    if both:
        raise DomainError(f"{min(both):%Y-%m-%d} 不能既放假又上班。", field="date")
    for day in workdays:
        if day.weekday() < 5:
            raise DomainError(
                f"{day:%Y-%m-%d} 是周一至周五，本来就上班；调休上班只填周六、周日。", field="date"
            )
    CalendarYear.objects.filter(year=year).delete()
    row = CalendarYear.objects.create(year=year, source=source.strip())
    CalendarDay.objects.bulk_create(
        [CalendarDay(year=row, day=d, working=False) for d in sorted(set(holidays))]
        + [CalendarDay(year=row, day=d, working=True) for d in sorted(set(workdays))]
    )
    return row
