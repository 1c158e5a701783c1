"""流动党员: members away from home (a stay), the contacts kept with them, their participation
in the organization where they are, and the 流动党员活动证.

The member's formal relationship (组织关系) never moves with a stay: the home branch keeps it
("组织关系一方隶属、参加多重组织生活", 条例 Art 26). A stay only records where the member is and
who helps manage them there, so statistics and elections are unchanged by it.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.urls import reverse

from dangjian.members.models import Member
from dangjian.orgs.models import Organization


class MobileStay(models.Model):
    """流动党员外出登记: one stay of a member away from home, from leaving to return."""

    class Status(models.TextChoices):
        OPEN = "open", "外出中"
        RETURNED = "returned", "已返回"
        TRANSFERRED = "transferred", "已转移组织关系"
        ENDED = "ended", "党籍变动，外出登记结束"

    class Reason(models.TextChoices):
        WORK = "work", "务工经商"
        STUDY = "study", "学习培训"
        FAMILY = "family", "随迁投亲"
        OTHER = "other", "其他"

    member = models.ForeignKey(
        Member, verbose_name="党员", on_delete=models.PROTECT, related_name="mobile_stays"
    )
    home_org = models.ForeignKey(
        Organization, verbose_name="流出地党组织", on_delete=models.PROTECT, related_name="+"
    )
    # The home organization's tree path copied at registration: "stays out of subtree X" is one
    # prefix range on an indexed column (the information view at province scale needs this).
    home_path = models.CharField(max_length=255, editable=False)
    region_code = models.CharField("流入地行政区划代码", max_length=6)
    address = models.CharField("流入地详细地址", max_length=200)
    reason = models.CharField("外出原因", max_length=10, choices=Reason.choices)
    expected_months = models.PositiveSmallIntegerField("预计外出时间（月）")
    phone = models.CharField("联系电话", max_length=20, blank=True)
    contact_note = models.CharField("其他联系方式", max_length=100, blank=True)
    destination_org = models.ForeignKey(
        Organization,
        verbose_name="流入地党组织",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    destination_path = models.CharField(max_length=255, blank=True, editable=False)
    destination_text = models.CharField("流入地党组织（本系统外）", max_length=100, blank=True)
    start_on = models.DateField("外出日期")
    end_on = models.DateField("结束日期", null=True, blank=True)
    status = models.CharField(
        "状态", max_length=12, choices=Status.choices, default=Status.OPEN, editable=False
    )
    # 流动党员活动证: only for short stays or when the relationship cannot be moved (rules §5).
    cannot_transfer = models.BooleanField("暂时无法转移组织关系", default=False)
    permit_number = models.CharField("活动证编号", max_length=30, blank=True)
    permit_valid_until = models.DateField("活动证有效期至", null=True, blank=True)
    # The date the no-contact period counts from: the last contact, or the start of the stay.
    contact_since = models.DateField("最近联系日期", editable=False)
    last_contact_on = models.DateField("最近联系", null=True, blank=True, editable=False)
    version = models.PositiveIntegerField("版本", default=1)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField("登记时间", auto_now_add=True)

    class Meta:
        verbose_name = "流动党员外出登记"
        ordering = ["-start_on", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["member"],
                condition=models.Q(status="open"),
                name="mobile_one_open_stay",
            ),
        ]
        indexes = [
            # The information view: open stays of a subtree, grouped by region and by attended
            # organization, counted by the dates of the last contact and of the start, read
            # from the index alone (an index-only scan). PostgreSQL needs the pattern opclass
            # for LIKE 'path%'.
            models.Index(
                fields=["home_path", "region_code", "contact_since", "start_on", "destination_org"],
                name="mobile_open_view_idx",
                opclasses=[
                    "varchar_pattern_ops",
                    "varchar_pattern_ops",
                    "date_ops",
                    "date_ops",
                    "int8_ops",
                ],
                condition=models.Q(status="open"),
            ),
            # The list behind the counts, longest without contact first: read in this index's
            # order with a LIMIT (the path index above cannot give an order: its pattern
            # opclass sorts bytewise, ORDER BY sorts by the database's collation).
            models.Index(
                fields=["contact_since", "id"],
                name="mobile_open_contact_idx",
                condition=models.Q(status="open"),
            ),
            models.Index(
                fields=["destination_path"],
                name="mobile_open_dest_idx",
                opclasses=["varchar_pattern_ops"],
                condition=models.Q(status="open"),
            ),
            models.Index(fields=["member", "start_on"], name="mobile_member_start_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.member.name} 外出（{self.start_on:%Y-%m-%d}起）"

    def get_absolute_url(self) -> str:
        return reverse("mobile:detail", args=[self.pk])

    @property
    def destination_name(self) -> str:
        if self.destination_org_id is not None:
            return self.destination_org.name if self.destination_org else ""
        return self.destination_text

    @property
    def is_open(self) -> bool:
        return self.status == self.Status.OPEN


class MobileContact(models.Model):
    """联系记录: one contact of the home organization with a member away."""

    class Means(models.TextChoices):
        PHONE = "phone", "电话"
        MESSAGE = "message", "微信或短信"
        VISIT = "visit", "见面"
        LETTER = "letter", "书面汇报"
        OTHER = "other", "其他"

    stay = models.ForeignKey(MobileStay, on_delete=models.PROTECT, related_name="contacts")
    on = models.DateField("联系日期")
    means = models.CharField("联系方式", max_length=10, choices=Means.choices)
    note = models.CharField("情况", max_length=300, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField("登记时间", auto_now_add=True)

    class Meta:
        verbose_name = "流动党员联系记录"
        ordering = ["-on", "-id"]

    def __str__(self) -> str:
        return f"{self.on:%Y-%m-%d} {self.get_means_display()}"


class MobileParticipation(models.Model):
    """参加组织生活记录: what the member took part in at the destination (no vote there)."""

    class Kind(models.TextChoices):
        MEETING = "meeting", "党员大会或党小组会"
        LESSON = "lesson", "党课"
        THEME_DAY = "theme_day", "主题党日"
        EVALUATION = "evaluation", "民主评议"
        SERVICE = "service", "志愿服务"
        DUES = "dues", "交纳党费"
        OTHER = "other", "其他"

    stay = models.ForeignKey(MobileStay, on_delete=models.PROTECT, related_name="participations")
    on = models.DateField("日期")
    kind = models.CharField("活动", max_length=12, choices=Kind.choices)
    note = models.CharField("说明", max_length=300, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField("登记时间", auto_now_add=True)

    class Meta:
        verbose_name = "流动党员参加组织生活记录"
        ordering = ["-on", "-id"]

    def __str__(self) -> str:
        return f"{self.on:%Y-%m-%d} {self.get_kind_display()}"
