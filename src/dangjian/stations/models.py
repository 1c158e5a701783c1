"""党员服务站: service stations (党员服务站/点, handbook ch. 7.6) and the help given to members,
mobile members above all (帮扶: jobs, training, rights, returnees starting businesses; ch. 7.7,
7.9)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.urls import reverse
from simple_history.models import HistoricalRecords

from dangjian.members.models import Member
from dangjian.orgs.models import Organization
from dangjian.stations.regions import RegionCodeField, region


class Station(models.Model):
    """党员服务站/点: a place a Party organization keeps open for members, mobile members
    among them, with its address, contact and opening hours."""

    class Kind(models.TextChoices):
        STATION = "station", "党员服务站"
        POINT = "point", "党员服务点"

    name = models.CharField("名称", max_length=100)
    kind = models.CharField("类型", max_length=10, choices=Kind.choices, default=Kind.STATION)
    org = models.ForeignKey(
        Organization, verbose_name="主办党组织", on_delete=models.PROTECT, related_name="stations"
    )
    region = RegionCodeField("所在地区")
    address = models.CharField("详细地址", max_length=200)
    contact_name = models.CharField("联系人", max_length=50)
    # The contact's own mobile: masked for everyone but the station's managers, never public.
    contact_phone = models.CharField("联系人手机", max_length=20, blank=True)
    # The number the station publishes (a desk phone or a hotline): on the public page.
    public_phone = models.CharField("服务电话", max_length=20, blank=True)
    opening_hours = models.CharField("开放时间", max_length=100, blank=True)
    services = models.TextField("服务内容", blank=True)
    is_open = models.BooleanField("正常开放", default=True)
    version = models.PositiveIntegerField("版本", default=1)
    created_at = models.DateTimeField("建立时间", auto_now_add=True)

    history = HistoricalRecords(excluded_fields=["version"])

    class Meta:
        verbose_name = "党员服务站"
        ordering = ["region", "name", "id"]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("stations:detail", args=[self.pk])

    @property
    def region_name(self) -> str:
        return region(self.region)


class HelpRecord(models.Model):
    """帮扶记录: help given to a member (a mobile member, or any member), at a station or not."""

    class Kind(models.TextChoices):
        JOBS = "jobs", "就业"
        TRAINING = "training", "培训"
        RIGHTS = "rights", "权益维护"
        RETURNEE = "returnee", "返乡创业"
        HARDSHIP = "hardship", "生活困难"
        OTHER = "other", "其他"

    kind = models.CharField("帮扶类别", max_length=10, choices=Kind.choices)
    date = models.DateField("帮扶日期")
    member = models.ForeignKey(
        Member, verbose_name="帮扶对象", on_delete=models.PROTECT, related_name="help_records"
    )
    station = models.ForeignKey(
        Station,
        verbose_name="服务站",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="help_records",
    )
    # The organization that gave the help, when neither the member's own nor a station's: the
    # 流入地党组织 helping a mobile member who takes part there. Sees and corrects the record.
    org = models.ForeignKey(
        Organization,
        verbose_name="帮扶党组织",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="help_records",
    )
    description = models.TextField("帮扶内容")
    outcome = models.TextField("帮扶结果", blank=True)
    given_by = models.CharField("帮扶人", max_length=100)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="登记人",
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    version = models.PositiveIntegerField("版本", default=1)
    created_at = models.DateTimeField("登记时间", auto_now_add=True)

    history = HistoricalRecords(excluded_fields=["version"])

    class Meta:
        verbose_name = "帮扶记录"
        ordering = ["-date", "-id"]
        indexes = [models.Index(fields=["member", "date"], name="help_member_date_idx")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}帮扶（{self.date:%Y-%m-%d}）"

    def get_absolute_url(self) -> str:
        return reverse("stations:help-detail", args=[self.pk])
