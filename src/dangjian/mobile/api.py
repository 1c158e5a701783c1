"""JSON API for 流动党员: `/api/mobile/stays/` and `/api/mobile/information/`, with the same
services, scope and refusals as the pages (404 outside both sides of a stay; a refusal is a 400
with the service's Chinese message). Phones are masked."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from dangjian.accounts.abilities import Ability
from dangjian.accounts.scope import get_org_for_user
from dangjian.core.actors import Actor
from dangjian.core.dates import BoundedDateSerializerField, today
from dangjian.core.exceptions import DomainError
from dangjian.core.masking import mask_phone
from dangjian.members.selectors import get_member_for_user
from dangjian.mobile import services
from dangjian.mobile.models import MobileContact, MobileParticipation, MobileStay
from dangjian.mobile.regions import region_name
from dangjian.mobile.selectors import (
    Limits,
    flags,
    get_stay_for_user,
    information,
    information_list,
    page_of,
    side_of,
    stays_visible_to,
    top_org,
)
from dangjian.orgs.models import Organization


class StaySerializer(serializers.ModelSerializer):  # type: ignore[type-arg]
    member_name = serializers.CharField(source="member.name", read_only=True)
    home_org_name = serializers.CharField(source="home_org.name", read_only=True)
    region_name = serializers.SerializerMethodField()
    destination_name = serializers.CharField(read_only=True)
    phone = serializers.SerializerMethodField()
    status_label = serializers.CharField(source="get_status_display", read_only=True)
    side = serializers.SerializerMethodField()
    flags = serializers.SerializerMethodField()

    class Meta:
        model = MobileStay
        fields = [
            "id", "member", "member_name", "home_org", "home_org_name", "region_code",
            "region_name", "address", "reason", "expected_months", "phone", "destination_org",
            "destination_text", "destination_name", "start_on", "end_on", "status",
            "status_label", "cannot_transfer", "permit_number", "permit_valid_until",
            "last_contact_on", "version", "side", "flags",
        ]  # fmt: skip
        read_only_fields = fields

    def get_region_name(self, stay: MobileStay) -> str:
        return region_name(stay.region_code)

    def get_phone(self, stay: MobileStay) -> str:
        return mask_phone(stay.phone)

    def get_side(self, stay: MobileStay) -> str:
        return side_of(self.context["request"].user, stay) or ""

    def get_flags(self, stay: MobileStay) -> dict[str, Any]:
        f = flags(stay, self.context["limits"])
        return {
            "contact_overdue": f.overdue,
            "lost_contact": f.lost,
            "transfer_proposed": f.transfer_proposed,
            "permit_expiring": f.permit_expiring,
            "days_without_contact": f.days_without_contact,
        }


class StayCreateSerializer(serializers.Serializer):  # type: ignore[type-arg]
    member = serializers.IntegerField()
    start_on = BoundedDateSerializerField(label="外出日期")
    region_code = serializers.CharField(max_length=6, label="流入地行政区划代码（省级或地级）")
    address = serializers.CharField(max_length=200, label="流入地详细地址")
    reason = serializers.ChoiceField(choices=MobileStay.Reason.choices, label="外出原因")
    expected_months = serializers.IntegerField(min_value=1, max_value=120, label="预计外出时间")
    phone = serializers.CharField(max_length=20, required=False, default="")
    contact_note = serializers.CharField(max_length=100, required=False, default="")
    destination_org = serializers.IntegerField(required=False, allow_null=True, default=None)
    destination_text = serializers.CharField(max_length=100, required=False, default="")
    cannot_transfer = serializers.BooleanField(required=False, default=False)
    permit_number = serializers.CharField(max_length=30, required=False, default="")
    permit_valid_until = serializers.DateField(required=False, allow_null=True, default=None)


class ContactSerializer(serializers.ModelSerializer):  # type: ignore[type-arg]
    on = BoundedDateSerializerField(label="联系日期")

    class Meta:
        model = MobileContact
        fields = ["id", "on", "means", "note"]


class ParticipationSerializer(serializers.ModelSerializer):  # type: ignore[type-arg]
    on = BoundedDateSerializerField(label="日期")

    class Meta:
        model = MobileParticipation
        fields = ["id", "on", "kind", "note"]


class ReturnSerializer(serializers.Serializer):  # type: ignore[type-arg]
    on = BoundedDateSerializerField(label="返回日期")
    version = serializers.IntegerField()


def _parsed(serializer_class: Any, request: Request) -> dict[str, Any]:
    body = serializer_class(data=request.data)
    body.is_valid(raise_exception=True)
    return dict(body.validated_data)


class StayViewSet(viewsets.GenericViewSet):  # type: ignore[type-arg]
    """流动党员外出登记: list (both sides), register, contacts, participation, return."""

    serializer_class = StaySerializer

    def get_queryset(self) -> Any:
        qs = stays_visible_to(self.request.user).select_related(
            "member", "home_org", "destination_org"
        )
        if self.request.query_params.get("closed") != "1":
            qs = qs.filter(status=MobileStay.Status.OPEN)
        return qs.order_by("-start_on", "-id")

    def get_serializer_context(self) -> dict[str, Any]:
        return {**super().get_serializer_context(), "limits": Limits.on(today())}

    def _out(self, stay: MobileStay, code: int = status.HTTP_200_OK) -> Response:
        return Response(self.get_serializer(stay).data, status=code)

    def list(self, request: Request) -> Response:
        page = self.paginate_queryset(self.get_queryset())
        return self.get_paginated_response(self.get_serializer(page, many=True).data)

    def retrieve(self, request: Request, pk: Any = None) -> Response:
        return self._out(get_stay_for_user(request.user, pk))

    @extend_schema(request=StayCreateSerializer, responses={201: StaySerializer})
    def create(self, request: Request) -> Response:
        data = _parsed(StayCreateSerializer, request)
        member = get_member_for_user(request.user, data.pop("member"), Ability.EDIT_MEMBERS)
        org_id = data.pop("destination_org")
        destination = None
        if org_id:
            destination = Organization.objects.active().filter(pk=org_id).first()
            if destination is None:
                raise DomainError("流入地党组织不存在。", field="destination_org")
        stay = services.register_stay(
            actor=Actor.from_request(request),
            member=member,
            data=services.StayData(**data, destination_org=destination),
        )
        return self._out(stay, status.HTTP_201_CREATED)

    @extend_schema(request=ContactSerializer, responses={201: ContactSerializer})
    @action(detail=True, methods=["post"])
    def contacts(self, request: Request, pk: Any = None) -> Response:
        stay = get_stay_for_user(request.user, pk, Ability.EDIT_MEMBERS, home=True)
        c = _parsed(ContactSerializer, request)
        row = services.record_contact(actor=Actor.from_request(request), stay=stay, **c)
        return Response(ContactSerializer(row).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=ParticipationSerializer, responses={201: ParticipationSerializer})
    @action(detail=True, methods=["post"])
    def participations(self, request: Request, pk: Any = None) -> Response:
        stay = get_stay_for_user(request.user, pk, Ability.EDIT_MEMBERS)
        c = _parsed(ParticipationSerializer, request)
        row = services.record_participation(actor=Actor.from_request(request), stay=stay, **c)
        return Response(ParticipationSerializer(row).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=ReturnSerializer, responses={200: StaySerializer})
    @action(detail=True, methods=["post"], url_path="return", url_name="return")
    def return_(self, request: Request, pk: Any = None) -> Response:
        stay = get_stay_for_user(request.user, pk, Ability.EDIT_MEMBERS, home=True)
        c = _parsed(ReturnSerializer, request)
        done = services.end_stay(actor=Actor.from_request(request), stay=stay, **c)
        return self._out(done)


class InformationView(APIView):
    """流动党员信息: a subtree's counts by region and attended organization, and a page of the
    list (`which`: all / overdue / lost / transfer)."""

    @extend_schema(
        parameters=[
            OpenApiParameter("org", int, description="党组织 id（默认为可查看的最上级组织）"),
            OpenApiParameter("region", str, description="省份代码前 2 位，或 6 位城市代码"),
            OpenApiParameter("which", str, description="all / overdue / lost / transfer"),
            OpenApiParameter("page", int),
        ],
        responses={200: dict},
    )
    def get(self, request: Request) -> Response:
        params = request.query_params
        if params.get("org"):
            org = get_org_for_user(request.user, params["org"], Ability.VIEW_MEMBERS)
        else:
            found = top_org(request.user)
            if found is None:
                return Response({"detail": "您没有查看流动党员信息的权限。"}, status=403)
            org = found
        region = params.get("region", "")
        if region and (not region.isdigit() or len(region) not in (2, 6)):
            raise DomainError("行政区划代码应为省份的前 2 位或 6 位代码。", field="region")
        which = params.get("which", "all")
        if which not in ("all", "overdue", "lost", "transfer"):
            raise DomainError("which 应为 all、overdue、lost 或 transfer。", field="which")
        page_text = params.get("page", "1")
        if not page_text.isdigit() or int(page_text) < 1:
            raise DomainError("page 应为从 1 开始的页码。", field="page")
        page = int(page_text)
        info = information(org, today(), region)
        rows = page_of(
            information_list(org, info.limits, region=region, which=which), (page - 1) * 50, 50
        )
        context = {"request": request, "limits": info.limits}
        return Response(
            {
                "org": {"id": org.pk, "name": org.name},
                "total": info.total,
                "contact_overdue": info.overdue,
                "lost_contact": info.lost,
                "transfer_proposed": info.transfer,
                "regions": [
                    {
                        "code": r.code,
                        "name": r.name,
                        "total": r.total,
                        "contact_overdue": r.overdue,
                        "lost_contact": r.lost,
                    }
                    for r in info.regions
                ],
                "attended": [{"name": n, "total": t} for n, t in info.attended],
                "page": page,
                "results": StaySerializer(rows, many=True, context=context).data,
            }
        )
