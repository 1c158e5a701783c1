"""账号与权限: roles granted on a node of the organization tree."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from simple_history.models import HistoricalRecords

from dangjian.orgs.models import Organization


class Role(models.TextChoices):
    """角色."""

    SYSTEM_ADMIN = "sysadmin", "系统管理员"
    SECURITY_ADMIN = "secadmin", "安全管理员"
    AUDIT_ADMIN = "auditadmin", "审计管理员"
    ORG_ADMIN = "orgadmin", "组织管理员"
    BRANCH_SECRETARY = "secretary", "支部书记"
    BRANCH_ORGANIZER = "organizer", "组织委员"
    BRANCH_COMMITTEE = "committee", "支部委员"
    PARTY_COMMITTEE = "partycomm", "基层党委（审批）"
    DISCIPLINE_COMMITTEE = "discipline", "纪委"


# 三员分立 (等保 2.0 level 3): the three administrators hold no data role and not each other's.
ADMIN_ROLES = frozenset({Role.SYSTEM_ADMIN, Role.SECURITY_ADMIN, Role.AUDIT_ADMIN})
# Roles granted on an organization; they reach everything below it.
NODE_ROLES = frozenset(
    {
        Role.ORG_ADMIN,
        Role.BRANCH_SECRETARY,
        Role.BRANCH_ORGANIZER,
        Role.BRANCH_COMMITTEE,
        Role.PARTY_COMMITTEE,
        Role.DISCIPLINE_COMMITTEE,
    }
)


class RoleGrantQuerySet(models.QuerySet["RoleGrant"]):
    def current(self) -> RoleGrantQuerySet:
        return self.filter(revoked_at__isnull=True)


class RoleGrant(models.Model):
    """授权: one role for one user, on one organization (and everything below it)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="role_grants"
    )
    role = models.CharField("角色", max_length=12, choices=Role.choices)
    org = models.ForeignKey(
        Organization,
        verbose_name="授权范围",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="role_grants",
    )
    can_view_sensitive = models.BooleanField("可查看完整身份证号和电话", default=False)
    granted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    granted_at = models.DateTimeField("授权时间", auto_now_add=True)
    revoked_at = models.DateTimeField("撤销时间", null=True, blank=True)

    objects = RoleGrantQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = "授权"
        ordering = ["user_id", "granted_at"]

    def __str__(self) -> str:
        where = f"@{self.org}" if self.org_id else ""
        return f"{self.user}: {self.get_role_display()}{where}"


class AccountProfile(models.Model):
    """账号状态: what the login needs beyond Django's user (a forced password change)."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="account_profile",
    )
    # Set by a reset (重置密码): the temporary password is known to the system administrator,
    # so it must be replaced before the account can do anything else.
    must_change_password = models.BooleanField("下次登录须修改密码", default=False)
    password_changed_at = models.DateTimeField("最近修改密码时间", null=True, blank=True)

    class Meta:
        verbose_name = "账号状态"

    def __str__(self) -> str:
        return f"{self.user}"
