"""Versioned rule data (规则参数): statutory time limits and thresholds, with their source."""

from __future__ import annotations

import bisect
import datetime as dt
from decimal import Decimal

from django.db import models
from simple_history.models import HistoricalRecords


class RuleValue(models.Model):
    """规则参数: one value of one rule, in force from a date, citing where it comes from.

    A case is judged by the value in force on its own date, so a revised regulation (e.g. the
    2026 recruitment rules) is a new row, not a code change.
    """

    key = models.CharField("规则", max_length=60)
    value = models.DecimalField("取值", max_digits=12, decimal_places=4)
    unit = models.CharField("单位", max_length=20, blank=True)
    effective_from = models.DateField("生效日期")
    source = models.CharField("依据", max_length=200)
    description = models.CharField("说明", max_length=200, blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = "规则参数"
        ordering = ["key", "-effective_from"]
        constraints = [
            models.UniqueConstraint(fields=["key", "effective_from"], name="rule_key_from_uniq")
        ]

    def __str__(self) -> str:
        return f"{self.key}={self.value} ({self.effective_from}, {self.source})"


class RuleMissing(LookupError):
    pass


def rule_value(key: str, on: dt.date) -> Decimal:
    """The value of rule `key` in force on date `on`."""
    row = (
        RuleValue.objects.filter(key=key, effective_from__lte=on)
        .order_by("-effective_from")
        .values_list("value", flat=True)
        .first()
    )
    if row is None:
        raise RuleMissing(f"规则参数 {key} 在 {on} 没有生效的取值")
    return row


class RuleBook:
    """Every value of some rules, read once: for bulk work judging many cases with their dates."""

    def __init__(self, *keys: str) -> None:
        self._values: dict[str, list[tuple[dt.date, Decimal]]] = {k: [] for k in keys}
        rows = RuleValue.objects.filter(key__in=keys).order_by("effective_from")
        for key, start, value in rows.values_list("key", "effective_from", "value"):
            self._values[key].append((start, value))

    def value(self, key: str, on: dt.date) -> Decimal:
        timeline = self._values[key]
        index = bisect.bisect_right(timeline, on, key=lambda item: item[0])
        if index == 0:
            raise RuleMissing(f"规则参数 {key} 在 {on} 没有生效的取值")
        return timeline[index - 1][1]


class CalendarYear(models.Model):
    """节假日安排: a year's public holidays and swapped working days, entered from the 国务院办公厅
    notice for a year the `chinese-calendar` package does not cover yet (or to correct it)."""

    year = models.PositiveSmallIntegerField("年份", unique=True)
    source = models.CharField("依据", max_length=200)

    class Meta:
        verbose_name = "节假日安排"
        ordering = ["year"]

    def __str__(self) -> str:
        return f"{self.year} 年（{self.source}）"


class CalendarDay(models.Model):
    """One day of an entered year that differs from the plain week: a holiday on a weekday
    (放假) or a working weekend day (调休上班)."""

    year = models.ForeignKey(CalendarYear, on_delete=models.CASCADE, related_name="days")
    day = models.DateField("日期", unique=True)
    working = models.BooleanField("上班")

    class Meta:
        verbose_name = "调整的日期"
        ordering = ["day"]

    def __str__(self) -> str:
        return f"{self.day} {'上班' if self.working else '放假'}"


class TaskProgress(models.Model):
    """How far a running background task is (`core.tasks.report_progress`): in the database,
    so the page polling it may be served by any process."""

    key = models.CharField(max_length=100, primary_key=True)  # e.g. "import:12"
    done = models.PositiveIntegerField(default=0)
    total = models.PositiveIntegerField(default=0)
    updated_at = models.DateTimeField()

    class Meta:
        verbose_name = "后台任务进度"

    def __str__(self) -> str:
        return f"{self.key} {self.done}/{self.total}"


class WorkerBeat(models.Model):
    """A running worker process (`manage.py run_worker`) and when it last said it was alive: a
    task still marked running by a worker that is gone was cut off (core.tasks.recover)."""

    worker_id = models.CharField(max_length=64, primary_key=True)
    host = models.CharField(max_length=255)
    pid = models.PositiveIntegerField()
    started_at = models.DateTimeField()
    beat_at = models.DateTimeField()

    class Meta:
        verbose_name = "后台服务进程"

    def __str__(self) -> str:
        return f"{self.host}:{self.pid}"


class PeriodicRun(models.Model):
    """When a periodic job (core.schedules) is next due. Workers enqueue a due run by moving
    `next_at` with one conditional UPDATE, so two workers never enqueue the same run twice."""

    name = models.CharField(max_length=100, primary_key=True)
    next_at = models.DateTimeField()
    last_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = "定时任务"

    def __str__(self) -> str:
        return self.name
