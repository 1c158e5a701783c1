"""跨系统转接: the models of this work system.

A member transferred from another system arrives with a paper 组织关系介绍信 (typed in once) or
a signed transfer packet from another installation of this software (imported with no
retyping); both end in one `IncomingLetter`. Packets this installation signs are
`ExportedPacket`s, fetched at a capability URL; the installations whose packets are accepted
are `TrustedInstallation`s; every imported packet id is kept (`ImportedPacket`) so that none is
imported twice.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.urls import reverse

from dangjian.accounts.abilities import Ability
from dangjian.accounts.scope import Scope
from dangjian.core.paths import any_subtree_q
from dangjian.members.models import Member
from dangjian.orgs.models import Organization


class LetterQuerySet(models.QuerySet["IncomingLetter"]):
    def visible_to(self, scope: Scope) -> LetterQuerySet:
        return self.filter(any_subtree_q("org__path", scope.paths(Ability.VIEW_MEMBERS)))


class IncomingLetter(models.Model):
    """外系统转入的组织关系介绍信: received (the member registered or restored) or returned."""

    class Source(models.TextChoices):
        PAPER = "paper", "纸质介绍信"
        PACKET = "packet", "转接数据包"

    class Status(models.TextChoices):
        RECEIVED = "received", "已接收"
        RETURNED = "returned", "已退回"

    class Outcome(models.TextChoices):
        NEW = "new", "新建党员档案"
        RESTORED = "restored", "恢复原有档案"

    source = models.CharField("来源", max_length=10, choices=Source.choices)
    status = models.CharField("状态", max_length=10, choices=Status.choices)
    serial = models.CharField("介绍信编号", max_length=50)
    from_org = models.CharField("开具介绍信的党组织", max_length=100)
    org = models.ForeignKey(
        Organization, verbose_name="接收党组织", on_delete=models.PROTECT, related_name="+"
    )
    issue_date = models.DateField("开具日期")
    valid_until = models.DateField("有效期至")
    dues_paid_to = models.CharField("党费缴至", max_length=20, blank=True)
    # The person as the letter names them (kept for a returned letter, which registers nobody).
    name = models.CharField("姓名", max_length=50)
    id_masked = models.CharField("公民身份号码", max_length=18)
    member = models.ForeignKey(
        Member,
        verbose_name="党员",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    outcome = models.CharField("接收方式", max_length=10, choices=Outcome.choices, blank=True)
    received_on = models.DateField("报到日期", null=True, blank=True)
    overdue_note = models.TextField("逾期情况说明", blank=True)
    return_reason = models.CharField("退回原因", max_length=200, blank=True)
    # A packet's history at the issuing installation, as it signed it (shown, never replayed).
    history_elsewhere = models.JSONField("原组织党籍变动记录", default=list, blank=True)
    issuer = models.CharField("签发系统", max_length=100, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField("登记时间", auto_now_add=True)

    objects = LetterQuerySet.as_manager()

    class Meta:
        verbose_name = "外系统转入介绍信"
        ordering = ["-recorded_at", "-id"]

    def __str__(self) -> str:
        return f"{self.from_org} {self.serial} {self.name}"

    def get_absolute_url(self) -> str:
        return reverse("exchange:letter-detail", args=[self.pk])


class TrustedInstallation(models.Model):
    """受信任的系统: another installation whose signed packets this one imports."""

    name = models.CharField("系统名称", max_length=100)
    public_key = models.CharField("公钥", max_length=100)  # base64 of the raw 32 bytes
    fingerprint = models.CharField("公钥指纹", max_length=64)
    note = models.CharField("说明", max_length=200, blank=True)
    trusted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    trusted_at = models.DateTimeField("添加时间", auto_now_add=True)
    revoked_at = models.DateTimeField("撤销时间", null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    revoke_reason = models.CharField("撤销原因", max_length=200, blank=True)

    class Meta:
        verbose_name = "受信任的系统"
        ordering = ["revoked_at", "name", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["fingerprint"],
                condition=models.Q(revoked_at__isnull=True),
                name="exchange_one_live_trust_per_key",
            )
        ]

    def __str__(self) -> str:
        return self.name


class ExportedPacket(models.Model):
    """本系统签发的转接数据包: the signed file, encrypted at rest, fetched at a capability URL."""

    packet_id = models.CharField("数据包编号", max_length=36, unique=True)
    member = models.ForeignKey(
        Member, verbose_name="党员", on_delete=models.PROTECT, related_name="+"
    )
    serial = models.CharField("介绍信编号", max_length=50)
    to_org = models.CharField("接收党组织", max_length=100)
    valid_until = models.DateField("有效期至")
    token = models.CharField(max_length=64, unique=True, editable=False)
    body = models.BinaryField(editable=False)  # core.crypto.encrypt_bytes of the packet file
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField("签发时间", auto_now_add=True)
    withdrawn_at = models.DateTimeField("停止下载时间", null=True, blank=True)

    class Meta:
        verbose_name = "转接数据包"
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.serial} {self.member}"


class ImportedPacket(models.Model):
    """已导入的数据包编号: the ledger that refuses a packet imported before (replay)."""

    packet_id = models.CharField("数据包编号", max_length=36, unique=True)
    issuer = models.CharField("签发系统", max_length=100)
    fingerprint = models.CharField("公钥指纹", max_length=64)
    letter = models.OneToOneField(IncomingLetter, on_delete=models.PROTECT, related_name="packet")
    imported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    imported_at = models.DateTimeField("导入时间", auto_now_add=True)

    class Meta:
        verbose_name = "已导入的数据包"

    def __str__(self) -> str:
        return self.packet_id
