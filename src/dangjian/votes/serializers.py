"""Shapes of the polls API (表决与选举). Parsing and output only: the rules are in services.py.

What a ballot said never leaves the server: there is no serializer for a `Ballot`, and a poll's
result (counts per candidate) is shown only once it is closed.
"""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from dangjian.votes.models import Candidate, Poll, WrittenOpinion
from dangjian.votes.selectors import may_manage, turnout, voter_for
from dangjian.votes.services import PRESETS, SHARE_CHOICES

CHOICES_HELP = (
    '选票内容。表决事项：{"vote": "yes"|"no"|"abstain"}；选举：{"marks": {候选人 id: '
    '"yes"|"no"|"abstain"}, "others": [另选他人的党员 id]}（赞成与另选人数之和不得超过应选人数；'
    '另选他人须为本组织有被选举权的党员、不是候选人）；评议：{"grades": {评议对象 id: 等次}}'
)
PRESET_CHOICES = [(key, preset.label) for key, preset in PRESETS.items()]


# ---- output -----------------------------------------------------------------------------------


class CandidateSerializer(serializers.ModelSerializer):
    class Meta:
        model = Candidate
        fields = ["id", "name", "position", "graded"]
        read_only_fields = fields


class CountsSerializer(serializers.Serializer):
    """到会与投票人数 (numbers only)."""

    entitled = serializers.IntegerField(help_text="应到会（有表决权的党员）")
    present = serializers.IntegerField(help_text="实到会")
    voted = serializers.IntegerField(help_text="已投票（含书面意见）")


class VoterRowSerializer(serializers.Serializer):
    id = serializers.IntegerField(help_text="表决权人 id（登记到会时使用）")
    name = serializers.CharField()
    present = serializers.BooleanField()


class TurnoutSerializer(CountsSerializer):
    """到会与投票情况: names only for the poll's managers, and never what anyone voted."""

    ballots = serializers.IntegerField(help_text="已收到的选票数")
    quorum_warning = serializers.CharField(help_text="投票中到会人数不足时的提示；足够时为空")
    not_voted = serializers.ListField(
        child=serializers.CharField(), help_text="尚未投票的表决权人姓名（仅管理者可见）"
    )
    voters = VoterRowSerializer(many=True, help_text="表决权人名单与到会情况（仅管理者可见）")


class OptionResultSerializer(serializers.Serializer):
    option = serializers.IntegerField(allow_null=True, help_text="候选人 id；表决事项为空")
    counts = serializers.DictField(child=serializers.IntegerField(), help_text="表态或等次 → 票数")
    outcome = serializers.CharField(help_text="elected/runoff/not_elected/passed/rejected/等次")
    write_in = serializers.BooleanField(
        required=False, default=False, help_text="另选他人：option 为党员 id"
    )


class ResultSerializer(serializers.Serializer):
    """计票结果 (as stored at the count)."""

    valid = serializers.IntegerField(help_text="有效票")
    invalid = serializers.IntegerField(help_text="无效票")
    quorum_met = serializers.BooleanField(help_text="到会人数符合规定")
    void = serializers.BooleanField(help_text="收回票数多于发出票数，本轮无效")
    base = serializers.IntegerField(help_text="计算通过比例的基数")
    options = OptionResultSerializer(many=True)
    elected = serializers.ListField(child=serializers.IntegerField(), help_text="当选（按票数）")
    runoff = serializers.ListField(
        child=serializers.IntegerField(), help_text="票数相等、须再次投票的候选人"
    )
    runoff_seats = serializers.IntegerField()
    unfilled = serializers.IntegerField(help_text="未选足、须另行选举的名额")
    passed = serializers.BooleanField(allow_null=True, help_text="表决事项是否通过")
    written = serializers.DictField(
        child=serializers.IntegerField(),
        required=False,
        help_text="书面意见（表决事项）：表态 → 份数，已计入票数，不计入到会人数",
    )
    elected_others = serializers.ListField(
        child=serializers.IntegerField(), required=False, help_text="当选的另选他人（党员 id）"
    )
    runoff_others = serializers.ListField(
        child=serializers.IntegerField(),
        required=False,
        help_text="须再次投票的另选他人（党员 id）",
    )


