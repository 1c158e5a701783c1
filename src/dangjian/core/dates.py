"""Date inputs with a sane range, for forms and serializers alike.

Python dates reach year 1, but nothing this system counts does: a date far outside the range
either means a typing error or makes date arithmetic (age bands, "the day after", rule values in
force) fail with a 500. Every date a user types goes through one of these fields, so a page and
the API refuse the same dates with the same Chinese message.

Bounds:
- Party dates (入党, 转正, 党籍变动, 组织成立, statistics dates): from the Party's founding
  (1921-07-01), which is also the date from which the statutory rule values are seeded
  (`core.rules_seed`), so a statistics date always has its rules.
- Birth dates: from 1900-01-01, as the roster import.
- Dates that happened: up to today (local date). Planned dates (本届任期届满, 期满): up to
  2100-12-31.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from django import forms
from django.utils import timezone
from rest_framework import serializers

from dangjian.core.forms import DateInput
from dangjian.core.rules_seed import FOUNDING

EARLIEST_BIRTH = dt.date(1900, 1, 1)
LATEST_PLANNED = dt.date(2100, 12, 31)

Bound = dt.date | Callable[[], dt.date]


def today() -> dt.date:
    """Today in the configured time zone (Asia/Shanghai), never the server's UTC date."""
    return timezone.localdate()


def _resolve(bound: Bound) -> dt.date:
    return bound() if callable(bound) else bound


def range_problem(
    value: dt.date, *, label: str, earliest: Bound = FOUNDING, latest: Bound = today
) -> str | None:
    """The Chinese message for a date outside [earliest, latest], or None."""
    low, high = _resolve(earliest), _resolve(latest)
    if value < low:
        return f"{label}不能早于 {low:%Y-%m-%d}。"
    if value > high:
        return "{}不能晚于{}。".format(label, "今天" if latest is today else f" {high:%Y-%m-%d}")
    return None


class BoundedDateField(forms.DateField):
    """A form date between `earliest` and `latest` (dates or callables such as `today`)."""

    def __init__(self, *, earliest: Bound = FOUNDING, latest: Bound = today, **kwargs: Any) -> None:
        kwargs.setdefault("widget", DateInput())
        kwargs.setdefault("error_messages", {"invalid": "请输入有效的日期（年-月-日）。"})
        super().__init__(**kwargs)
        self.earliest, self.latest = earliest, latest

    def validate(self, value: Any) -> None:
        super().validate(value)
        if value in self.empty_values:
            return
        problem = range_problem(
            value, label=str(self.label or "日期"), earliest=self.earliest, latest=self.latest
        )
        if problem:
            raise forms.ValidationError(problem, code="out_of_range")


class BoundedDateSerializerField(serializers.DateField):
    """The API's twin of `BoundedDateField`: a 400 with the same message."""

    def __init__(self, *, earliest: Bound = FOUNDING, latest: Bound = today, **kwargs: Any) -> None:
        kwargs.setdefault("error_messages", {"invalid": "请输入有效的日期（年-月-日）。"})
        super().__init__(**kwargs)
        self.earliest, self.latest = earliest, latest

    def to_internal_value(self, value: Any) -> dt.date:
        result: dt.date = super().to_internal_value(value)
        label = str(self.label or self.field_name or "日期")
        problem = range_problem(result, label=label, earliest=self.earliest, latest=self.latest)
        if problem:
            raise serializers.ValidationError(problem, code="out_of_range")
        return result
