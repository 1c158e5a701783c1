"""JSON API of the stations app (`/api/stations/`, `/api/stations/help/`): the same services,
scope and refusals as the pages. The contact's own mobile is masked for all but the station's
managers, as on the page."""

from __future__ import annotations

from typing import Any

from rest_framework import mixins, serializers, viewsets

from dangjian.accounts.abilities import Ability
from dangjian.accounts.scope import get_org_for_user
from dangjian.core.actors import Actor
from dangjian.core.dates import BoundedDateSerializerField
from dangjian.core.exceptions import DomainError
from dangjian.stations import services
from dangjian.stations.models import HelpRecord, Station
from dangjian.stations.regions import region
from dangjian.stations.selectors import (
    contact_phone_for,
    get_help_for_user,
    get_helpable_member,
    get_station_for_user,
    help_visible_to,
    station_choices,
    stations_visible_to,
)

STATION_FIELDS = [
    "name",
    "kind",
    "region",
    "address",
    "contact_name",
    "contact_phone",
    "public_phone",
    "opening_hours",
    "services",
    "is_open",
]


class StationSerializer(serializers.ModelSerializer):
    org = serializers.IntegerField(source="org_id", required=False)
    org_name = serializers.CharField(source="org.name", read_only=True)
    region_name = serializers.SerializerMethodField()
    contact_phone = serializers.CharField(max_length=20, required=False, allow_blank=True)

    class Meta:
        model = Station
        fields = ["id", "org", "org_name", *STATION_FIELDS, "region_name", "version"]
        read_only_fields = ["id"]
        extra_kwargs = {"version": {"required": False}}

    def get_region_name(self, obj: Station) -> str:
        return region(obj.region)

    def to_representation(self, instance: Station) -> dict[str, Any]:
        data: dict[str, Any] = super().to_representation(instance)
        request = self.context.get("request")
        data["contact_phone"] = contact_phone_for(request.user if request else None, instance)
        return data


class StationViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    """党员服务站: those of the organizations the user sees; managed with 维护党组织."""

    serializer_class = StationSerializer
    http_method_names = ["get", "post", "patch"]

    def get_queryset(self) -> Any:
        return stations_visible_to(self.request.user).select_related("org").order_by("pk")

    def get_object(self) -> Station:
        write = self.request.method not in ("GET", "HEAD", "OPTIONS")
        ability = Ability.MANAGE_ORGS if write else None
        return get_station_for_user(self.request.user, self.kwargs["pk"], ability)

    def perform_create(self, serializer: Any) -> None:
        data = dict(serializer.validated_data)
        if "org_id" not in data:
            raise DomainError("请选择主办党组织。", field="org")
        org = get_org_for_user(self.request.user, data.pop("org_id"), Ability.MANAGE_ORGS)
        data.pop("version", None)
        serializer.instance = services.create_station(
            actor=Actor.from_request(self.request), org=org, values=data
        )

    def perform_update(self, serializer: Any) -> None:
        data = dict(serializer.validated_data)
        version = data.pop("version", serializer.instance.version)
        if "org_id" in data:
            data["org"] = get_org_for_user(
                self.request.user, data.pop("org_id"), Ability.MANAGE_ORGS
            )
        serializer.instance = services.update_station(
            actor=Actor.from_request(self.request),
            station=serializer.instance,
            expected_version=version,
            values=data,
        )


class HelpRecordSerializer(serializers.ModelSerializer):
    member = serializers.IntegerField(source="member_id")
    member_name = serializers.CharField(source="member.name", read_only=True)
    station = serializers.IntegerField(source="station_id", required=False, allow_null=True)
    station_name = serializers.SerializerMethodField()
    org = serializers.IntegerField(source="org_id", required=False, allow_null=True)
    org_name = serializers.SerializerMethodField()
    kind_label = serializers.CharField(source="get_kind_display", read_only=True)
    date = BoundedDateSerializerField(label="帮扶日期")

    class Meta:
        model = HelpRecord
        fields = [
            "id",
            "member",
            "member_name",
            "kind",
            "kind_label",
            "date",
            "station",
            "station_name",
            "org",
            "org_name",
            "description",
            "outcome",
            "given_by",
            "version",
        ]
        read_only_fields = ["id"]
        extra_kwargs = {"version": {"required": False}}

    def get_station_name(self, obj: HelpRecord) -> str:
        return obj.station.name if obj.station else ""

    def get_org_name(self, obj: HelpRecord) -> str:
        return obj.org.name if obj.org else ""


def _station(pk: Any, keep: int | None = None) -> Station | None:
    if pk is None:
        return None
    found = station_choices(keep).filter(pk=pk).first()
    if found is None:
        raise DomainError("所选服务站不存在或已停止开放。", field="station")
    return found


class HelpRecordViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    """帮扶记录: seen from the member's organization and the station's; recorded with 维护党员信息
    on either. `?member=` lists one member's records."""

    serializer_class = HelpRecordSerializer
    http_method_names = ["get", "post", "patch"]

    def get_queryset(self) -> Any:
        found = help_visible_to(self.request.user).order_by("-date", "-id")
        member = self.request.query_params.get("member", "")
        return found.filter(member_id=int(member)) if member.isdigit() else found

    def get_object(self) -> HelpRecord:
        write = self.request.method not in ("GET", "HEAD", "OPTIONS")
        return get_help_for_user(self.request.user, self.kwargs["pk"], edit=write)

    def _org(self, pk: Any) -> Any:
        if pk is None:
            return None
        return get_org_for_user(self.request.user, pk, Ability.EDIT_MEMBERS)

    def perform_create(self, serializer: Any) -> None:
        data = dict(serializer.validated_data)
        member = get_helpable_member(self.request.user, data.pop("member_id"))
        data["station"] = _station(data.pop("station_id", None))
        data["org"] = self._org(data.pop("org_id", None))
        data.pop("version", None)
        serializer.instance = services.record_help(
            actor=Actor.from_request(self.request), member=member, values=data
        )

    def perform_update(self, serializer: Any) -> None:
        record = serializer.instance
        data = dict(serializer.validated_data)
        version = data.pop("version", record.version)
        if data.pop("member_id", record.member_id) != record.member_id:
            raise DomainError("帮扶对象不能修改，请另行登记。", field="member")
        if "station_id" in data:
            data["station"] = _station(data.pop("station_id"), keep=record.station_id)
        if "org_id" in data:
            org_id = data.pop("org_id")
            data["org"] = record.org if org_id == record.org_id else self._org(org_id)
        serializer.instance = services.update_help(
            actor=Actor.from_request(self.request),
            record=record,
            expected_version=version,
            values=data,
        )
