"""Audit log (审计日志): append-only, readable by the audit administrator only."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models

from dangjian.audit.actions import NAME_MAX_LENGTH, action_label, action_tone


class AuditLogIsAppendOnly(Exception):
    """Raised when code tries to change or erase an audit entry."""


class AuditQuerySet(models.QuerySet["AuditEvent"]):
    def update(self, **kwargs: Any) -> int:
        raise AuditLogIsAppendOnly("审计日志不可修改")

    def delete(self) -> tuple[int, dict[str, int]]:
        raise AuditLogIsAppendOnly("审计日志不可删除")


class AuditEvent(models.Model):
    """审计记录: who did what to which record, when and from where."""

    at = models.DateTimeField("时间", auto_now_add=True, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    actor_name = models.CharField("操作人", max_length=150, blank=True)
    # A declared action (audit.actions): no choices, so a new action needs no migration.
    action = models.CharField("操作", max_length=NAME_MAX_LENGTH, db_index=True)
    target_type = models.CharField("对象类型", max_length=40, blank=True)
    target_id = models.CharField("对象编号", max_length=40, blank=True)
    target_repr = models.CharField("对象", max_length=200, blank=True)
    detail = models.JSONField("详情", default=dict, blank=True)
    ip = models.GenericIPAddressField("IP 地址", null=True, blank=True)

    objects = AuditQuerySet.as_manager()

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name = "审计记录"
        indexes = [models.Index(fields=["target_type", "target_id"], name="audit_target_idx")]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor_name} {self.action_label}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None:
            raise AuditLogIsAppendOnly("审计日志不可修改")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise AuditLogIsAppendOnly("审计日志不可删除")

    @property
    def action_label(self) -> str:
        return action_label(self.action)

    @property
    def action_tone(self) -> str:
        return action_tone(self.action)
