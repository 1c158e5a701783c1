"""发展党员: one person's file from the 入党申请书 to full membership (five stages, twenty-five
steps of the 发展党员工作细则), the 思想汇报 and 考察 entries recorded along the way.

The person is recorded once (the ID number's keyed hash is unique), with the same protection
as a member's record; at 接收预备党员 the 党委's approval creates the `members.Member` and the
file points at it. The state is written by the procedures engine (`recruitment/procedures.py`)
from the steps, never by hand; every time limit is a `RuleValue` read at the date the rules say.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.urls import reverse

from dangjian.meetings.models import Meeting
from dangjian.members.choices import ETHNICITY_CHOICES, Education, Gender, PersonCategory
from dangjian.members.models import Member
from dangjian.orgs.models import Organization
from dangjian.votes.models import Poll


class Stage(models.TextChoices):
    """The five stages (五个阶段) of the 细则."""

    APPLY = "A", "申请入党"
    ACTIVIST = "B", "入党积极分子的确定和培养教育"
    CANDIDATE = "C", "发展对象的确定和考察"
    ADMISSION = "D", "预备党员的接收"
    PROBATION = "E", "预备党员的教育考察和转正"


class Applicant(models.Model):
    """入党申请人 (then 入党积极分子, 发展对象, 预备党员): one person's 发展党员 file."""

    class Status(models.TextChoices):
        APPLIED = "applied", "入党申请人（待谈话）"
        TALKED = "talked", "入党申请人"
        ACTIVIST = "activist", "入党积极分子"
        CANDIDATE = "candidate", "发展对象"
        REVIEWED = "reviewed", "待上级党委预审"
        PRE_APPROVED = "pre_approved", "预审通过，待公示"
        PUBLICITY = "publicity", "公示中"
        PUBLICIZED = "publicized", "公示结束，待填写入党志愿书"
        FORM = "form", "待支部党员大会讨论"
        VOTING = "voting", "支部党员大会表决中"
        VOTED = "voted", "待上级党委审批"
        PROBATIONARY = "probationary", "预备党员"
        CONVERSION_VOTING = "conversion_voting", "支部党员大会讨论转正中"
        TO_CONVERT = "to_convert", "待上级党委审批转正"
        TO_EXTEND = "to_extend", "待上级党委审批延长预备期"
        TO_CANCEL = "to_cancel", "待上级党委审批取消预备党员资格"
        FULL = "full", "正式党员，材料待归档"
        ARCHIVED = "archived", "材料已归档"
        CANCELLED = "cancelled", "已取消预备党员资格"
        CLOSED = "closed", "已终止培养"

    class Proposal(models.TextChoices):
        """What the 支部党员大会 is asked at the end of probation (党章第七条)."""

        CONVERT = "convert", "按期转为正式党员"
        EXTEND = "extend", "延长预备期"
        CANCEL = "cancel", "取消预备党员资格"

    class Recommendation(models.TextChoices):
        """推荐方式 of an 入党积极分子 (细则第八条)."""

        MEMBERS = "members", "党员推荐"
        LEAGUE = "league", "共青团组织推优"
        MASSES = "masses", "工会等群团组织推优"

    org = models.ForeignKey(
        Organization, verbose_name="党支部", on_delete=models.PROTECT, related_name="+"
    )
    org_path = models.CharField(max_length=255, db_index=True, editable=False)
    name = models.CharField("姓名", max_length=50)
    name_pinyin = models.CharField("姓名拼音", max_length=200, db_index=True, editable=False)
    gender = models.CharField("性别", max_length=1, choices=Gender.choices)
    ethnicity = models.CharField("民族", max_length=2, choices=ETHNICITY_CHOICES)
    birth_date = models.DateField("出生日期")
    # 公民身份号码, as on a member's record: encrypted, a keyed hash for look-up and uniqueness
    # (one person, one file, however many times they apply), a masked copy for display.
    id_cipher = models.TextField("公民身份号码（密文）", editable=False)
    id_hash = models.CharField(max_length=64, unique=True, editable=False)
    id_masked = models.CharField("公民身份号码", max_length=18, db_index=True, editable=False)
    education = models.CharField("学历", max_length=2, choices=Education.choices)
    native_place = models.CharField("籍贯", max_length=50, blank=True)
    work_unit_post = models.CharField("工作单位及职务", max_length=100, blank=True)
    phone = models.CharField("联系电话", max_length=20, blank=True)
    person_category = models.CharField("人员类别", max_length=10, choices=PersonCategory.choices)
    league_member = models.BooleanField("共青团员", default=False)
    applied_on = models.DateField("递交入党申请书日期")

    # Copies of the engine's state and of the dates lists filter on, written with each step.
    status = models.CharField("状态", max_length=20, blank=True, db_index=True)
    status_at = models.DateTimeField("状态变更时间", null=True, blank=True)
    activist_on = models.DateField("确定为入党积极分子日期", null=True, blank=True)
    candidate_on = models.DateField("确定为发展对象日期", null=True, blank=True)
    resolution_on = models.DateField("支部党员大会通过接收日期", null=True, blank=True)
    # The next thing due (谈话, 思想汇报, 考察, 审批 …) and its day: the work lists read these.
    due_on = models.DateField("下一事项期限", null=True, blank=True, db_index=True)
    due_label = models.CharField("下一事项", max_length=50, blank=True)

    contacts = models.ManyToManyField(
        Member, verbose_name="培养联系人", blank=True, related_name="contact_for"
    )
    introducers = models.ManyToManyField(
        Member, verbose_name="入党介绍人", blank=True, related_name="introducer_for"
    )
    # The 支部党员大会 vote under way (接收预备党员, or 转正/延长/取消 with `proposal`): a motion
    # poll of the votes engine held in the meeting, whose attendance is the poll's 到会.
    meeting = models.ForeignKey(
        Meeting, verbose_name="支部党员大会", null=True, blank=True, on_delete=models.PROTECT,
        related_name="+",
    )  # fmt: skip
    poll = models.ForeignKey(
        Poll, verbose_name="表决", null=True, blank=True, on_delete=models.PROTECT,
        related_name="+",
    )  # fmt: skip
    proposal = models.CharField(
        "提请讨论的事项", max_length=10, choices=Proposal.choices, blank=True
    )
    extension_months = models.PositiveSmallIntegerField("延长预备期（月）", null=True, blank=True)
    member = models.OneToOneField(
        Member,
        verbose_name="党员档案",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="recruitment",
    )
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name="登录账号",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="applicant",
    )
    version = models.PositiveIntegerField("版本", default=1)
    created_at = models.DateTimeField("建档时间", auto_now_add=True)

    class Meta:
        verbose_name = "发展党员"
        ordering = ["org_path", "name_pinyin", "id"]
        indexes = [models.Index(fields=["org_path", "status"], name="applicant_path_status_idx")]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("recruitment:detail", args=[self.pk])

    def get_status_display(self) -> str:
        """The state's Chinese name (the status is the engine's copy, stored without choices)."""
        return str(self.Status(self.status).label) if self.status in self.Status.values else ""


