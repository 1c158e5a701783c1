"""JSON API for 四议两公开: the same services, scope and step checks as the pages."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.core.exceptions import PermissionDenied
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import mixins, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from dangjian.accounts.abilities import Ability
from dangjian.accounts.scope import refusal_for, scope_for
from dangjian.core.actors import Actor
from dangjian.core.api import StepOptionSerializer
from dangjian.core.exceptions import DomainError
from dangjian.deliberations import services
from dangjian.deliberations.models import (
    ConsultOutcome,
    Matter,
    MatterCategory,
    Publication,
    VillagerMeeting,
    VillagerMeetingKind,
)
from dangjian.deliberations.procedures import matter_actions
from dangjian.deliberations.selectors import (
    get_matter_for_user,
    matters_visible_to,
    orgs_for_proposing,
)
from dangjian.votes.models import Poll


class VillagerMeetingSerializer(serializers.ModelSerializer):
    class Meta:
        model = VillagerMeeting
        fields = ["kind", "entitled_basis", "held_on", "entitled", "present", "yes", "no",
                  "abstain", "names", "quorum_met", "passed", "explanation"]  # fmt: skip
        read_only_fields = fields


class PublicationSerializer(serializers.ModelSerializer):
    where = serializers.CharField(read_only=True, help_text="公开渠道（名称）")

    class Meta:
        model = Publication
        fields = ["kind", "published_on", "channel", "channel_text", "where", "text"]
        read_only_fields = fields


class MatterSerializer(serializers.ModelSerializer):
    org_name = serializers.CharField(source="org.name", read_only=True)
    status_label = serializers.CharField(source="get_status_display", read_only=True)
    category_label = serializers.CharField(source="get_category_display", read_only=True)

    class Meta:
        model = Matter
        fields = ["id", "org", "org_name", "title", "category", "category_label", "proposed_on",
                  "status", "status_label", "version"]  # fmt: skip
        read_only_fields = fields


class MatterDetailSerializer(MatterSerializer):
    actions = serializers.SerializerMethodField(help_text="当前用户现在可以办理的步骤")
    meeting_date = serializers.DateField(source="meeting.date", read_only=True, allow_null=True)
    villager_meetings = VillagerMeetingSerializer(many=True, read_only=True)
    publications = PublicationSerializer(many=True, read_only=True)

    class Meta(MatterSerializer.Meta):
        fields = [
            *MatterSerializer.Meta.fields, "content", "one_person_both_posts", "merge_reason",
            "consult_on", "consult_participants", "consult_outcome", "consult_note",
            "consult_yes", "consult_no", "consult_abstain", "plan_sent_on", "meeting_date",
            "poll", "villager_meetings", "publications", "actions",
        ]  # fmt: skip
        read_only_fields = fields

    @extend_schema_field(StepOptionSerializer(many=True))
    def get_actions(self, m: Matter) -> list[dict[str, Any]]:
        return matter_actions(self.context["request"].user, m)


class ProposeSerializer(serializers.Serializer):
    org = serializers.IntegerField(help_text="村党组织 id")
    title = serializers.CharField(max_length=200)
    category = serializers.ChoiceField(choices=MatterCategory.choices)
    content = serializers.CharField()
    proposed_on = serializers.DateField()
    one_person_both_posts = serializers.BooleanField(default=False)
    merge_reason = serializers.CharField(max_length=200, required=False, allow_blank=True)


class MatterVersionSerializer(serializers.Serializer):
    version = serializers.IntegerField(help_text="事项的 version（防止重复办理）")


class ConsultSerializer(MatterVersionSerializer):
    on = serializers.DateField()
    participants = serializers.CharField(help_text="参加人员（支委、村委）姓名")
    outcome = serializers.ChoiceField(choices=ConsultOutcome.choices)
    note = serializers.CharField(required=False, allow_blank=True)
    yes = serializers.IntegerField(required=False, allow_null=True, min_value=0)
    no = serializers.IntegerField(required=False, allow_null=True, min_value=0)
    abstain = serializers.IntegerField(required=False, allow_null=True, min_value=0)


class SendPlanSerializer(MatterVersionSerializer):
    on = serializers.DateField(help_text="方案送达党员日期")
    note = serializers.CharField(required=False, allow_blank=True, max_length=200)


class ConveneSerializer(MatterVersionSerializer):
    on = serializers.DateField(help_text="党员大会日期")
    place = serializers.CharField(required=False, allow_blank=True, max_length=100)
    method = serializers.ChoiceField(choices=Poll.Method.choices, default=Poll.Method.TOTALS)


class ResolveSerializer(MatterVersionSerializer):
    kind = serializers.ChoiceField(choices=VillagerMeetingKind.choices)
    entitled_basis = serializers.ChoiceField(
        choices=VillagerMeeting.Entitled.choices, required=False, allow_blank=True
    )
    held_on = serializers.DateField()
    entitled = serializers.IntegerField(min_value=1)
    present = serializers.IntegerField(min_value=0)
    yes = serializers.IntegerField(min_value=0)
    no = serializers.IntegerField(min_value=0)
    abstain = serializers.IntegerField(min_value=0)
    names = serializers.CharField(required=False, allow_blank=True)


class PublishSerializer(MatterVersionSerializer):
    on = serializers.DateField(help_text="公开日期")
    channel = serializers.ChoiceField(choices=Publication.Channel.choices)
    channel_text = serializers.CharField(required=False, allow_blank=True, max_length=100)
    text = serializers.CharField()


Run = Callable[[Actor, Matter, dict[str, Any]], Any]


def _notice(d: dict[str, Any]) -> services.Notice:
    return services.Notice(on=d["on"], channel=d["channel"], text=d["text"],
                           channel_text=d.get("channel_text", ""))  # fmt: skip


RUNS: dict[str, tuple[type[serializers.Serializer], Run]] = {
    "consult": (ConsultSerializer, lambda a, m, d: services.record_consultation(
        actor=a, matter=m, version=d["version"], c=services.Consultation(
            on=d["on"], participants=d["participants"], outcome=d["outcome"],
            note=d.get("note", ""), yes=d.get("yes"), no=d.get("no"), abstain=d.get("abstain"),
        ))),
    "send_plan": (SendPlanSerializer, lambda a, m, d: services.send_plan(
        actor=a, matter=m, version=d["version"], on=d["on"], note=d.get("note", ""))),
    "convene": (ConveneSerializer, lambda a, m, d: services.convene_review(
        actor=a, matter=m, version=d["version"], on=d["on"], place=d.get("place", ""),
        method=d["method"])),
    "review": (MatterVersionSerializer, lambda a, m, d: services.record_review(
        actor=a, matter=m, version=d["version"])),
    "resolve": (ResolveSerializer, lambda a, m, d: services.record_resolution(
        actor=a, matter=m, version=d["version"], vote=services.VillagerVote(
            kind=d["kind"], held_on=d["held_on"], entitled=d["entitled"], present=d["present"],
            yes=d["yes"], no=d["no"], abstain=d["abstain"],
            entitled_basis=d.get("entitled_basis", ""), names=d.get("names", ""),
        ))),
    "publish_decision": (PublishSerializer, lambda a, m, d: services.publish_decision(
        actor=a, matter=m, version=d["version"], notice=_notice(d))),
    "publish_result": (PublishSerializer, lambda a, m, d: services.publish_result(
        actor=a, matter=m, version=d["version"], notice=_notice(d))),
}  # fmt: skip


class MatterViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet,  # type: ignore[type-arg]
):
    """村级重大事项 (四议两公开): every step by 组织会议和组织生活 on the village 党组织."""

    serializer_class = MatterSerializer

    def get_serializer_class(self) -> Any:
        return MatterSerializer if self.action == "list" else MatterDetailSerializer

    def get_queryset(self) -> Any:
        return matters_visible_to(self.request.user)

    def get_object(self) -> Matter:
        return get_matter_for_user(self.request.user, self.kwargs["pk"])

    def _detail(self, matter: Matter) -> Response:
        matter.refresh_from_db()
        return Response(MatterDetailSerializer(matter, context=self.get_serializer_context()).data)

    @extend_schema(request=ProposeSerializer, responses={201: MatterDetailSerializer})
    def create(self, request: Request) -> Response:
        """党组织提议."""
        if not scope_for(request.user).can_anywhere(Ability.RUN_MEETINGS):
            raise PermissionDenied(refusal_for(Ability.RUN_MEETINGS))
        body = ProposeSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        d = dict(body.validated_data)
        org = orgs_for_proposing(request.user).filter(pk=d.pop("org")).first()
        if org is None:
            raise DomainError("没有找到该村党组织，或您在该组织没有组织会议的权限。", field="org")
        matter = services.propose_matter(
            actor=Actor.from_request(request), org=org, draft=services.MatterDraft(**d)
        )
        data = MatterDetailSerializer(matter, context=self.get_serializer_context()).data
        return Response(data, status=201)

    def _step(self, request: Request, stage: str) -> Response:
        matter = get_matter_for_user(request.user, self.kwargs["pk"], Ability.RUN_MEETINGS)
        serializer, run = RUNS[stage]
        body = serializer(data=request.data)
        body.is_valid(raise_exception=True)
        run(Actor.from_request(request), matter, dict(body.validated_data))
        return self._detail(matter)

    @extend_schema(request=ConsultSerializer, responses={200: MatterDetailSerializer})
    @action(detail=True, methods=["post"])
    def consult(self, request: Request, pk: str) -> Response:
        """“两委”会议商议 (不同意 ends the matter)."""
        return self._step(request, "consult")

    @extend_schema(request=SendPlanSerializer, responses={200: MatterDetailSerializer})
    @action(detail=True, methods=["post"], url_path="send-plan", url_name="send-plan")
    def send_plan(self, request: Request, pk: str) -> Response:
        """方案送达党员 (after the 商议, or straight after the 提议 for a 一肩挑 village)."""
        return self._step(request, "send_plan")

    @extend_schema(request=ConveneSerializer, responses={200: MatterDetailSerializer})
    @action(detail=True, methods=["post"])
    def convene(self, request: Request, pk: str) -> Response:
        """召开党员大会 (at least fourtwo.member_notice_days after the plan was sent)."""
        return self._step(request, "convene")

    @extend_schema(request=MatterVersionSerializer, responses={200: MatterDetailSerializer})
    @action(detail=True, methods=["post"])
    def review(self, request: Request, pk: str) -> Response:
        """党员大会审议: recorded from the closed poll's result."""
        return self._step(request, "review")

    @extend_schema(request=ResolveSerializer, responses={200: MatterDetailSerializer})
    @action(detail=True, methods=["post"])
    def resolve(self, request: Request, pk: str) -> Response:
        """村民会议或村民代表会议决议: the counts; the result is computed."""
        return self._step(request, "resolve")

    @extend_schema(request=PublishSerializer, responses={200: MatterDetailSerializer})
    @action(detail=True, methods=["post"], url_path="publish-decision",
            url_name="publish-decision")  # fmt: skip
    def publish_decision(self, request: Request, pk: str) -> Response:
        """决议公开."""
        return self._step(request, "publish_decision")

    @extend_schema(request=PublishSerializer, responses={200: MatterDetailSerializer})
    @action(detail=True, methods=["post"], url_path="publish-result", url_name="publish-result")
    def publish_result(self, request: Request, pk: str) -> Response:
        """实施结果公开."""
        return self._step(request, "publish_result")
