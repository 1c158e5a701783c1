"""表决与选举: a poll (one round of a vote), its electorate, candidates and ballots.

Secrecy rests on the split between `Voter` (who may vote, was present, has voted) and `Ballot`
(what was voted). While a poll is open a ballot waits in an `Envelope`, encrypted with a key
kept outside the database; the count opens the envelopes and writes the ballots in a random
order in one transaction, so neither transaction ids nor row order link a ballot to the voter
whose cast wrote its envelope (decision 22). A named (记名) poll's ballots point at their voter.
"""

from __future__ import annotations

import secrets
import uuid

from django.conf import settings
from django.db import models

from dangjian.members.models import Member
from dangjian.orgs.models import Organization

# 评议等次, best first (民主评议党员: 优秀、合格、基本合格、不合格).
GRADES = (
    ("excellent", "优秀"),
    ("qualified", "合格"),
    ("basic", "基本合格"),
    ("unqualified", "不合格"),
)
TOKEN_ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"  # no 0/O, 1/I: read aloud or typed


def new_token() -> str:
    """The poll's short link code (/v/<code>), as printed under its QR code."""
    return "".join(secrets.choice(TOKEN_ALPHABET) for _ in range(8))


class Poll(models.Model):
    """表决（选举）: one round of a vote by an organization's members with voting rights."""

    class Kind(models.TextChoices):
        MOTION = "motion", "表决事项（赞成/反对/弃权）"
        ELECTION = "election", "选举（每位候选人赞成/不赞成/弃权）"
        GRADE = "grade", "评议（优秀/合格/基本合格/不合格）"

    class Status(models.TextChoices):
        DRAFT = "draft", "未开始"
        OPEN = "open", "投票中"
        CLOSED = "closed", "已计票"

    class Method(models.TextChoices):
        ONLINE = "online", "手机扫码投票"
        PAPER = "paper", "纸质选票，逐张录入"
        TOTALS = "totals", "纸质选票，录入汇总结果"

    class Base(models.TextChoices):
        ENTITLED = "entitled", "应到会人数"
        PRESENT = "present", "实到会人数"
        VALID = "valid", "有效票数"

    class Post(models.TextChoices):
        """选举的职务: it decides 差额 or 等额 (选举工作条例), not a checkbox."""

        COMMITTEE = "committee", "委员会委员（差额选举）"
        SECRETARY = "secretary", "书记（可等额选举）"
        DEPUTY = "deputy", "副书记（可等额选举）"

    class RoundKind(models.TextChoices):
        FIRST = "", "第一轮"
        RUNOFF = "runoff", "再次投票（票数相等者）"
        FURTHER = "further", "另行选举（不足名额）"

    organization = models.ForeignKey(
        Organization, verbose_name="党组织", on_delete=models.PROTECT, related_name="polls"
    )
    title = models.CharField("表决事项", max_length=200)
    context = models.CharField("会议或程序", max_length=200, blank=True)
    kind = models.CharField("类型", max_length=10, choices=Kind.choices)
    method = models.CharField("投票方式", max_length=10, choices=Method.choices)
    secret = models.BooleanField("无记名投票", default=True)
    seats = models.PositiveSmallIntegerField("应选人数", default=1)
    contested = models.BooleanField("差额选举", default=False)  # derived from `post`
    post = models.CharField("选举职务", max_length=10, choices=Post.choices, blank=True)
    quorum = models.CharField("到会比例（占应到会）", max_length=10, default="1/2")
    quorum_strict = models.BooleanField("到会须超过该比例", default=True)
    base = models.CharField("票数基数", max_length=10, choices=Base.choices)
    majority = models.CharField("通过比例（占基数）", max_length=10, default="1/2")
    majority_strict = models.BooleanField("须超过该比例", default=True)
    electorate_on = models.DateField("表决权确认日期")
    opens_at = models.DateTimeField("定时开始", null=True, blank=True)
    closes_at = models.DateTimeField("定时结束", null=True, blank=True)
    status = models.CharField("状态", max_length=10, choices=Status.choices, default=Status.DRAFT)
    opened_at = models.DateTimeField("开始时间", null=True, blank=True)
    closed_at = models.DateTimeField("计票时间", null=True, blank=True)
    issued = models.PositiveIntegerField("发出票数", null=True, blank=True)  # paper only
    returned = models.PositiveIntegerField("收回票数", null=True, blank=True)  # totals only
    totals = models.JSONField("汇总结果", null=True, blank=True)  # Method.TOTALS
    result = models.JSONField("计票结果", null=True, blank=True)
    ballots_digest = models.CharField("选票摘要", max_length=64, blank=True)
    previous = models.ForeignKey(
        "self",
        verbose_name="上一轮",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="next_rounds",
    )
    round_no = models.PositiveSmallIntegerField("轮次", default=1)
    round_kind = models.CharField(
        "轮次类型", max_length=10, choices=RoundKind.choices, blank=True, default=""
    )
    token = models.CharField("投票码", max_length=8, unique=True, default=new_token)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    version = models.PositiveIntegerField(default=1)  # optimistic lock for status changes

    class Meta:
        verbose_name = "表决"
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        suffix = f"（第{self.round_no}轮）" if self.round_no > 1 else ""
        return f"{self.title}{suffix}"


