"""组织关系转接: a transfer of one member's 组织关系, its 介绍信 and the 回执.

The status is a copy written by the procedure engine (`transfers.procedures.TRANSFER`); the
steps themselves (`core.ProcedureStep`) are the history. Until the receiving organization
confirms arrival (报到) the member stays in the sending organization's register: the member's
events and spells change only at arrival (`members.services.record_transfer_arrival`) or, for
a letter to another system, when its 回执 is recorded (a 组织关系转出 event).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.urls import reverse

from dangjian.members.models import Member
from dangjian.orgs.models import Organization


class TransferStatus(models.TextChoices):
    REQUESTED = "requested", "党员申请，待支部受理"
    PENDING = "pending", "待审批"
    ISSUED = "issued", "介绍信已开具，待报到"
    ARRIVED = "arrived", "已报到"
    COMPLETED = "completed", "回执已收回，已转出"
    RETURNED = "returned", "介绍信被退回"
    EXPIRED = "expired", "介绍信已过期"
    WITHDRAWN = "withdrawn", "已撤回"
    DECLINED = "declined", "支部不予受理"
    REFUSED = "refused", "不予审批"


# A transfer is open from its creation (status "" before the engine's first step) until it
# ends: at most one open transfer per member (constraint below, and a lock on the member).
OPEN_STATUSES = ("", TransferStatus.REQUESTED, TransferStatus.PENDING, TransferStatus.ISSUED)
# Those that carry a 介绍信 with a serial number (printable).
LETTER_STATUSES = (
    TransferStatus.ISSUED,
    TransferStatus.ARRIVED,
    TransferStatus.COMPLETED,
    TransferStatus.RETURNED,
    TransferStatus.EXPIRED,
)


class Transfer(models.Model):
    """组织关系转接: from one organization of this installation to another one (`to_org`) or
    to an organization in another system (`to_org_text`)."""

    member = models.ForeignKey(
        Member, verbose_name="党员", on_delete=models.PROTECT, related_name="transfers"
    )
    from_org = models.ForeignKey(
        Organization, verbose_name="转出党组织", on_delete=models.PROTECT, related_name="+"
    )
    to_org = models.ForeignKey(
        Organization,
        verbose_name="接收党组织",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    to_org_text = models.CharField("接收党组织（系统外）", max_length=100, blank=True)
    # The 基层党委 with approval authority that issues the letter: the nearest committee above
    # the sending organization, fixed when the transfer starts.
    approver = models.ForeignKey(
        Organization, verbose_name="审批党委", on_delete=models.PROTECT, related_name="+"
    )
    reason = models.CharField("转接原因", max_length=200)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="发起人",
        null=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    status = models.CharField(
        "状态", max_length=12, choices=TransferStatus.choices, blank=True, db_index=True
    )
    # The 介绍信: serial number (字第 号), dates; set when the letter is issued.
    serial = models.CharField("介绍信编号", max_length=60, blank=True)
    serial_year = models.PositiveSmallIntegerField(null=True, blank=True)
    serial_no = models.PositiveIntegerField(null=True, blank=True)
    issue_date = models.DateField("开具日期", null=True, blank=True)
    valid_until = models.DateField("有效期至", null=True, blank=True)
    dues_paid_to = models.CharField("党费缴至", max_length=20, blank=True)
    arrival_date = models.DateField("报到日期", null=True, blank=True)
    return_reason = models.CharField("退回原因", max_length=200, blank=True)
    receipt_date = models.DateField("回执收回日期", null=True, blank=True)
    # A letter to another system may carry a signed 转接数据包 (its link printed as a QR code).
    packet = models.ForeignKey(
        "exchange.ExportedPacket",
        verbose_name="转接数据包",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField("发起时间", auto_now_add=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        verbose_name = "组织关系转接"
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["member"],
                condition=models.Q(status__in=OPEN_STATUSES),
                name="transfer_one_open_per_member",
            ),
            models.UniqueConstraint(
                fields=["approver", "serial_year", "serial_no"],
                condition=models.Q(serial_no__isnull=False),
                name="transfer_serial_unique",
            ),
            models.CheckConstraint(
                condition=models.Q(to_org__isnull=False, to_org_text="")
                | (models.Q(to_org__isnull=True) & ~models.Q(to_org_text="")),
                name="transfer_one_destination",
            ),
        ]
        indexes = [models.Index(fields=["status", "valid_until"], name="transfer_status_valid")]

    def __str__(self) -> str:
        return f"{self.member} {self.from_org} → {self.destination}"

    def get_absolute_url(self) -> str:
        return reverse("transfers:detail", args=[self.pk])

    @property
    def destination(self) -> str:
        """The receiving organization's name (in this installation or another system)."""
        return self.to_org.name if self.to_org is not None else self.to_org_text

    @property
    def external(self) -> bool:
        """To an organization in another system: the 回执 comes back on paper."""
        return self.to_org_id is None

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    @property
    def has_letter(self) -> bool:
        return self.status in LETTER_STATUSES


class SerialCounter(models.Model):
    """介绍信编号: the last number an issuing 党委 gave in a year (字第 号), taken under a lock."""

    issuer = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="+")
    year = models.PositiveSmallIntegerField()
    last = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["issuer", "year"], name="serial_counter_unique")
        ]

    def __str__(self) -> str:
        return f"{self.issuer_id}/{self.year}: {self.last}"
