"""党员: the member registry and the dated history of each membership."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.urls import reverse
from simple_history.models import HistoricalRecords

from dangjian.accounts.scope import scope_for
from dangjian.core.crypto import decrypt
from dangjian.core.paths import subtree_q
from dangjian.members.choices import (
    ETHNICITY_CHOICES,
    Education,
    Gender,
    MemberCategory,
    MemberStatus,
    PersonCategory,
)
from dangjian.orgs.models import Organization


class MemberQuerySet(models.QuerySet["Member"]):
    def visible_to(self, user: Any) -> MemberQuerySet:
        return self.filter(scope_for(user).member_q())

    def under(self, org: Organization) -> MemberQuerySet:
        return self.filter(subtree_q("org_path", org.path))

    def in_party(self) -> MemberQuerySet:
        return self.filter(status=MemberStatus.ACTIVE)


class Member(models.Model):
    """党员: one person's basic record. Leaving the Party is an event, not a deletion; only
    undoing a roster import deletes the members that import added (rosters.undo_import)."""

    name = models.CharField("姓名", max_length=50)
    name_pinyin = models.CharField("姓名拼音", max_length=200, db_index=True, editable=False)
    name_initials = models.CharField("拼音首字母", max_length=50, db_index=True, editable=False)
    gender = models.CharField("性别", max_length=1, choices=Gender.choices)
    ethnicity = models.CharField("民族", max_length=2, choices=ETHNICITY_CHOICES)
    birth_date = models.DateField("出生日期")
    # 公民身份号码: encrypted; the keyed hash is for exact look-up and uniqueness, the masked
    # copy for display and search by last digits.
    id_cipher = models.TextField("公民身份号码（密文）", editable=False)
    id_hash = models.CharField(max_length=64, unique=True, editable=False)
    id_masked = models.CharField("公民身份号码", max_length=18, db_index=True, editable=False)
    education = models.CharField("学历", max_length=2, choices=Education.choices)
    native_place = models.CharField("籍贯", max_length=50, blank=True)
    work_unit_post = models.CharField("工作单位及职务", max_length=100, blank=True)
    # The unit the member works in, as the member or branch records it: the unit-coverage
    # statistics (units with 3+ full members against units with an organization) count by it.
    work_unit = models.ForeignKey(
        "orgs.Unit",
        verbose_name="工作单位",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="members",
    )
    person_category = models.CharField("人员类别", max_length=10, choices=PersonCategory.choices)
    phone = models.CharField("联系电话", max_length=20, blank=True)

    # Current state, derived from the events (replay) and stored for fast lists and counts.
    join_date = models.DateField("入党日期", null=True, blank=True)
    full_date = models.DateField("转正日期", null=True, blank=True)
    # 预备期满之日 of a 预备党员 in the Party (the replay's, extensions included); empty for
    # everyone else, so "probations ending soon" is one small partial-index range (工作台).
    probation_end = models.DateField("预备期满之日", null=True, blank=True, editable=False)
    category = models.CharField("党员类别", max_length=4, choices=MemberCategory.choices)
    status = models.CharField(
        "党籍状态", max_length=10, choices=MemberStatus.choices, default=MemberStatus.ACTIVE
    )
    org = models.ForeignKey(
        Organization, verbose_name="所在党组织", on_delete=models.PROTECT, related_name="members"
    )
    # The organization's tree path copied onto the member: "everything under X" is one prefix
    # range on an indexed column, with no join (statistics at national scale need this).
    org_path = models.CharField(max_length=255, db_index=True, editable=False)
    group = models.ForeignKey(
        Organization,
        verbose_name="所在党小组",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="group_members",
    )
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name="登录账号",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="member",
    )
    version = models.PositiveIntegerField("版本", default=1)
    created_at = models.DateTimeField("建档时间", auto_now_add=True)

    objects = MemberQuerySet.as_manager()
    history = HistoricalRecords(
        excluded_fields=[
            "org_path",
            "name_pinyin",
            "name_initials",
            "id_hash",
            "version",
            "probation_end",
        ]
    )

    class Meta:
        verbose_name = "党员"
        ordering = ["org_path", "name_pinyin", "id"]
        indexes = [
            models.Index(fields=["org_path", "status"], name="member_path_status_idx"),
            # Only 预备党员 have a probation_end: a small index, a subtree's slice of it read
            # by path prefix. PostgreSQL needs the pattern opclass for LIKE 'path%'.
            models.Index(
                fields=["org_path", "probation_end"],
                name="member_probation_end_idx",
                opclasses=["varchar_pattern_ops", "date_ops"],
                condition=models.Q(probation_end__isnull=False),
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("members:detail", args=[self.pk])

    def reveal_id_number(self) -> str:
        """The full ID number. Callers must hold the permission and log the view."""
        return decrypt(self.id_cipher)


class MemberEvent(models.Model):
    """党籍变动: a dated fact about a membership (接收预备党员, 转正, 转入, 转出, 停止党籍 …).

    Events are the source of truth; the member's current fields and the spells are replayed
    from them. An event is never edited or deleted: a wrong one is voided with a reason.
    """

    class Kind(models.TextChoices):
        ADMIT = "admit", "接收为预备党员"
        CONVERT = "convert", "转为正式党员"
        EXTEND = "extend", "延长预备期"
        CANCEL = "cancel", "取消预备党员资格"
        TRANSFER_IN = "in", "组织关系转入"
        MOVE = "move", "系统内组织关系调整"
        TRANSFER_OUT = "out", "组织关系转出"
        SUSPEND = "suspend", "停止党籍"
        RESTORE = "restore", "恢复党籍"
        EXIT = "exit", "出党"
        DEATH = "death", "去世"

    member = models.ForeignKey(Member, on_delete=models.PROTECT, related_name="events")
    kind = models.CharField("变动类型", max_length=10, choices=Kind.choices)
    effective_date = models.DateField("生效日期")
    org = models.ForeignKey(
        Organization,
        verbose_name="变动后党组织",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    category = models.CharField(
        "转入时党员类别", max_length=4, choices=MemberCategory.choices, blank=True
    )
    counterpart = models.CharField("转出/转入单位", max_length=100, blank=True)
    # 转入: the dates of a membership begun elsewhere, as the transfer letter gives them, so
    # that the member's 入党日期/转正日期 are replayed from the events like everyone else's.
    join_date = models.DateField("入党日期", null=True, blank=True)
    full_date = models.DateField("转正日期", null=True, blank=True)
    months = models.PositiveSmallIntegerField("延长预备期（月）", null=True, blank=True)
    # 转正/延长预备期: the 支部大会 resolution, on or after the end of probation (the event's
    # effective date is that end, whenever the branch decides).
    decided_on = models.DateField("支部大会决议日期", null=True, blank=True)
    document_no = models.CharField("文号或依据", max_length=100, blank=True)
    note = models.CharField("说明", max_length=200, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField("登记时间", auto_now_add=True)
    voided_at = models.DateTimeField("作废时间", null=True, blank=True)
    void_reason = models.CharField("作废原因", max_length=200, blank=True)

    class Meta:
        verbose_name = "党籍变动"
        ordering = ["effective_date", "id"]
        indexes = [models.Index(fields=["member", "effective_date"], name="event_member_date_idx")]

    def __str__(self) -> str:
        return f"{self.effective_date} {self.get_kind_display()}"


class SpellQuerySet(models.QuerySet["MemberSpell"]):
    def open_on(self, on: Any) -> SpellQuerySet:
        """The spells open on date `on` (members in the Party that day): valid_from <= on <
        valid_to, an open end being NULL. The one statement of "members on a date"."""
        return self.filter(
            models.Q(valid_to__isnull=True) | models.Q(valid_to__gt=on), valid_from__lte=on
        )


class MemberSpell(models.Model):
    """党籍区间: a period in which a member belonged to one organization with one category.

    Derived from the events (rebuilt per member on every change); answers "who was in X on
    date D" with one indexed range query: valid_from <= D < valid_to (valid_to NULL = open).
    """

    member = models.ForeignKey(Member, on_delete=models.CASCADE, related_name="spells")
    org = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="+")
    # db_index also gives PostgreSQL the varchar_pattern_ops index that a subtree's
    # LIKE 'path%' needs; without it every statistics query scanned all spells.
    org_path = models.CharField(max_length=255, db_index=True)
    category = models.CharField(max_length=4, choices=MemberCategory.choices)
    valid_from = models.DateField()
    valid_to = models.DateField(null=True, blank=True)
    # The flow that opened the spell (接收预备党员 or 转正 on valid_from), else "": the
    # statistics count 发展党员 and 转正 in a period from the spells alone.
    opened_by = models.CharField(max_length=10, blank=True, default="")

    objects = SpellQuerySet.as_manager()

    class Meta:
        indexes = [
            models.Index(fields=["org_path", "valid_from"], name="spell_path_from_idx"),
            models.Index(fields=["org", "valid_from"], name="spell_org_from_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.member_id}@{self.org_id} {self.valid_from}–{self.valid_to or ''}"


class PartyProbation(models.Model):
    """留党察看: a disciplinary sanction during which the member keeps membership but has no
    表决权、选举权和被选举权 (党章第四十条). Only what the electorate needs: the period and the
    decision's reference; the disciplinary case itself is not kept here."""

    member = models.ForeignKey(Member, on_delete=models.PROTECT, related_name="probations")
    start_date = models.DateField("留党察看起始日期")
    end_date = models.DateField("期满或恢复权利日期", null=True, blank=True)
    document_no = models.CharField("处分决定文号", max_length=100)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField("登记时间", auto_now_add=True)

    class Meta:
        verbose_name = "留党察看"
        ordering = ["member", "start_date"]

    def __str__(self) -> str:
        return f"{self.member} 留党察看 {self.start_date}–{self.end_date or ''}"
