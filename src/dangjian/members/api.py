"""JSON API for members: masked by default, same scope and services as the pages."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from dangjian.accounts.abilities import Ability
from dangjian.accounts.scope import get_org_for_user
from dangjian.core.actors import Actor
from dangjian.core.dates import EARLIEST_BIRTH, BoundedDateSerializerField
from dangjian.core.exceptions import DomainError
from dangjian.core.masking import mask_phone
from dangjian.members import services
from dangjian.members.choices import (
    ETHNICITY_CHOICES,
    Education,
    Gender,
    MemberCategory,
    PersonCategory,
)
from dangjian.members.models import Member, MemberEvent
from dangjian.members.selectors import (
    event_kinds_for,
    get_member_for_user,
    may_reveal_personal,
    membership_state,
    search_members,
    work_unit_choices,
)

WORK_UNIT_HELP = "工作单位（单位 id）：本人管理范围内党组织所在的单位，或范围内党员已填写的单位"


class MemberSerializer(serializers.ModelSerializer):
    """党员 (ID number and phone masked)."""

    id_number = serializers.CharField(source="id_masked", read_only=True)
    phone = serializers.SerializerMethodField()
    org_name = serializers.CharField(source="org.name", read_only=True)
    work_unit_name = serializers.CharField(
        source="work_unit.name", read_only=True, allow_null=True, default=None
    )

    class Meta:
        model = Member
        fields = [
            "id",
            "name",
            "gender",
            "ethnicity",
            "birth_date",
            "id_number",
            "education",
            "native_place",
            "work_unit_post",
            "work_unit",
            "work_unit_name",
            "person_category",
            "phone",
            "join_date",
            "full_date",
            "category",
            "status",
            "org",
            "org_name",
            "group",
            "version",
        ]
        read_only_fields = fields

    def get_phone(self, obj: Member) -> str:
        return mask_phone(obj.phone)


class MemberCreateSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=50)
    gender = serializers.ChoiceField(choices=Gender.choices)
    ethnicity = serializers.ChoiceField(choices=ETHNICITY_CHOICES)
    birth_date = BoundedDateSerializerField(label="出生日期", earliest=EARLIEST_BIRTH)
    id_number = serializers.CharField(max_length=30)
    education = serializers.ChoiceField(choices=Education.choices)
    person_category = serializers.ChoiceField(choices=PersonCategory.choices)
    native_place = serializers.CharField(max_length=50, required=False, default="")
    work_unit_post = serializers.CharField(max_length=100, required=False, default="")
    phone = serializers.CharField(max_length=20, required=False, default="")
    work_unit = serializers.IntegerField(
        required=False, allow_null=True, default=None, help_text=WORK_UNIT_HELP
    )
    org = serializers.IntegerField()
    join_date = BoundedDateSerializerField(label="入党日期")
    full_date = BoundedDateSerializerField(
        label="转正日期", required=False, allow_null=True, default=None
    )
    transferred_in_on = BoundedDateSerializerField(
        label="转入本组织日期", required=False, allow_null=True, default=None
    )
    counterpart = serializers.CharField(
        max_length=100, required=False, default="", help_text="转出组织（从其他组织转入的党员）"
    )


class MemberUpdateSerializer(serializers.Serializer):
    version = serializers.IntegerField()
    name = serializers.CharField(max_length=50, required=False)
    gender = serializers.ChoiceField(choices=Gender.choices, required=False)
    ethnicity = serializers.ChoiceField(choices=ETHNICITY_CHOICES, required=False)
    birth_date = BoundedDateSerializerField(
        label="出生日期", earliest=EARLIEST_BIRTH, required=False
    )
    education = serializers.ChoiceField(choices=Education.choices, required=False)
    person_category = serializers.ChoiceField(choices=PersonCategory.choices, required=False)
    native_place = serializers.CharField(max_length=50, required=False)
    work_unit_post = serializers.CharField(max_length=100, required=False)
    phone = serializers.CharField(max_length=20, required=False, allow_blank=True)
    work_unit = serializers.IntegerField(required=False, allow_null=True, help_text=WORK_UNIT_HELP)
    id_number = serializers.CharField(max_length=30, required=False)


class EventSerializer(serializers.ModelSerializer):
    class Meta:
        model = MemberEvent
        fields = [
            "id",
            "kind",
            "effective_date",
            "org",
            "category",
            "counterpart",
            "join_date",
            "full_date",
            "months",
            "decided_on",
            "document_no",
            "note",
            "recorded_at",
            "voided_at",
            "void_reason",
        ]
        read_only_fields = ["id", "recorded_at", "voided_at", "void_reason"]


class EventCreateSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=MemberEvent.Kind.choices)
    effective_date = BoundedDateSerializerField(label="生效日期")
    org = serializers.IntegerField(required=False, allow_null=True, default=None)
    category = serializers.ChoiceField(choices=MemberCategory.choices, required=False, default="")
    counterpart = serializers.CharField(max_length=100, required=False, default="")
    document_no = serializers.CharField(max_length=100, required=False, default="")
    note = serializers.CharField(max_length=200, required=False, default="")
    months = serializers.IntegerField(
        required=False,
        allow_null=True,
        default=None,
        min_value=1,
        max_value=99,
        help_text="延长预备期：6 至 12 个月",
    )
    decided_on = BoundedDateSerializerField(
        label="支部大会决议日期",
        required=False,
        allow_null=True,
        default=None,
        help_text="转正、延长预备期的支部大会决议日期（不早于预备期满之日）",
    )


class EventKindSerializer(serializers.Serializer):
    kind = serializers.CharField()
    name = serializers.CharField(help_text="变动类型的中文名称")


class EventKindsSerializer(serializers.Serializer):
    """The 变动类型 the member's current state allows (what the page's form offers)."""

    kinds = EventKindSerializer(many=True)
    probation_end = serializers.DateField(allow_null=True, help_text="预备期满之日（预备党员）")


class SensitiveSerializer(serializers.Serializer):
    id_number = serializers.CharField()
    phone = serializers.CharField()


def _work_unit_id(user: Any, pk: int | None, current: int | None = None) -> int | None:
    """A 工作单位 id from the request, if it is one of the user's choices (or unchanged)."""
    if pk is None or work_unit_choices(user, current).filter(pk=pk).exists():
        return pk
    raise DomainError("所选工作单位不存在或不在您的管理范围内。", field="work_unit")


class MemberViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """党员. Search with ?q= (name, pinyin initials, last ID digits); ?org= for a subtree."""

    serializer_class = MemberSerializer

    def get_queryset(self) -> Any:
        qs = Member.objects.visible_to(self.request.user).select_related("org", "work_unit")
        params = self.request.query_params
        if params.get("org"):
            qs = qs.under(get_org_for_user(self.request.user, params["org"]))
        if params.get("status"):
            qs = qs.filter(status=params["status"])
        return search_members(qs, params.get("q", ""))

    def get_object(self) -> Member:
        return get_member_for_user(self.request.user, self.kwargs["pk"])

    @extend_schema(
        parameters=[
            OpenApiParameter("q", str),
            OpenApiParameter("org", int),
            OpenApiParameter("status", str),
        ]
    )
    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().list(request, *args, **kwargs)

    @extend_schema(request=MemberCreateSerializer, responses={201: MemberSerializer})
    def create(self, request: Request) -> Response:
        s = MemberCreateSerializer(data=request.data)
        s.is_valid(raise_exception=True)
        f = dict(s.validated_data)
        org = get_org_for_user(request.user, f.pop("org"), Ability.EDIT_MEMBERS)
        data, admission = services.registration_input(
            f, org=org, work_unit_id=_work_unit_id(request.user, f["work_unit"])
        )
        member = services.register_member(
            actor=Actor.from_request(request), data=data, admission=admission
        )
        return Response(MemberSerializer(member).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=MemberUpdateSerializer, responses=MemberSerializer)
    def partial_update(self, request: Request, pk: str) -> Response:
        member = get_member_for_user(
            request.user, pk, Ability.EDIT_MEMBERS
        )  # scope before validation
        s = MemberUpdateSerializer(data=request.data)
        s.is_valid(raise_exception=True)
        f = dict(s.validated_data)
        version, id_number = f.pop("version"), f.pop("id_number", None)
        if "work_unit" in f:
            unit = _work_unit_id(request.user, f.pop("work_unit"), member.work_unit_id)
            f["work_unit_id"] = unit
        member = services.update_member(
            actor=Actor.from_request(request),
            member=member,
            changes=f,
            expected_version=version,
            id_number=id_number,
        )
        return Response(MemberSerializer(member).data)

    @extend_schema(methods=["GET"], responses=EventSerializer(many=True))
    @extend_schema(methods=["POST"], request=EventCreateSerializer, responses=EventSerializer)
    @action(detail=True, methods=["get", "post"], pagination_class=None)  # the whole history
    def events(self, request: Request, pk: str) -> Response:
        """党籍变动: list, or record one (backdated allowed; the history is replayed)."""
        if request.method == "GET":
            member = self.get_object()
            return Response(EventSerializer(member.events.all(), many=True).data)
        member = get_member_for_user(request.user, pk, Ability.EDIT_MEMBERS)
        s = EventCreateSerializer(data=request.data)
        s.is_valid(raise_exception=True)
        f = dict(s.validated_data)
        # Seeing the target is enough here: record_event names a move outside the actor's scope
        # (a 组织关系转接, not a 系统内调整).
        org = get_org_for_user(request.user, f.pop("org")) if f["org"] else None
        f.pop("org", None)
        event = services.record_event(
            actor=Actor.from_request(request), member=member, org=org, **f
        )
        return Response(EventSerializer(event).data, status=status.HTTP_201_CREATED)

    @extend_schema(responses=EventKindsSerializer)
    @action(detail=True, methods=["get"], url_path="event-kinds")
    def event_kinds(self, request: Request, pk: str) -> Response:
        """可登记的变动类型: the moves the member's state allows, from the replay's own table."""
        get_member_for_user(request.user, pk, Ability.EDIT_MEMBERS)  # only those who may record one
        state = membership_state(self.get_object())
        labels = dict(MemberEvent.Kind.choices)
        kinds = [{"kind": k, "name": labels[k]} for k in event_kinds_for(state)]
        return Response(
            EventKindsSerializer({"kinds": kinds, "probation_end": state.probation_end}).data
        )

    @extend_schema(request=None, responses=SensitiveSerializer)
    @action(detail=True, methods=["post"])
    def reveal(self, request: Request, pk: str) -> Response:
        """完整身份证号和电话: needs the permission; every call is in the audit log."""
        member = self.get_object()
        if not may_reveal_personal(request.user, member):
            raise PermissionDenied("您没有查看完整身份证号和电话的权限。")
        return Response(services.reveal_sensitive(actor=Actor.from_request(request), member=member))
