"""四议两公开: a village's major matter (村级重大事项) taken through 党组织提议, "两委"会议商议,
党员大会审议, 村民会议（村民代表会议）决议, then 决议公开 and 实施结果公开 (rules.md §6).

One `Matter` per decision; its steps are `core.procedures` steps (procedures.FOUR_TWO), and what
each step records is kept here in plain columns (for the page and the printed 工作记录): the
两委 meeting's participants and outcome, the 党员大会 (a `meetings.Meeting` with a MOTION poll on
the votes engine), the 村民会议 counts (`VillagerMeeting`, people named in words: most villagers
have no account and are not members) and the two publications (`Publication`).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models

from dangjian.meetings.models import Meeting
from dangjian.orgs.models import Organization
from dangjian.votes.models import Poll


class MatterStatus(models.TextChoices):
    """事项状态 (derived from the steps by the engine; this is its copy for lists)."""

    PROPOSED = "proposed", "已提议，待两委商议"
    CONSULTED = "consulted", "已商议，待送达党员"
    NOTIFIED = "notified", "方案已送达党员，待召开党员大会"
    CONVENED = "convened", "党员大会待审议"
    REVIEWED = "reviewed", "党员大会审议通过，待村民（代表）会议决议"
    RESOLVED = "resolved", "决议通过，待公开决议"
    PUBLISHED = "published", "决议已公开，待公开实施结果"
    COMPLETED = "completed", "实施结果已公开"
    ENDED = "ended", "未通过（已终止）"


class MatterCategory(models.TextChoices):
    """事项类别: the matters 四议两公开 typically covers."""

    RULES = "rules", "村规民约"
    PLANNING = "planning", "发展规划"
    LAND = "land", "土地承包和流转"
    ASSETS = "assets", "集体资产处置"
    PUBLIC_WORKS = "public_works", "公益事业项目和筹资筹劳"
    COMPENSATION = "compensation", "征地补偿费使用"
    OTHER = "other", "其他"


class ConsultOutcome(models.TextChoices):
    """ "两委"会议商议结果."""

    AGREED = "agreed", "同意"
    AMENDED = "amended", "修改后同意"
    REJECTED = "rejected", "不同意"


class Matter(models.Model):
    """村级重大事项: one decision taken through 四议两公开 by a village's 党组织."""

    org = models.ForeignKey(
        Organization, verbose_name="村党组织", on_delete=models.PROTECT, related_name="+"
    )
    org_path = models.CharField(max_length=255, editable=False)
    title = models.CharField("事项名称", max_length=200)
    category = models.CharField("事项类别", max_length=20, choices=MatterCategory.choices)
    content = models.TextField("初步方案")
    proposed_on = models.DateField("提议日期")
    # 一肩挑: the 书记 is also the 村委会主任; 提议 and 商议 may then be one step.
    one_person_both_posts = models.BooleanField("书记兼任村委会主任（一肩挑）", default=False)
    merge_reason = models.CharField("提议与商议合并的说明", max_length=200, blank=True)

    # 第二议: "两委"会议商议
    consult_on = models.DateField("商议日期", null=True, blank=True)
    consult_participants = models.TextField("参加人员（支委、村委）", blank=True)
    consult_outcome = models.CharField(
        "商议结果", max_length=10, choices=ConsultOutcome.choices, blank=True
    )
    consult_note = models.TextField("商议情况", blank=True)
    consult_yes = models.PositiveSmallIntegerField("赞成", null=True, blank=True)
    consult_no = models.PositiveSmallIntegerField("反对", null=True, blank=True)
    consult_abstain = models.PositiveSmallIntegerField("弃权", null=True, blank=True)

    # 第三议: 党员大会审议 (the plan sent to members first)
    plan_sent_on = models.DateField("方案送达党员日期", null=True, blank=True)
    meeting = models.ForeignKey(
        Meeting,
        verbose_name="党员大会",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    poll = models.OneToOneField(
        Poll,
        verbose_name="党员大会表决",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="matter",
    )

    status = models.CharField("状态", max_length=12, choices=MatterStatus.choices, blank=True)
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
        verbose_name = "村级重大事项"
        ordering = ["-proposed_on", "-pk"]
        indexes = [models.Index(fields=["org_path", "status"], name="matter_path_status")]

    def __str__(self) -> str:
        return self.title


class VillagerMeetingKind(models.TextChoices):
    """决议的会议类型."""

    ASSEMBLY = "assembly", "村民会议"
    REPRESENTATIVES = "representatives", "村民代表会议"


class VillagerMeeting(models.Model):
    """村民会议或村民代表会议决议: the counts as recorded (participants are mostly not members:
    named in words only). One row per meeting held; one without a quorum stays on record."""

    class Entitled(models.TextChoices):
        """应到会 of a 村民会议: villagers aged 18+ or households (村民委员会组织法第二十二条)."""

        VILLAGERS = "villagers", "本村十八周岁以上村民"
        HOUSEHOLDS = "households", "本村户数（户代表参加）"
        REPRESENTATIVES = "representatives", "村民代表会议组成人员"

    matter = models.ForeignKey(Matter, on_delete=models.PROTECT, related_name="villager_meetings")
    kind = models.CharField("会议类型", max_length=16, choices=VillagerMeetingKind.choices)
    entitled_basis = models.CharField("应到会口径", max_length=16, choices=Entitled.choices)
    held_on = models.DateField("会议日期")
    entitled = models.PositiveIntegerField("应到会")
    present = models.PositiveIntegerField("实到会")
    yes = models.PositiveIntegerField("赞成")
    no = models.PositiveIntegerField("反对")
    abstain = models.PositiveIntegerField("弃权")
    names = models.TextField("参会人员名单", blank=True)
    quorum_met = models.BooleanField("会议有效")
    passed = models.BooleanField("决议通过")
    explanation = models.CharField("计票说明", max_length=300)
    created_at = models.DateTimeField("登记时间", auto_now_add=True)

    class Meta:
        verbose_name = "村民会议决议"
        ordering = ["matter", "held_on", "pk"]

    def __str__(self) -> str:
        return f"{self.held_on} {self.get_kind_display()}"


class Publication(models.Model):
    """公开: the decision (决议公开) or the result of carrying it out (实施结果公开)."""

    class Kind(models.TextChoices):
        DECISION = "decision", "决议公开"
        RESULT = "result", "实施结果公开"

    class Channel(models.TextChoices):
        BOARD = "board", "村务公开栏"
        OTHER = "other", "其他渠道"

    matter = models.ForeignKey(Matter, on_delete=models.PROTECT, related_name="publications")
    kind = models.CharField("公开事项", max_length=10, choices=Kind.choices)
    published_on = models.DateField("公开日期")
    channel = models.CharField("公开渠道", max_length=10, choices=Channel.choices)
    channel_text = models.CharField("其他渠道说明", max_length=100, blank=True)
    text = models.TextField("公开内容")
    created_at = models.DateTimeField("登记时间", auto_now_add=True)

    class Meta:
        verbose_name = "公开记录"
        ordering = ["matter", "published_on", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["matter", "kind"], name="publication_once_per_kind")
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.published_on}"

    @property
    def where(self) -> str:
        if self.channel == self.Channel.OTHER and self.channel_text:
            return self.channel_text
        return str(self.get_channel_display())