class PollListSerializer(serializers.ModelSerializer):
    organization_name = serializers.CharField(source="organization.name", read_only=True)

    class Meta:
        model = Poll
        fields = [
            "id",
            "organization",
            "organization_name",
            "title",
            "context",
            "kind",
            "method",
            "status",
            "round_no",
            "opens_at",
            "closes_at",
            "created_at",
        ]
        read_only_fields = fields


class PollSerializer(PollListSerializer):
    """表决: its rules, ballot, turnout, and the result once counted."""

    candidates = CandidateSerializer(many=True, read_only=True)
    turnout = serializers.SerializerMethodField()
    quorum_warning = serializers.SerializerMethodField()
    post = serializers.ChoiceField(
        choices=Poll.Post.choices,
        allow_blank=True,
        read_only=True,
        help_text="选举职务（选举才有；其他表决为空字符串）",
    )
    contested = serializers.BooleanField(
        read_only=True, help_text="差额选举：由选举职务决定（委员差额，书记、副书记可以等额）"
    )
    result = serializers.SerializerMethodField()
    ballots_digest = serializers.SerializerMethodField()
    may_manage = serializers.SerializerMethodField()
    voted = serializers.SerializerMethodField()

    class Meta(PollListSerializer.Meta):
        fields = [
            *PollListSerializer.Meta.fields,
            "secret",
            "seats",
            "post",
            "contested",
            "quorum",
            "quorum_strict",
            "base",
            "majority",
            "majority_strict",
            "electorate_on",
            "opened_at",
            "closed_at",
            "issued",
            "returned",
            "previous",
            "round_kind",
            "quorum_warning",
            "token",
            "version",
            "candidates",
            "turnout",
            "result",
            "ballots_digest",
            "may_manage",
            "voted",
        ]
        read_only_fields = fields

    @extend_schema_field(CountsSerializer)
    def get_turnout(self, poll: Poll) -> dict[str, int]:
        counts = turnout(poll, names=False)
        return {"entitled": counts.entitled, "present": counts.present, "voted": counts.voted}

    @extend_schema_field(
        serializers.CharField(help_text="投票中到会人数不足时的提示（计票前）；足够时为空")
    )
    def get_quorum_warning(self, poll: Poll) -> str:
        return turnout(poll, names=False).quorum_warning

    @extend_schema_field(ResultSerializer(allow_null=True, help_text="计票结果（仅计票后）"))
    def get_result(self, poll: Poll) -> dict[str, Any] | None:
        if poll.status != Poll.Status.CLOSED or poll.result is None:
            return None  # never a partial count while the vote is on
        return dict(ResultSerializer(poll.result).data)

    @extend_schema_field(serializers.CharField(allow_null=True, help_text="选票摘要（计票后）"))
    def get_ballots_digest(self, poll: Poll) -> str | None:
        return poll.ballots_digest if poll.status == Poll.Status.CLOSED else None

    @extend_schema_field(serializers.BooleanField(help_text="当前用户可管理该表决"))
    def get_may_manage(self, poll: Poll) -> bool:
        return may_manage(self.context["request"].user, poll)

    @extend_schema_field(
        serializers.BooleanField(allow_null=True, help_text="当前用户是否已投票；非表决权人为空")
    )
    def get_voted(self, poll: Poll) -> bool | None:
        voter = voter_for(self.context["request"].user, poll)
        return None if voter is None else voter.voted


class RecountSerializer(serializers.Serializer):
    ok = serializers.BooleanField(help_text="选票与计票记录一致")
    problems = serializers.ListField(child=serializers.CharField())
    result = ResultSerializer(help_text="重新计票的结果")


class CastSerializer(serializers.Serializer):
    voted = serializers.BooleanField()


class PaperBallotStoredSerializer(serializers.Serializer):
    ballots = serializers.IntegerField(help_text="已录入的选票数")


class AttendanceResultSerializer(serializers.Serializer):
    present = serializers.IntegerField(help_text="实到会人数")


# ---- input ------------------------------------------------------------------------------------


