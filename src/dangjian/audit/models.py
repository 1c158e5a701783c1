"""Audit log (审计日志): append-only, readable by the audit administrator only."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models


class AuditLogIsAppendOnly(Exception):
    """Raised when code tries to change or erase an audit entry."""


class AuditQuerySet(models.QuerySet["AuditEvent"]):
    def update(self, **kwargs: Any) -> int:
        raise AuditLogIsAppendOnly("审计日志不可修改")

    def delete(self) -> tuple[int, dict[str, int]]:
        raise AuditLogIsAppendOnly("审计日志不可删除")


class AuditEvent(models.Model):
    """审计记录: who did what to which record, when and from where."""

    class Action(models.TextChoices):
        LOGIN = "login", "登录"
        LOGIN_FAILED = "login_failed", "登录失败"
        LOGOUT = "logout", "退出"
        LOCKED_OUT = "locked_out", "账号锁定"
        VIEW_SENSITIVE = "view_sensitive", "查看敏感信息"
        EXPORT = "export", "导出"
        CREATE = "create", "新增"
        UPDATE = "update", "修改"
        EVENT = "event", "党籍变动"
        MOVE = "move", "移动"
        MERGE = "merge", "合并"
        DISSOLVE = "dissolve", "撤销"
        GRANT = "grant", "授权"
        REVOKE = "revoke", "撤销授权"
        ACCOUNT = "account", "账号管理"
        IMPORT = "import", "导入"
        VOTE = "vote", "表决与选举"
        BALLOT = "ballot", "投票"

    at = models.DateTimeField("时间", auto_now_add=True, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    actor_name = models.CharField("操作人", max_length=150, blank=True)
    action = models.CharField("操作", max_length=20, choices=Action.choices, db_index=True)
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
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor_name} {self.get_action_display()}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None:
            raise AuditLogIsAppendOnly("审计日志不可修改")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise AuditLogIsAppendOnly("审计日志不可删除")