class Report(models.Model):
    """思想汇报: a written report the 入党积极分子 (or 发展对象, 预备党员) hands to the branch.
    Its date is what the quarterly rule reads; the text itself may stay on paper."""

    applicant = models.ForeignKey(Applicant, on_delete=models.PROTECT, related_name="reports")
    submitted_on = models.DateField("递交日期")
    summary = models.CharField("主要内容", max_length=500, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField("登记时间", auto_now_add=True)
    version = models.PositiveIntegerField("版本", default=1)

    class Meta:
        verbose_name = "思想汇报"
        ordering = ["applicant", "submitted_on", "id"]

    def __str__(self) -> str:
        return f"{self.applicant} {self.submitted_on} 思想汇报"


class Assessment(models.Model):
    """培养考察: the branch's half-yearly 考察 of an activist (入党积极分子考察登记表) or its
    quarterly 考察 of a 预备党员, with the 培养联系人's opinion."""

    class Kind(models.TextChoices):
        ACTIVIST = "activist", "入党积极分子培养考察"
        PROBATION = "probation", "预备党员教育考察"

    applicant = models.ForeignKey(Applicant, on_delete=models.PROTECT, related_name="assessments")
    kind = models.CharField("考察类型", max_length=10, choices=Kind.choices)
    assessed_on = models.DateField("考察日期")
    opinion = models.TextField("考察意见", max_length=2000)
    by = models.CharField("考察人", max_length=100, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField("登记时间", auto_now_add=True)
    version = models.PositiveIntegerField("版本", default=1)

    class Meta:
        verbose_name = "培养考察"
        ordering = ["applicant", "assessed_on", "id"]

    def __str__(self) -> str:
        return f"{self.applicant} {self.assessed_on} {self.get_kind_display()}"