class PollCreateSerializer(serializers.Serializer):
    organization = serializers.IntegerField(help_text="党组织 id")
    title = serializers.CharField(max_length=200, help_text="表决事项")
    # A field named like Serializer.context: DRF takes declared fields out of the class body.
    context = serializers.CharField(  # type: ignore[assignment]
        max_length=200, required=False, default="", allow_blank=True, help_text="会议或程序"
    )
    kind = serializers.ChoiceField(choices=Poll.Kind.choices)
    method = serializers.ChoiceField(choices=Poll.Method.choices)
    preset = serializers.ChoiceField(choices=PRESET_CHOICES, help_text="表决规则")
    secret = serializers.BooleanField(required=False, default=True, help_text="无记名投票")
    seats = serializers.IntegerField(
        required=False, default=1, min_value=1, max_value=999, help_text="应选人数"
    )
    post = serializers.ChoiceField(
        choices=Poll.Post.choices,
        required=False,
        default="",
        allow_blank=True,
        help_text="选举职务（仅选举，默认委员）：委员须差额选举，书记、副书记可以等额选举",
    )
    candidates = serializers.ListField(
        child=serializers.IntegerField(),
        required=False,
        default=list,
        help_text="候选人或评议对象（党员 id）",
    )
    electorate_on = serializers.DateField(
        help_text="表决权确认日期：不早于 1921-07-01，不晚于投票日期（定时开始日期或当天）"
    )
    opens_at = serializers.DateTimeField(required=False, allow_null=True, default=None)
    closes_at = serializers.DateTimeField(required=False, allow_null=True, default=None)
    quorum = serializers.ChoiceField(
        choices=SHARE_CHOICES,
        required=False,
        allow_null=True,
        default=None,
        help_text="到会比例（默认按规则）",
    )
    majority = serializers.ChoiceField(
        choices=SHARE_CHOICES,
        required=False,
        allow_null=True,
        default=None,
        help_text="通过比例（默认按规则）",
    )
    base = serializers.ChoiceField(
        choices=Poll.Base.choices,
        required=False,
        allow_null=True,
        default=None,
        help_text="票数基数（默认按规则）",
    )


class VersionSerializer(serializers.Serializer):
    expected_version = serializers.IntegerField(help_text="表决的 version（防止重复操作）")


class CloseSerializer(VersionSerializer):
    confirm_over_cap = serializers.BooleanField(
        required=False,
        default=False,
        help_text="民主评议：评定为优秀的人数超过比例（一般不超过三分之一）时，主持人确认后计票",
    )


class NextRoundSerializer(serializers.Serializer):
    candidates = serializers.ListField(
        child=serializers.IntegerField(),
        required=False,
        allow_null=True,
        default=None,
        help_text="另行选举的候选人（党员 id，须为上一轮未当选的候选人）；默认按上一轮得票顺序",
    )


class WrittenOpinionSerializer(serializers.Serializer):
    voter = serializers.IntegerField(help_text="未到会的表决权人 id（见 turnout 的 voters）")
    vote = serializers.ChoiceField(choices=WrittenOpinion.Vote.choices, help_text="书面意见")


class WrittenOpinionStoredSerializer(serializers.Serializer):
    opinions = serializers.IntegerField(help_text="已录入的书面意见份数")


class AttendanceSerializer(serializers.Serializer):
    present = serializers.ListField(
        child=serializers.IntegerField(), help_text="到会的表决权人 id（见 turnout 的 voters）"
    )


class ChoicesSerializer(serializers.Serializer):
    choices = serializers.DictField(help_text=CHOICES_HELP)


class PaperCountsSerializer(serializers.Serializer):
    issued = serializers.IntegerField(min_value=0, help_text="发出票数")
    returned = serializers.IntegerField(
        min_value=0, required=False, allow_null=True, default=None, help_text="收回票数（汇总录入）"
    )
    totals = serializers.DictField(
        required=False,
        allow_null=True,
        default=None,
        help_text=(
            '汇总结果（汇总录入）：{"invalid": n, "counts": {候选人 id 或 "vote": {表态: n}}}'
        ),
    )
