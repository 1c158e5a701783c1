"""民主评议党员: a branch's annual appraisal (学习动员 → 个人自评 → 党员互评 → 民主测评 → 组织评定
→ 反馈公示 → 结果运用), each member's part in it, the grade written on the member's record, and
the 组织处置 of a member graded 不合格 or found to have left the Party of their own accord
(自行脱党).

The 民主测评 is a GRADE poll of the votes engine held in the 组织生活会 (a `meetings.Meeting` of
kind LIFE linked through `MeetingPoll`); its counts are read from the poll, never copied by hand.
The states are written by the procedures engine (`appraisal/procedures.py`), never by hand.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models

from dangjian.meetings.models import Meeting
from dangjian.members.models import Member
from dangjian.orgs.models import Organization
from dangjian.votes.models import GRADES, Poll

UNGRADED = "ungraded"
# 组织评定等次, best first; a 预备党员 takes part but is not graded (参加评议、不评定等次).
GRADE_CHOICES = [*GRADES, (UNGRADED, "不评定等次")]
EXCELLENT, QUALIFIED, BASIC, UNQUALIFIED = (code for code, _ in GRADES)


class Appraisal(models.Model):
    """民主评议党员: one branch's appraisal of its members for one year."""

    class Status(models.TextChoices):
        SELF_REVIEW = "self", "个人自评"
        PEER_REVIEW = "peer", "党员互评"
        TESTING = "testing", "民主测评"
        TESTED = "tested", "待组织评定"
        RATED = "rated", "已组织评定"
        PUBLISHED = "published", "反馈公示"
        DONE = "done", "已完成"

    class Body(models.TextChoices):
        """组织评定 by: the committee proposes, or the 党员大会 where there is no committee."""

        COMMITTEE = "committee", "支部委员会"
        GENERAL = "general", "支部党员大会"

    org = models.ForeignKey(
        Organization, verbose_name="党支部", on_delete=models.PROTECT, related_name="+"
    )
    org_path = models.CharField(max_length=255, editable=False)
    year = models.PositiveSmallIntegerField("年度")
    # 民主测评: the 组织生活会 it is held in and the GRADE poll (set by the 民主测评 step).
    meeting = models.ForeignKey(
        Meeting,
        verbose_name="组织生活会",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    poll = models.OneToOneField(
        Poll,
        verbose_name="民主测评",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    rated_by = models.CharField("组织评定机构", max_length=10, choices=Body.choices, blank=True)
    rated_on = models.DateField("组织评定日期", null=True, blank=True)
    status = models.CharField("状态", max_length=10, choices=Status.choices, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField("登记时间", auto_now_add=True)
    version = models.PositiveIntegerField("版本", default=1)

    class Meta:
        verbose_name = "民主评议党员"
        ordering = ["-year", "org_path"]
        constraints = [
            models.UniqueConstraint(fields=["org", "year"], name="appraisal_org_year"),
        ]
        indexes = [models.Index(fields=["org_path", "year"], name="appraisal_path_year")]

    def __str__(self) -> str:
        return f"{self.org.name} {self.year} 年度民主评议党员"


class Entry(models.Model):
    """评议对象: one member's part in an appraisal — the 个人自评 and 党性分析 they wrote (or the
    branch recorded from paper), the 互评 comments, and the grade the organization gave."""

    appraisal = models.ForeignKey(Appraisal, on_delete=models.CASCADE, related_name="entries")
    member = models.ForeignKey(
        Member, verbose_name="党员", on_delete=models.PROTECT, related_name="+"
    )
    name = models.CharField("姓名", max_length=50)
    # 预备党员 on the day of 学习动员: takes part, is not graded.
    graded = models.BooleanField("评定等次", default=True)
    self_review = models.TextField("个人自评", blank=True)
    party_analysis = models.TextField("党性分析", blank=True)
    self_on_paper = models.BooleanField("纸质自评由支部录入", default=False)
    self_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="自评录入人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    self_at = models.DateTimeField("自评时间", null=True, blank=True)
    peer_comments = models.TextField("互评意见", blank=True)
    grade = models.CharField("组织评定等次", max_length=12, choices=GRADE_CHOICES, blank=True)
    version = models.PositiveIntegerField("版本", default=1)

    class Meta:
        verbose_name = "评议对象"
        ordering = ["appraisal", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["appraisal", "member"], name="entry_once"),
        ]

    def __str__(self) -> str:
        return self.name


class AppraisalResult(models.Model):
    """评议结果 on the member's record (结果运用): the grade of one year's appraisal, kept with
    the organization that gave it, so it stays with the member after a transfer."""

    member = models.ForeignKey(
        Member, verbose_name="党员", on_delete=models.PROTECT, related_name="appraisal_results"
    )
    year = models.PositiveSmallIntegerField("年度")
    grade = models.CharField("评定等次", max_length=12, choices=GRADE_CHOICES)
    org = models.ForeignKey(
        Organization, verbose_name="评定组织", on_delete=models.PROTECT, related_name="+"
    )
    appraisal = models.ForeignKey(
        Appraisal, on_delete=models.PROTECT, related_name="results", null=True, blank=True
    )
    recorded_on = models.DateField("登记日期")

    class Meta:
        verbose_name = "民主评议结果"
        ordering = ["-year", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["member", "year"], name="appraisal_result_once"),
        ]

    def __str__(self) -> str:
        return f"{self.member.name} {self.year}：{self.get_grade_display()}"


class Disposition(models.Model):
    """组织处置 (党章第九条): 限期改正 of a member graded 不合格, and where they do not correct,
    劝其退党 or 除名; or 除名 of a member who has left the Party of their own accord (自行脱党).
    Each needs a 支部党员大会 decision and the approval of the 基层党委 above the branch."""

    class Source(models.TextChoices):
        UNQUALIFIED = "unqualified", "民主评议不合格"
        LAPSE = "lapse", "自行脱党"

    class Measure(models.TextChoices):
        ADVISE = "advise", "劝其退党"
        REMOVE = "remove", "除名"

    class Status(models.TextChoices):
        CORRECTING = "correcting", "限期改正"
        CORRECTED = "corrected", "改正合格"
        PROPOSED = "proposed", "待支部大会讨论"
        VOTING = "voting", "支部大会表决中"
        DECIDED = "decided", "待上级党委审批"
        APPROVED = "approved", "上级党委已批准"
        NOT_APPROVED = "refused", "上级党委未批准"
        EXITED = "exited", "已出党"
        WITHDRAWN = "withdrawn", "已终止"

    member = models.ForeignKey(
        Member, verbose_name="党员", on_delete=models.PROTECT, related_name="dispositions"
    )
    org = models.ForeignKey(
        Organization, verbose_name="党支部", on_delete=models.PROTECT, related_name="+"
    )
    org_path = models.CharField(max_length=255, editable=False)
    # The 基层党委 that approves (the nearest committee above the branch), fixed at the start.
    approver = models.ForeignKey(
        Organization, verbose_name="审批党委", on_delete=models.PROTECT, related_name="+"
    )
    approver_path = models.CharField(max_length=255, editable=False)
    source = models.CharField("起因", max_length=12, choices=Source.choices)
    appraisal_result = models.ForeignKey(
        AppraisalResult,
        verbose_name="评议结果",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    deadline = models.DateField("改正期限", null=True, blank=True)
    measure = models.CharField("处置方式", max_length=10, choices=Measure.choices, blank=True)
    member_view = models.TextField("本人意见", blank=True)
    meeting = models.ForeignKey(
        Meeting,
        verbose_name="支部党员大会",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    poll = models.ForeignKey(
        Poll,
        verbose_name="支部大会表决",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    status = models.CharField("状态", max_length=12, choices=Status.choices, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField("登记时间", auto_now_add=True)
    version = models.PositiveIntegerField("版本", default=1)

    class Meta:
        verbose_name = "组织处置"
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(fields=["org_path", "status"], name="disposition_path_status"),
            models.Index(fields=["approver_path", "status"], name="disposition_appr_status"),
        ]

    def __str__(self) -> str:
        return f"{self.member.name}：{self.get_source_display()}"

    @property
    def open(self) -> bool:
        S = Disposition.Status
        return self.status not in (S.CORRECTED, S.NOT_APPROVED, S.EXITED, S.WITHDRAWN)
