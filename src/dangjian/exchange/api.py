"""JSON API for 跨系统转接: letters received from other systems, with the pages' services,
scope and refusals (the same checks: EDIT_MEMBERS on the receiving organization)."""

from __future__ import annotations

import base64
import binascii
from typing import Any

from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied
from rest_framework.request import Request
from rest_framework.response import Response

from dangjian.accounts.abilities import Ability
from dangjian.accounts.scope import get_org_for_user, scope_for
from dangjian.core.actors import Actor
from dangjian.core.dates import LATEST_PLANNED, BoundedDateSerializerField
from dangjian.core.exceptions import DomainError
from dangjian.exchange import services
from dangjian.exchange.models import IncomingLetter
from dangjian.exchange.selectors import get_letter_for_user, letters_visible_to
from dangjian.members.choices import ETHNICITY_CHOICES, Education, Gender, PersonCategory
from dangjian.members.services import PERSONAL_FIELDS, MemberData, TransferredMember


class LetterSerializer(serializers.ModelSerializer):  # type: ignore[type-arg]
    org_name = serializers.CharField(source="org.name", read_only=True)
    source_label = serializers.CharField(source="get_source_display", read_only=True)
    status_label = serializers.CharField(source="get_status_display", read_only=True)
    outcome_label = serializers.CharField(source="get_outcome_display", read_only=True)

    class Meta:
        model = IncomingLetter
        fields = [
            "id", "source", "source_label", "status", "status_label", "serial", "from_org",
            "org", "org_name", "issue_date", "valid_until", "dues_paid_to", "name", "id_masked",
            "member", "outcome", "outcome_label", "received_on", "overdue_note", "return_reason",
            "issuer", "history_elsewhere", "recorded_at",
        ]  # fmt: skip
        read_only_fields = fields


class LetterInputSerializer(serializers.Serializer):  # type: ignore[type-arg]
    """外系统介绍信 as typed in: the letter, the receiving organization, the member."""

    serial = serializers.CharField(max_length=50, help_text="介绍信编号（字第 号）")
    from_org = serializers.CharField(max_length=100, help_text="开具介绍信的党组织")
    issue_date = BoundedDateSerializerField(help_text="开具日期")
    valid_until = BoundedDateSerializerField(latest=LATEST_PLANNED, help_text="有效期至")
    dues_paid_to = serializers.CharField(max_length=20, required=False, allow_blank=True)
    org = serializers.IntegerField(help_text="接收党组织 id")
    received_on = BoundedDateSerializerField(help_text="报到日期")
    name = serializers.CharField(max_length=50)
    gender = serializers.ChoiceField(choices=Gender.choices)
    ethnicity = serializers.ChoiceField(choices=ETHNICITY_CHOICES)
    birth_date = BoundedDateSerializerField()
    id_number = serializers.CharField(max_length=30)
    education = serializers.ChoiceField(choices=Education.choices)
    person_category = serializers.ChoiceField(choices=PersonCategory.choices)
    native_place = serializers.CharField(max_length=50, required=False, allow_blank=True)
    work_unit_post = serializers.CharField(max_length=100, required=False, allow_blank=True)
    phone = serializers.CharField(max_length=20, required=False, allow_blank=True)
    join_date = BoundedDateSerializerField(help_text="入党日期")
    full_date = BoundedDateSerializerField(
        required=False, allow_null=True, help_text="预备党员不填"
    )
    extension_months = serializers.IntegerField(
        required=False, allow_null=True, min_value=1, max_value=12
    )
    overdue_note = serializers.CharField(required=False, allow_blank=True, help_text="逾期情况说明")
    return_reason = serializers.CharField(
        required=False, allow_blank=True, max_length=200, help_text="退回原因（退回时必填）"
    )


class PreviewSerializer(serializers.Serializer):  # type: ignore[type-arg]
    outcome = serializers.CharField(help_text="new：新建档案；restored：恢复原有档案")
    outcome_label = serializers.CharField()
    category = serializers.CharField(help_text="转入后的党员类别")
    overdue = serializers.BooleanField(help_text="报到时介绍信是否已过有效期")
    overdue_days = serializers.IntegerField()


class PacketInputSerializer(serializers.Serializer):  # type: ignore[type-arg]
    """转接数据包 to verify and import: the file as base64, where and when the member reports."""

    packet = serializers.CharField(help_text="数据包文件内容（base64）")
    org = serializers.IntegerField(help_text="接收党组织 id")
    received_on = BoundedDateSerializerField(help_text="报到日期")
    overdue_note = serializers.CharField(required=False, allow_blank=True, help_text="逾期情况说明")
    check = serializers.BooleanField(
        required=False, default=False, help_text="true：只校验和预览，不导入"
    )


