"""JSON API for organizations: same scope and services as the pages."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from dangjian.accounts.abilities import Ability
from dangjian.accounts.scope import get_org_for_user, scope_for
from dangjian.core.actors import Actor
from dangjian.core.dates import LATEST_PLANNED, BoundedDateSerializerField, today
from dangjian.members.selectors import roster_on
from dangjian.orgs import services
from dangjian.orgs.models import Organization, OrgKind, Unit
from dangjian.orgs.selectors import unit_choices


class OrganizationSerializer(serializers.ModelSerializer):
    parent = serializers.SerializerMethodField()  # type: ignore[assignment]
    unit_name = serializers.SerializerMethodField()  # also in PATCH answers, where a
    # read-only field with a default would be skipped
    unit = serializers.PrimaryKeyRelatedField(
        queryset=Unit.objects.all(), required=False, allow_null=True
    )
    founded_on = BoundedDateSerializerField(label="成立日期", required=False, allow_null=True)
    term_start = BoundedDateSerializerField(
        label="本届任期开始", required=False, allow_null=True, latest=LATEST_PLANNED
    )
    term_end = BoundedDateSerializerField(
        label="本届任期届满", required=False, allow_null=True, latest=LATEST_PLANNED
    )

    class Meta:
        model = Organization
        fields = [
            "id",
            "name",
            "short_name",
            "kind",
            "code",
            "parent",
            "unit",
            "unit_name",
            "founded_on",
            "term_start",
            "term_end",
            "status",
            "dissolved_on",
            "depth",
            "numchild",
            "version",
        ]
        read_only_fields = ["status", "dissolved_on", "depth", "numchild"]

    def get_fields(self) -> dict[str, Any]:
        """所在单位 among the requesting user's units only (orgs.selectors.unit_choices)."""
        fields = super().get_fields()
        request = self.context.get("request")
        if request is not None:
            current = self.instance.unit_id if isinstance(self.instance, Organization) else None
            fields["unit"].queryset = unit_choices(request.user, current)  # type: ignore[attr-defined]
        return fields

    def get_unit_name(self, obj: Organization) -> str:
        return obj.unit.name if obj.unit else ""

    def get_parent(self, obj: Organization) -> int | None:
        if hasattr(obj, "parent_pk"):  # annotated by the list query: no query per row
            return obj.parent_pk  # type: ignore[no-any-return]
        parent = Organization.objects.get_parent(obj)
        return parent.pk if parent else None


class OrganizationCreateSerializer(OrganizationSerializer):
    parent_id = serializers.IntegerField(write_only=True)
    kind = serializers.ChoiceField(choices=OrgKind.choices)

    class Meta(OrganizationSerializer.Meta):
        fields = [*OrganizationSerializer.Meta.fields, "parent_id"]


class MoveSerializer(serializers.Serializer):
    new_parent = serializers.IntegerField()


class MergeSerializer(serializers.Serializer):
    target = serializers.IntegerField()
    effective_date = BoundedDateSerializerField(label="合并日期")


class DissolveSerializer(serializers.Serializer):
    effective_date = BoundedDateSerializerField(label="撤销日期")
    reason = serializers.CharField(max_length=200)


class RosterQuerySerializer(serializers.Serializer):
    on = BoundedDateSerializerField(label="名册日期", required=False, help_text="默认今天")
    subtree = serializers.BooleanField(required=False, default=False, help_text="含下级组织")


class RosterEntrySerializer(serializers.Serializer):
    member = serializers.IntegerField(source="member_id")
    name = serializers.CharField(source="member.name")
    category = serializers.CharField()
    valid_from = serializers.DateField()
    valid_to = serializers.DateField(allow_null=True)


EDITABLE = ("name", "short_name", "code", "unit", "founded_on", "term_start", "term_end")


class OrganizationViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    """党组织. List/retrieve what the user may see; writes go through the tree services."""

    serializer_class = OrganizationSerializer
    http_method_names = ["get", "post", "patch"]

    def get_queryset(self) -> Any:
        return (
            Organization.objects.visible_to(scope_for(self.request.user))
            .select_related("unit")
            .with_parent_id()
        )

    def get_serializer_class(self) -> Any:
        return OrganizationCreateSerializer if self.action == "create" else OrganizationSerializer

    def get_object(self) -> Organization:
        write = self.request.method not in ("GET", "HEAD", "OPTIONS")
        ability = Ability.MANAGE_ORGS if write else None
        return get_org_for_user(self.request.user, self.kwargs["pk"], ability)

    def perform_create(self, serializer: Any) -> None:
        data = dict(serializer.validated_data)
        parent = get_org_for_user(self.request.user, data.pop("parent_id"), Ability.MANAGE_ORGS)
        kind = data.pop("kind")
        serializer.instance = services.create_organization(
            actor=Actor.from_request(self.request),
            parent=parent,
            kind=kind,
            values={k: v for k, v in data.items() if k in EDITABLE},
        )

    def perform_update(self, serializer: Any) -> None:
        data = dict(serializer.validated_data)
        version = data.pop("version", serializer.instance.version)
        serializer.instance = services.update_organization(
            actor=Actor.from_request(self.request),
            org=serializer.instance,
            expected_version=version,
            values={k: v for k, v in data.items() if k in EDITABLE},
        )

    @extend_schema(responses=OrganizationSerializer(many=True))
    @action(detail=True, methods=["get"], pagination_class=None)  # the whole list, unpaged
    def children(self, request: Request, pk: str) -> Response:
        org = self.get_object()
        kids = Organization.objects.get_children(org).visible_to(scope_for(request.user))
        return Response(OrganizationSerializer(kids, many=True).data)

    @extend_schema(parameters=[RosterQuerySerializer], responses=RosterEntrySerializer(many=True))
    @action(detail=True, methods=["get"], pagination_class=None)  # the whole list, unpaged
    def roster(self, request: Request, pk: str) -> Response:
        """某日党员名册 (?on=YYYY-MM-DD, default today; ?subtree=1 for all levels below)."""
        org = self.get_object()
        query = RosterQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        on = query.validated_data.get("on") or today()
        spells = roster_on(org, on, subtree=query.validated_data.get("subtree", False))
        return Response(RosterEntrySerializer(spells, many=True).data)

    @extend_schema(request=MoveSerializer, responses=OrganizationSerializer)
    @action(detail=True, methods=["post"])
    def move(self, request: Request, pk: str) -> Response:
        org = self.get_object()  # scope first: an outsider learns nothing from validation
        s = MoveSerializer(data=request.data)
        s.is_valid(raise_exception=True)
        target = get_org_for_user(request.user, s.validated_data["new_parent"], Ability.MANAGE_ORGS)
        org = services.move_organization(
            actor=Actor.from_request(request), org=org, new_parent=target
        )
        return Response(OrganizationSerializer(org).data)

    @extend_schema(request=MergeSerializer, responses=OrganizationSerializer)
    @action(detail=True, methods=["post"])
    def merge(self, request: Request, pk: str) -> Response:
        source = self.get_object()
        s = MergeSerializer(data=request.data)
        s.is_valid(raise_exception=True)
        target = get_org_for_user(request.user, s.validated_data["target"], Ability.MANAGE_ORGS)
        org = services.merge_branches(
            actor=Actor.from_request(request),
            source=source,
            target=target,
            effective_date=s.validated_data["effective_date"],
        )
        return Response(OrganizationSerializer(org).data)

    @extend_schema(request=DissolveSerializer, responses=OrganizationSerializer)
    @action(detail=True, methods=["post"])
    def dissolve(self, request: Request, pk: str) -> Response:
        org = self.get_object()
        s = DissolveSerializer(data=request.data)
        s.is_valid(raise_exception=True)
        org = services.dissolve_organization(
            actor=Actor.from_request(request), org=org, **s.validated_data
        )
        return Response(OrganizationSerializer(org).data)