class Candidate(models.Model):
    """候选人 (ELECTION) or 评议对象 (GRADE), in ballot order (姓氏笔画)."""

    poll = models.ForeignKey(Poll, on_delete=models.CASCADE, related_name="candidates")
    member = models.ForeignKey(Member, on_delete=models.PROTECT, related_name="+")
    name = models.CharField("姓名", max_length=50)  # as printed on the ballot
    position = models.PositiveSmallIntegerField("排序")
    # 民主评议: a 预备党员 takes part but is not graded (参加评议、不评定等次): not on the ballot.
    graded = models.BooleanField("评定等次", default=True)

    class Meta:
        verbose_name = "候选人"
        ordering = ["poll", "position"]
        constraints = [
            models.UniqueConstraint(fields=["poll", "member"], name="candidate_once_per_poll"),
        ]

    def __str__(self) -> str:
        return self.name


class Voter(models.Model):
    """有表决权的党员 of a poll (应到会), snapshotted when it opens: attendance and whether
    they have voted — never what."""

    poll = models.ForeignKey(Poll, on_delete=models.CASCADE, related_name="voters")
    member = models.ForeignKey(Member, on_delete=models.PROTECT, related_name="+")
    name = models.CharField("姓名", max_length=50)
    present = models.BooleanField("到会", default=False)
    voted = models.BooleanField("已投票", default=False)

    class Meta:
        verbose_name = "表决权人"
        ordering = ["poll", "name", "id"]
        constraints = [
            models.UniqueConstraint(fields=["poll", "member"], name="voter_once_per_poll"),
        ]

    def __str__(self) -> str:
        return self.name


class Envelope(models.Model):
    """A ballot cast or entered while the poll is open, sealed (`core.crypto.seal_envelope`):
    its content, source and (named polls only) voter, encrypted and padded to one size. It is
    written in the voter's own transaction, so its row may be linked to them; without the key
    it says nothing. Closing the poll opens every envelope into a `Ballot` and deletes it."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    poll = models.ForeignKey(Poll, on_delete=models.PROTECT, related_name="envelopes")
    sealed = models.BinaryField()

    class Meta:
        verbose_name = "密封选票"

    def __str__(self) -> str:
        return f"密封选票 {str(self.id)[:8]}"


class Ballot(models.Model):
    """选票: what one ballot says, written when the poll is counted, all of a poll's ballots in
    one transaction in a random order, with a random id and no time, so a secret poll's ballot
    cannot be put next to the voter list or the audit log; `voter` only for named polls. `seal`
    is a keyed hash of the poll, id and choices: a changed or forged row no longer matches."""

    class Source(models.TextChoices):
        ONLINE = "online", "手机投票"
        PAPER = "paper", "纸质选票录入"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    poll = models.ForeignKey(Poll, on_delete=models.PROTECT, related_name="ballots")
    voter = models.OneToOneField(
        Voter, null=True, blank=True, on_delete=models.PROTECT, related_name="ballot"
    )
    choices = models.JSONField("选票内容")
    source = models.CharField(max_length=10, choices=Source.choices)
    seal = models.CharField(max_length=64)

    class Meta:
        verbose_name = "选票"
        # No ordering: a secret poll's ballots are stored and read in a random order.

    def __str__(self) -> str:
        return f"选票 {str(self.id)[:8]}"


class WrittenOpinion(models.Model):
    """书面意见: an absent voter's opinion on a motion, handed to the branch before the meeting
    and entered by its chair or secretary. It counts toward yes/no where the rules allow it
    (支部党员大会, 发展党员工作细则第二十七条), never toward attendance: the voter stays absent.
    It is a signed document, not a secret ballot, so it names its voter."""

    class Vote(models.TextChoices):
        YES = "yes", "赞成"
        NO = "no", "反对"
        ABSTAIN = "abstain", "弃权"

    poll = models.ForeignKey(Poll, on_delete=models.PROTECT, related_name="written_opinions")
    voter = models.OneToOneField(Voter, on_delete=models.PROTECT, related_name="written_opinion")
    vote = models.CharField("意见", max_length=10, choices=Vote.choices)
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    entered_at = models.DateTimeField("录入时间", auto_now_add=True)

    class Meta:
        verbose_name = "书面意见"
        ordering = ["poll", "id"]

    def __str__(self) -> str:
        return f"{self.voter.name} 的书面意见"
