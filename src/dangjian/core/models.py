"""Versioned rule data (规则参数): statutory time limits and thresholds, with their source."""

from __future__ import annotations

import bisect
import datetime as dt
from contextvars import ContextVar
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils import timezone
from simple_history.models import HistoricalRecords


class RuleValue(models.Model):
    """规则参数: one value of one rule, in force from a date, citing where it comes from.

    A case is judged by the value in force on its own date, so a revised regulation (e.g. the
    2026 recruitment rules) is a new row, not a code change.
    """

    class Basis(models.TextChoices):
        """What kind of text the value rests on: a closing note and the rules page say which
        limits are national law, which a local or common practice, which only our setting."""

        NATIONAL = "national", "全国性党内法规或法律"
        LOCAL = "local", "地方规定或通行做法"
        SETTING = "setting", "本系统设置"

    key = models.CharField("规则", max_length=60)
    value = models.DecimalField("取值", max_digits=12, decimal_places=4)
    unit = models.CharField("单位", max_length=20, blank=True)
    effective_from = models.DateField("生效日期")
    source = models.CharField("依据", max_length=200)
    description = models.CharField("说明", max_length=200, blank=True)
    basis = models.CharField(
        "依据性质", max_length=10, choices=Basis.choices, default=Basis.NATIONAL
    )

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


class _RequestRules:
    """The rule values read during one web request: every row (a few dozen) in one query on
    first use, rather than a query per rule per provider (工作台 asks a dozen providers, each
    for its own rules). Active only between Django's request_started and request_finished
    (core.apps), so a task, a command or a test outside a request reads the table each time;
    saving or deleting a row drops what was read."""

    def __init__(self) -> None:
        self.timelines: dict[str, list[tuple[dt.date, Decimal]]] | None = None

    def timeline(self, key: str) -> list[tuple[dt.date, Decimal]]:
        if self.timelines is None:
            timelines: dict[str, list[tuple[dt.date, Decimal]]] = {}
            rows = RuleValue.objects.order_by("effective_from")
            for k, start, value in rows.values_list("key", "effective_from", "value"):
                timelines.setdefault(k, []).append((start, value))
            self.timelines = timelines
        return self.timelines.get(key, [])


_request_rules: ContextVar[_RequestRules | None] = ContextVar("dangjian_rules", default=None)


def begin_request_rules(**_: Any) -> None:
    _request_rules.set(_RequestRules())


def end_request_rules(**_: Any) -> None:
    _request_rules.set(None)


def forget_request_rules(**_: Any) -> None:
    """A rule row was written: the request reads the table again."""
    current = _request_rules.get()
    if current is not None:
        current.timelines = None


def _in_timeline(timeline: list[tuple[dt.date, Decimal]], key: str, on: dt.date) -> Decimal:
    index = bisect.bisect_right(timeline, on, key=lambda item: item[0])
    if index == 0:
        raise RuleMissing(f"规则参数 {key} 在 {on} 没有生效的取值")
    return timeline[index - 1][1]


def rule_value(key: str, on: dt.date) -> Decimal:
    """The value of rule `key` in force on date `on`."""
    current = _request_rules.get()
    if current is not None:
        return _in_timeline(current.timeline(key), key, on)
    row = (
        RuleValue.objects.filter(key=key, effective_from__lte=on)
        .order_by("-effective_from")
        .values_list("value", flat=True)
        .first()
    )
    if row is None:
        raise RuleMissing(f"规则参数 {key} 在 {on} 没有生效的取值")
    return row


def rule_in_force(key: str, on: dt.date) -> RuleValue:
    """The row of rule `key` in force on `on`, with its source (for messages citing it)."""
    row = RuleValue.objects.filter(key=key, effective_from__lte=on).order_by("-effective_from")
    found = row.first()
    if found is None:
        raise RuleMissing(f"规则参数 {key} 在 {on} 没有生效的取值")
    return found


