"""Roster import batches (花名册导入批次) and export jobs: kept with their file and outcome."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone

from dangjian.members.models import Member, MemberEvent
from dangjian.orgs.models import Organization


class ImportBatch(models.Model):
    """花名册导入批次: one uploaded file, its preview, and what confirming it changed.

    The file is kept encrypted (it holds full ID numbers), so the preview can be recomputed at
    confirmation and the batch re-checked later.
    """

    class Status(models.TextChoices):
        CHECKING = "checking", "正在校验"
        INVALID = "invalid", "有错误，未导入"
        READY = "ready", "待确认"
        APPLYING = "applying", "正在导入"
        APPLIED = "applied", "已导入"
        UNDONE = "undone", "已撤销"
        FAILED = "failed", "处理失败"

    org = models.ForeignKey(
        Organization, verbose_name="导入到", on_delete=models.PROTECT, related_name="+"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="上传人", on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField("上传时间", auto_now_add=True)
    file_name = models.CharField("文件名", max_length=200)
    file_size = models.PositiveIntegerField("文件大小")
    file_sha256 = models.CharField(max_length=64)
    file_cipher = models.BinaryField("文件（密文）", editable=False)
    status = models.CharField("状态", max_length=10, choices=Status.choices)
    preview = models.JSONField("预览", default=dict)
    result = models.JSONField("结果", default=dict)
    message = models.CharField("说明", max_length=300, blank=True)
    applied_at = models.DateTimeField("导入时间", null=True, blank=True)
    applied_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    undone_at = models.DateTimeField("撤销时间", null=True, blank=True)
    status_at = models.DateTimeField("状态更新时间", default=timezone.now)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        verbose_name = "花名册导入批次"
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"导入批次 #{self.pk} {self.file_name}"

    @property
    def busy(self) -> bool:
        return self.status in {self.Status.CHECKING, self.Status.APPLYING}


class ImportChange(models.Model):
    """One member an applied batch added or changed: what undoing the batch has to restore."""

    class Action(models.TextChoices):
        ADD = "add", "新增"
        UPDATE = "update", "修改"

    batch = models.ForeignKey(ImportBatch, on_delete=models.CASCADE, related_name="changes")
    member = models.ForeignKey(
        Member, null=True, on_delete=models.SET_NULL, related_name="+", db_constraint=True
    )
    member_name = models.CharField(max_length=50)
    row = models.PositiveIntegerField("行号")
    action = models.CharField(max_length=10, choices=Action.choices)
    before = models.JSONField(default=dict)  # personal fields as they were (updates)
    event = models.ForeignKey(
        MemberEvent, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )  # the 转正 the batch recorded, voided on undo
    version_after = models.PositiveIntegerField()

    class Meta:
        indexes = [models.Index(fields=["batch", "action"], name="import_change_batch_idx")]

    def __str__(self) -> str:
        return f"{self.get_action_display()} {self.member_name}"


class ExportJob(models.Model):
    """花名册导出任务: large exports are built in the background and downloaded when ready."""

    class Status(models.TextChoices):
        RUNNING = "running", "正在导出"
        DONE = "done", "已完成"
        FAILED = "failed", "失败"

    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    query = models.CharField("筛选条件", max_length=500, blank=True)
    full = models.BooleanField("含完整信息", default=False)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.RUNNING)
    total = models.PositiveIntegerField(default=0)
    file_name = models.CharField(max_length=200)
    file_cipher = models.BinaryField(editable=False, default=b"")
    message = models.CharField(max_length=300, blank=True)

    class Meta:
        verbose_name = "花名册导出"
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.file_name