def _letter(request: Request) -> tuple[services.IncomingLetterInput, dict[str, Any]]:
    if not scope_for(request.user).can_anywhere(Ability.EDIT_MEMBERS):
        raise PermissionDenied("您没有办理跨系统转接的权限。")
    body = LetterInputSerializer(data=request.data)
    body.is_valid(raise_exception=True)
    d = dict(body.validated_data)
    org = get_org_for_user(request.user, d["org"], Ability.EDIT_MEMBERS)
    values: dict[str, Any] = {f: d.get(f) or "" for f in PERSONAL_FIELDS}
    letter = services.IncomingLetterInput(
        serial=d["serial"],
        from_org=d["from_org"],
        issue_date=d["issue_date"],
        valid_until=d["valid_until"],
        dues_paid_to=d.get("dues_paid_to", ""),
        org=org,
        received_on=d["received_on"],
        member=TransferredMember(
            person=MemberData(**values, id_number=d["id_number"]),
            join_date=d["join_date"],
            full_date=d.get("full_date"),
            extension_months=d.get("extension_months"),
        ),
    )
    return letter, d


class IncomingLetterViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet,  # type: ignore[type-arg]
):
    """外系统转入的介绍信: list and read in scope; preview, receive or return one."""

    serializer_class = LetterSerializer

    def get_queryset(self) -> Any:
        return letters_visible_to(self.request.user)

    def get_object(self) -> IncomingLetter:
        return get_letter_for_user(self.request.user, self.kwargs["pk"])

    def _stored(self, letter: IncomingLetter) -> Response:
        data = LetterSerializer(letter, context=self.get_serializer_context()).data
        return Response(data, status=status.HTTP_201_CREATED)

    @extend_schema(request=LetterInputSerializer, responses={200: PreviewSerializer})
    @action(detail=False, methods=["post"])
    def preview(self, request: Request) -> Response:
        """预览: new record or restored one, overdue or not; writes nothing."""
        letter, _ = _letter(request)
        found = services.preview_letter(actor=Actor.from_request(request), letter=letter)
        return Response(
            {
                "outcome": found.outcome.kind,
                "outcome_label": found.outcome.label,
                "category": found.outcome.category,
                "overdue": found.overdue,
                "overdue_days": found.overdue_days,
            }
        )

    @extend_schema(request=LetterInputSerializer, responses={201: LetterSerializer})
    @action(detail=False, methods=["post"])
    def receive(self, request: Request) -> Response:
        """接收: the member registered or restored (overdue: `overdue_note` required)."""
        letter, d = _letter(request)
        stored = services.receive_letter(
            actor=Actor.from_request(request), letter=letter, overdue_note=d.get("overdue_note", "")
        )
        return self._stored(stored)

    @extend_schema(request=LetterInputSerializer, responses={201: LetterSerializer})
    @action(detail=False, methods=["post"], url_path="return", url_name="return")
    def return_letter(self, request: Request) -> Response:
        """退回: the letter refused with `return_reason`; nobody registered."""
        letter, d = _letter(request)
        stored = services.return_letter(
            actor=Actor.from_request(request), letter=letter, reason=d.get("return_reason", "")
        )
        return self._stored(stored)

    @extend_schema(
        request=PacketInputSerializer, responses={200: PreviewSerializer, 201: LetterSerializer}
    )
    @action(detail=False, methods=["post"], url_path="import-packet", url_name="import-packet")
    def import_packet(self, request: Request) -> Response:
        """导入转接数据包: verified (tampered, untrusted, revoked, replayed: 400 with the reason),
        previewed with `check`, or imported."""
        if not scope_for(request.user).can_anywhere(Ability.EDIT_MEMBERS):
            raise PermissionDenied("您没有办理跨系统转接的权限。")
        body = PacketInputSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        d = dict(body.validated_data)
        org = get_org_for_user(request.user, d["org"], Ability.EDIT_MEMBERS)
        try:
            data = base64.b64decode(d["packet"], validate=True)
        except (binascii.Error, ValueError) as exc:
            raise DomainError("数据包内容不是有效的 base64。", field="packet") from exc
        actor = Actor.from_request(request)
        try:
            if d["check"]:
                _, _, found = services.preview_packet(
                    actor=actor, data=data, org=org, received_on=d["received_on"]
                )
                return Response(
                    {
                        "outcome": found.outcome.kind,
                        "outcome_label": found.outcome.label,
                        "category": found.outcome.category,
                        "overdue": found.overdue,
                        "overdue_days": found.overdue_days,
                    }
                )
            stored = services.import_packet(
                actor=actor,
                data=data,
                org=org,
                received_on=d["received_on"],
                overdue_note=d.get("overdue_note", ""),
            )
        except DomainError as exc:
            services.refuse_packet_audit(actor=actor, reason=exc.message)
            raise
        return self._stored(stored)
