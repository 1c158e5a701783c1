"""Versioned rule data (规则参数): statutory time limits and thresholds, with their source."""

from __future__ import annotations

import bisect
import datetime as dt
from decimal import Decimal

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
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


class Document(models.Model):
    """档案材料: a scanned file (PDF, JPG, PNG) attached to a record of any app.

    The file is stored encrypted (`core.documents`); this row says what it is, whose record it
    belongs to and until when it is kept. Scope, upload and download live in the documents app,
    which checks abilities on the record's organization and writes the audit log.
    """

    target_type = models.ForeignKey(ContentType, on_delete=models.PROTECT, related_name="+")
    target_id = models.PositiveBigIntegerField()
    target = GenericForeignKey("target_type", "target_id")
    # The record's organization when uploaded (listing and the purge's audit entry); access is
    # checked against the record's organization now, which may have changed since.
    org_path = models.CharField("所属党组织路径", max_length=255, db_index=True)
    kind = models.CharField("材料名称", max_length=40)
    original_name = models.CharField("文件名", max_length=255)
    mime_type = models.CharField("文件类型", max_length=40)
    size = models.PositiveBigIntegerField("大小（字节）")
    sha256 = models.CharField("SHA-256", max_length=64)
    storage_name = models.CharField(max_length=64, unique=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="上传人",
        null=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    uploaded_at = models.DateTimeField("上传时间", auto_now_add=True)
    # The first day it is no longer kept (保存期满); None: kept without a time limit (长期).
    expires_on = models.DateField("保存期满日期", null=True, blank=True, db_index=True)

    class Meta:
        verbose_name = "档案材料"
        ordering = ["target_type_id", "target_id", "kind", "uploaded_at"]
        indexes = [models.Index(fields=["target_type", "target_id"], name="document_target_idx")]

    def __str__(self) -> str:
        return f"{self.kind}（{self.original_name}）"