class RuleBook:
    """Every value of some rules, read once: for bulk work judging many cases with their dates."""

    def __init__(self, *keys: str) -> None:
        current = _request_rules.get()
        if current is not None:  # already read in this request
            self._values = {k: current.timeline(k) for k in keys}
            return
        self._values = {k: [] for k in keys}
        rows = RuleValue.objects.filter(key__in=keys).order_by("effective_from")
        for key, start, value in rows.values_list("key", "effective_from", "value"):
            self._values[key].append((start, value))

    def value(self, key: str, on: dt.date) -> Decimal:
        return _in_timeline(self._values[key], key, on)


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


class ProcedureStepQuerySet(models.QuerySet["ProcedureStep"]):
    def update(self, **kwargs: Any) -> int:
        raise StepsAreAppendOnly("程序步骤只能追加，不可修改")

    def delete(self) -> tuple[int, dict[str, int]]:
        raise StepsAreAppendOnly("程序步骤只能追加，不可删除")

    def of(self, procedure: str, target_id: Any) -> ProcedureStepQuerySet:
        return self.filter(procedure=procedure, target_id=target_id)


class StepsAreAppendOnly(Exception):
    """Raised when code tries to change or erase a step taken (only voiding is allowed)."""


class ProcedureStep(models.Model):
    """程序步骤: one step of a procedure taken on one record, by whom, when, with what effect.

    Append-only: the record's state is derived from its steps (the last one not voided); a
    wrong step is voided with a reason (`core.procedures.void_step`), never edited or deleted.
    The target is named by the procedure (whose definition knows its model) and the record's
    id, not by a content type: see docs/decisions.md.
    """

    procedure = models.CharField("程序", max_length=40)
    target_id = models.BigIntegerField("对象编号")
    step = models.CharField("步骤", max_length=40)
    from_state = models.CharField("原状态", max_length=20, blank=True)
    to_state = models.CharField("新状态", max_length=20)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="办理人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )  # None: the system's own scheduled work
    at = models.DateTimeField("办理时间", default=timezone.now)
    effective_date = models.DateField("生效日期")
    due_date = models.DateField("办理期限", null=True, blank=True)
    outcome = models.CharField("结果", max_length=300, blank=True)
    note = models.CharField("备注", max_length=500, blank=True)
    data = models.JSONField("数据", default=dict, blank=True)
    voided_at = models.DateTimeField("作废时间", null=True, blank=True)
    voided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    void_reason = models.CharField("作废原因", max_length=300, blank=True)

    objects = ProcedureStepQuerySet.as_manager()

    class Meta:
        verbose_name = "程序步骤"
        ordering = ["procedure", "target_id", "id"]
        indexes = [
            models.Index(fields=["procedure", "target_id", "id"], name="procedure_step_target_idx")
        ]

    def __str__(self) -> str:
        return f"{self.procedure}#{self.target_id} {self.step} → {self.to_state}"

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise StepsAreAppendOnly("程序步骤只能追加，不可删除")


class Notification(models.Model):
    """通知: an in-app message to one user (a reminder, a step someone else took).

    The row is the in-app delivery; other channels (SMS, mail) are sent from it by
    `core.notify`. `key` names what it is about (a work item and its phase), so a daily
    reminder run never tells the same user the same thing twice.
    """

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="接收人",
        on_delete=models.CASCADE,
        related_name="notifications",
    )
    title = models.CharField("标题", max_length=200)
    body = models.CharField("内容", max_length=500, blank=True)
    link = models.CharField("办理链接", max_length=300, blank=True)
    key = models.CharField(max_length=200, blank=True, editable=False)
    created = models.DateTimeField("通知时间", auto_now_add=True)
    read_at = models.DateTimeField("阅读时间", null=True, blank=True)

    class Meta:
        verbose_name = "通知"
        ordering = ["-created", "-id"]
        indexes = [
            # The nav's unread count: one range on recipient with read_at empty.
            models.Index(fields=["recipient", "read_at"], name="notification_unread_idx"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["recipient", "key"],
                condition=~models.Q(key=""),
                name="notification_once_per_key",
            )
        ]

    def __str__(self) -> str:
        return self.title


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
