"""组织生活: the meetings of an organization (三会一课, 主题党日, 组织生活会, 民主生活会), who was
expected and who came, the minutes, the polls held in them, and the branch's annual plan.

One record serves every use (减负: data entered once): the meeting is the 三会一课 register, the
minutes, the source of the polls' attendance and of the cadence statistics. Nothing here is a
check-in log: scanning a code only fills in the same attendance the secretary could tick, and
no location, photo or time-online is ever stored or counted.
"""

from __future__ import annotations

import secrets

from django.conf import settings
from django.db import models

from dangjian.members.models import Member
from dangjian.orgs.models import Organization
from dangjian.votes.models import Poll


class MeetingKind(models.TextChoices):
    """会议类型 (支部工作条例 Art 11–14; 民主生活会 for 党委 leadership)."""

    GENERAL = "general", "支部党员大会"
    COMMITTEE = "committee", "支部委员会"
    GROUP = "group", "党小组会"
    LECTURE = "lecture", "党课"
    THEME_DAY = "theme_day", "主题党日"
    LIFE = "life", "组织生活会"
    LEADERSHIP = "leadership", "民主生活会"


def new_scan_key() -> str:
    return secrets.token_hex(32)


class Meeting(models.Model):
    """会议: one meeting of one organization, from its notice to its minutes."""

    class Status(models.TextChoices):
        PLANNED = "planned", "待召开"
        HELD = "held", "已召开"
        CANCELLED = "cancelled", "已取消"

    org = models.ForeignKey(
        Organization, verbose_name="召开组织", on_delete=models.PROTECT, related_name="meetings"
    )
    # The organization's tree path copied: "meetings under subtree X" is one indexed prefix range.
    org_path = models.CharField(max_length=255, editable=False)
    kind = models.CharField("会议类型", max_length=12, choices=MeetingKind.choices)
    title = models.CharField("会议主题", max_length=200)
    topics = models.TextField("议题", blank=True)  # one per line
    date = models.DateField("会议日期")
    start_time = models.TimeField("开始时间", null=True, blank=True)
    end_time = models.TimeField("结束时间", null=True, blank=True)
    place = models.CharField("会议地点", max_length=100, blank=True)
    chair = models.ForeignKey(
        Member,
        verbose_name="主持人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    # Someone from outside the organization (a 党委 secretary giving a 党课) is named in words.
    chair_name = models.CharField("主持人（本组织以外）", max_length=50, blank=True)
    recorder = models.ForeignKey(
        Member,
        verbose_name="记录人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    speaker = models.CharField("授课人", max_length=50, blank=True)  # 党课
    notice = models.TextField("会议通知", blank=True)
    noticed_at = models.DateTimeField("通知时间", null=True, blank=True)
    discussion = models.TextField("讨论情况", blank=True)
    decisions = models.TextField("决定事项", blank=True)
    minutes_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="记录录入人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    minutes_at = models.DateTimeField("记录录入时间", null=True, blank=True)
    # A branch may let members confirm their own presence by scanning a code that changes
    # every 30 s (services.scan_code); never required, never counted.
    scan_enabled = models.BooleanField("允许扫码确认出席", default=False)
    scan_key = models.CharField(max_length=64, default=new_scan_key, editable=False)
    # Entered after the day it was held (补录): kept, and shown as such (practice.md).
    late_entry = models.BooleanField("补录", default=False)
    status = models.CharField("状态", max_length=10, choices=Status.choices, default=Status.PLANNED)
    cancel_reason = models.CharField("取消原因", max_length=200, blank=True)
    plan_item = models.OneToOneField(
        "PlanItem",
        verbose_name="年度计划事项",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="meeting",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="登记人",
        null=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField("登记时间", auto_now_add=True)
    version = models.PositiveIntegerField("版本", default=1)

    class Meta:
        verbose_name = "会议"
        ordering = ["-date", "-pk"]
        indexes = [
            models.Index(fields=["org_path", "date"], name="meeting_path_date"),
            models.Index(fields=["org", "kind", "date"], name="meeting_org_kind_date"),
        ]

    def __str__(self) -> str:
        return f"{self.date} {self.get_kind_display()}：{self.title}"


class Attendance(models.Model):
    """出席情况: one person's attendance at one meeting (应到 / 实到 / 请假 / 缺席)."""

    class Status(models.TextChoices):
        PRESENT = "present", "出席"
        LEAVE = "leave", "请假"
        ABSENT = "absent", "缺席"

    class Via(models.TextChoices):
        ROLL = "roll", "登记"
        SCAN = "scan", "扫码"

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="attendance")
    member = models.ForeignKey(
        Member, verbose_name="党员", on_delete=models.PROTECT, related_name="+"
    )
    # 应到: a member of the organization the meeting is for. A 流入党员 attending at the
    # destination is not 应到 there; the attendance counts for the home branch.
    expected = models.BooleanField("应到", default=True)
    status = models.CharField("出席情况", max_length=10, choices=Status.choices, blank=True)
    reason = models.CharField("请假或缺席原因", max_length=100, blank=True)
    via = models.CharField("登记方式", max_length=10, choices=Via.choices, blank=True)
    recorded_at = models.DateTimeField("登记时间", null=True, blank=True)

    class Meta:
        verbose_name = "出席情况"
        constraints = [
            models.UniqueConstraint(fields=["meeting", "member"], name="attendance_once"),
        ]
        indexes = [models.Index(fields=["member", "status"], name="attendance_member")]

    def __str__(self) -> str:
        return f"{self.member.name}：{self.get_status_display() or '未登记'}"


class Guest(models.Model):
    """列席人员: a non-member (or a member from elsewhere) sitting in, recorded by name only."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="guests")
    name = models.CharField("姓名", max_length=50)
    affiliation = models.CharField("单位或身份", max_length=100, blank=True)

    class Meta:
        verbose_name = "列席人员"
        ordering = ["pk"]

    def __str__(self) -> str:
        return self.name


class MeetingPoll(models.Model):
    """会议中的表决: a poll held in a meeting; its 到会 comes from the meeting's attendance."""

    meeting = models.ForeignKey(Meeting, on_delete=models.PROTECT, related_name="poll_links")
    poll = models.OneToOneField(Poll, on_delete=models.PROTECT, related_name="meeting_link")

    class Meta:
        verbose_name = "会议表决"

    def __str__(self) -> str:
        return f"{self.meeting}：{self.poll.title}"


class MeetingPlan(models.Model):
    """年度工作计划: an organization's plan of meetings for one year."""

    org = models.ForeignKey(
        Organization, verbose_name="党组织", on_delete=models.PROTECT, related_name="+"
    )
    org_path = models.CharField(max_length=255, editable=False)
    year = models.PositiveSmallIntegerField("年度")
    version = models.PositiveIntegerField("版本", default=1)

    class Meta:
        verbose_name = "年度计划"
        constraints = [models.UniqueConstraint(fields=["org", "year"], name="plan_org_year")]
        # 工作台: the plans under a user's subtrees (then their items by the plan's key)
        indexes = [
            models.Index(fields=["org_path"], name="plan_path", opclasses=["varchar_pattern_ops"])
        ]

    def __str__(self) -> str:
        return f"{self.org.name} {self.year} 年度计划"


class PlanItem(models.Model):
    """计划事项: one planned meeting; due on the 工作台 until a meeting fulfils it."""

    plan = models.ForeignKey(MeetingPlan, on_delete=models.CASCADE, related_name="items")
    kind = models.CharField("会议类型", max_length=12, choices=MeetingKind.choices)
    due_on = models.DateField("计划日期")
    topic = models.CharField("主题", max_length=200)

    class Meta:
        verbose_name = "计划事项"
        ordering = ["due_on", "pk"]

    def __str__(self) -> str:
        return f"{self.due_on} {self.get_kind_display()}：{self.topic}"


class CadenceTally(models.Model):
    """会议频次台账: per organization and year, which months had a held meeting of each kind.

    Derived data (meetings.cadence keeps it, `check_cadence_tally` recounts it): the compliance
    view of a province is one scan over a subtree's rows of one year. Bit m (0 = January) of a
    mask is month m+1. `alive` marks the months the organization existed throughout, `board`
    the months a branch had a committee (正式党员 on the month's first day at least
    `cadence.committee_min_full_members`); `n_*` count held meetings in the year.
    """

    org = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    org_path = models.CharField(max_length=255)
    org_kind = models.CharField(max_length=10)
    year = models.PositiveSmallIntegerField()
    alive = models.PositiveSmallIntegerField(default=0)
    board = models.PositiveSmallIntegerField(default=0)
    m_general = models.PositiveSmallIntegerField(default=0)
    m_committee = models.PositiveSmallIntegerField(default=0)
    m_group = models.PositiveSmallIntegerField(default=0)
    m_lecture = models.PositiveSmallIntegerField(default=0)
    m_theme_day = models.PositiveSmallIntegerField(default=0)
    m_life = models.PositiveSmallIntegerField(default=0)
    m_leadership = models.PositiveSmallIntegerField(default=0)
    n_general = models.PositiveSmallIntegerField(default=0)
    n_committee = models.PositiveSmallIntegerField(default=0)
    n_group = models.PositiveSmallIntegerField(default=0)
    n_lecture = models.PositiveSmallIntegerField(default=0)
    n_theme_day = models.PositiveSmallIntegerField(default=0)
    n_life = models.PositiveSmallIntegerField(default=0)
    n_leadership = models.PositiveSmallIntegerField(default=0)
    # Per requirement (meetings.cadence.REQUIREMENTS, each at its own bit offset: a bit per
    # month, quarter or the year): `owed` the periods this organization owes (its kind, the
    # months it existed, its committee), `gaps` those of them without a held meeting. The
    # compliance scan then tests each requirement with one AND instead of re-deriving it.
    owed = models.BigIntegerField(default=0)
    gaps = models.BigIntegerField(default=0)

    class Meta:
        verbose_name = "会议频次台账"
        constraints = [
            models.UniqueConstraint(fields=["org", "year"], name="cadence_org_year"),
        ]
        indexes = [
            # a subtree's rows of one year: equality on year, left-anchored LIKE on the path
            models.Index(
                fields=["year", "org_path"],
                name="cadence_year_path",
                opclasses=["int2_ops", "varchar_pattern_ops"],
            ),
            # the list of organizations that missed something, in tree order with a LIMIT: an
            # ordered scan (the pattern index above cannot give the collation's order)
            models.Index(fields=["year", "org_path"], name="cadence_year_path_order"),
        ]

    def __str__(self) -> str:
        return f"{self.org_id} {self.year}"
