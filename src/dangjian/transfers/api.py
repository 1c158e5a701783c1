"""JSON API for 组织关系转接: the same services, scope and step checks as the pages."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.core.exceptions import PermissionDenied
from django.utils import timezone
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import mixins, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from dangjian.accounts.abilities import Ability
from dangjian.accounts.scope import refusal_for, scope_for
from dangjian.core.actors import Actor
from dangjian.core.api import StepOptionSerializer
from dangjian.transfers import services
from dangjian.transfers.models import Transfer
from dangjian.transfers.procedures import transfer_actions
from dangjian.transfers.selectors import get_transfer_for_user, transfers_visible_to
from dangjian.transfers.views import require_step_ability


class TransferSerializer(serializers.ModelSerializer):
    member_name = serializers.CharField(source="member.name", read_only=True)
    from_org_name = serializers.CharField(source="from_org.name", read_only=True)
    destination = serializers.CharField(read_only=True, help_text="接收党组织名称")
    approver_name = serializers.CharField(source="approver.name", read_only=True)
    status_label = serializers.CharField(source="get_status_display", read_only=True)

    class Meta:
        model = Transfer
        fields = [
            "id", "member", "member_name", "from_org", "from_org_name", "to_org", "to_org_text",
            "destination", "approver", "approver_name", "reason", "status", "status_label",
            "serial", "issue_date", "valid_until", "dues_paid_to", "arrival_date",
            "return_reason", "receipt_date", "created_at", "version",
        ]  # fmt: skip
        read_only_fields = fields


class TransferDetailSerializer(TransferSerializer):
    actions = serializers.SerializerMethodField(help_text="当前用户现在可以办理的步骤")
    packet_url = serializers.SerializerMethodField(
        help_text="转接数据包的下载地址（转往其他系统、已生成且可下载时；转出方可见）"
    )

    class Meta(TransferSerializer.Meta):
        fields = [*TransferSerializer.Meta.fields, "actions", "packet_url"]
        read_only_fields = fields

    def get_packet_url(self, t: Transfer) -> str | None:
        request = self.context["request"]
        path = services.packet_path(t)
        if path is None or not scope_for(request.user).can(Ability.VIEW_MEMBERS, t.from_org.path):
            return None
        return str(request.build_absolute_uri(path))

    @extend_schema_field(StepOptionSerializer(many=True))
    def get_actions(self, t: Transfer) -> list[dict[str, Any]]:
        return transfer_actions(self.context["request"].user, t)


class StepSerializer(serializers.Serializer):
    version = serializers.IntegerField(help_text="转接记录的 version（防止重复办理）")
    reason = serializers.CharField(
        required=False, allow_blank=True, max_length=200, help_text="原因（不予受理、退回等必填）"
    )
    on = serializers.DateField(required=False, help_text="报到日期（空为今天）")
    dues_paid_to = serializers.CharField(required=False, allow_blank=True, max_length=20,
                                         help_text="党费缴至，如 2026年11月")  # fmt: skip


Run = Callable[[Actor, Transfer, dict[str, Any]], Any]


def _reason(d: dict[str, Any]) -> str:
    return str(d.get("reason", ""))


def _dues(d: dict[str, Any]) -> str:
    return str(d.get("dues_paid_to", ""))


# step → its service, called with what the body carries
RUNS: dict[str, Run] = {
    "accept": lambda a, t, d: services.accept_request(
        actor=a, transfer=t, version=d["version"], dues_paid_to=_dues(d)
    ),
    "decline": lambda a, t, d: services.decline_request(
        actor=a, transfer=t, version=d["version"], reason=_reason(d)
    ),
    "issue": lambda a, t, d: services.issue_letter(
        actor=a, transfer=t, version=d["version"], dues_paid_to=_dues(d)
    ),
    "refuse": lambda a, t, d: services.refuse_transfer(
        actor=a, transfer=t, version=d["version"], reason=_reason(d)
    ),
    "arrive": lambda a, t, d: services.confirm_arrival(
        actor=a, transfer=t, version=d["version"], on=d.get("on")
    ),
    "return_letter": lambda a, t, d: services.return_letter(
        actor=a, transfer=t, version=d["version"], reason=_reason(d)
    ),
    "record_receipt": lambda a, t, d: services.record_receipt(
        actor=a, transfer=t, version=d["version"], arrival_date=d.get("on") or timezone.localdate()
    ),
    "withdraw": lambda a, t, d: services.withdraw_transfer(
        actor=a, transfer=t, version=d["version"], reason=_reason(d)
    ),
}


class TransferViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet,  # type: ignore[type-arg]
):
    """组织关系转接: both sides see it; each step by the side that holds its ability."""

    serializer_class = TransferSerializer

    def get_serializer_class(self) -> Any:
        return TransferSerializer if self.action == "list" else TransferDetailSerializer

    def get_queryset(self) -> Any:
        return transfers_visible_to(self.request.user)

    def get_object(self) -> Transfer:
        return get_transfer_for_user(self.request.user, self.kwargs["pk"])

    def _step(self, request: Request, step: str) -> Response:
        transfer = self.get_object()
        require_step_ability(request.user, transfer, step)
        body = StepSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        RUNS[step](Actor.from_request(request), transfer, dict(body.validated_data))
        transfer.refresh_from_db()
        return Response(
            TransferDetailSerializer(transfer, context=self.get_serializer_context()).data
        )

    @extend_schema(request=StepSerializer, responses={200: TransferDetailSerializer})
    @action(detail=True, methods=["post"])
    def accept(self, request: Request, pk: str) -> Response:
        """支部受理党员的申请."""
        return self._step(request, "accept")

    @extend_schema(request=StepSerializer, responses={200: TransferDetailSerializer})
    @action(detail=True, methods=["post"])
    def decline(self, request: Request, pk: str) -> Response:
        """不予受理 (reason required)."""
        return self._step(request, "decline")

    @extend_schema(request=StepSerializer, responses={200: TransferDetailSerializer})
    @action(detail=True, methods=["post"])
    def issue(self, request: Request, pk: str) -> Response:
        """审批并开具介绍信 (the 基层党委)."""
        return self._step(request, "issue")

    @extend_schema(request=StepSerializer, responses={200: TransferDetailSerializer})
    @action(detail=True, methods=["post"])
    def refuse(self, request: Request, pk: str) -> Response:
        """不予审批 (reason required)."""
        return self._step(request, "refuse")

    @extend_schema(request=StepSerializer, responses={200: TransferDetailSerializer})
    @action(detail=True, methods=["post"])
    def arrive(self, request: Request, pk: str) -> Response:
        """确认报到 (the receiving organization)."""
        return self._step(request, "arrive")

    @extend_schema(request=StepSerializer, responses={200: TransferDetailSerializer})
    @action(detail=True, methods=["post"], url_path="return", url_name="return")
    def return_letter(self, request: Request, pk: str) -> Response:
        """退回介绍信 (the receiving organization; reason required)."""
        return self._step(request, "return_letter")

    @extend_schema(request=StepSerializer, responses={200: TransferDetailSerializer})
    @action(detail=True, methods=["post"])
    def receipt(self, request: Request, pk: str) -> Response:
        """登记回执 of a letter to another system (`on`: the arrival date on the 回执)."""
        return self._step(request, "record_receipt")

    @extend_schema(request=None, responses={200: TransferDetailSerializer})
    @action(detail=True, methods=["post"])
    def packet(self, request: Request, pk: str) -> Response:
        """生成转接数据包 for an issued letter to another system (the sending side)."""
        transfer = self.get_object()
        if not scope_for(request.user).can(Ability.EDIT_MEMBERS, transfer.from_org.path):
            raise PermissionDenied(refusal_for(Ability.EDIT_MEMBERS))
        services.make_packet(actor=Actor.from_request(request), transfer=transfer)
        context = self.get_serializer_context()
        return Response(TransferDetailSerializer(transfer, context=context).data)

    @extend_schema(request=StepSerializer, responses={200: TransferDetailSerializer})
    @action(detail=True, methods=["post"])
    def withdraw(self, request: Request, pk: str) -> Response:
        """撤回 before arrival (reason required)."""
        return self._step(request, "withdraw")
