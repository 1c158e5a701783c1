"""JSON API of 发展党员: `/api/recruitment/applicants/` (the files a user sees, filtered by status,
stage, organization or name; one file with its history and the steps the engine offers; `steps/`
to take one; POST to register an application). Same scope, forms, services and refusals as the
pages: 404 outside the scope, 403 without the step's ability, 400 with the form's errors or the
service's Chinese message (and the warnings a soft rule asks to confirm), 409 on a stale
version."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from dangjian.accounts.abilities import Ability
from dangjian.accounts.scope import get_org_for_user, refusal_for
from dangjian.core.actors import Actor
from dangjian.core.api import StepOptionSerializer
from dangjian.core.dates import BoundedDateSerializerField, today
from dangjian.core.procedures import NeedsConfirmation, may_act, steps_of
from dangjian.members.choices import ETHNICITY_CHOICES, Education, Gender, PersonCategory
from dangjian.recruitment import services
from dangjian.recruitment.deadlines import MAY_NOW
from dangjian.recruitment.forms import form_for
from dangjian.recruitment.models import Applicant
from dangjian.recruitment.procedures import RECRUITMENT
from dangjian.recruitment.selectors import (
    applicants_visible_to,
    get_applicant_for_user,
    manages,
    offered_steps,
)
from dangjian.recruitment.worklists import (
    STAGE_OF,
    in_stage,
    search_applicants,
    stage_label,
    status_label,
)

STEP_CHOICES = [(name, RECRUITMENT.step_label(name)) for name in services.STEPS]


class PersonRefSerializer(serializers.Serializer):  # type: ignore[type-arg]
    id = serializers.IntegerField()
    name = serializers.CharField()


class ApplicantSerializer(serializers.ModelSerializer):  # type: ignore[type-arg]
    org_name = serializers.CharField(source="org.name", read_only=True)
    status_label = serializers.SerializerMethodField(help_text="当前步骤（中文）")
    stage = serializers.SerializerMethodField(help_text="阶段：A–E（五个阶段），已结束为空")
    stage_label = serializers.SerializerMethodField(help_text="阶段名称")
    overdue = serializers.SerializerMethodField(help_text="下一事项是否已逾期")

    class Meta:
        model = Applicant
        fields = [
            "id", "name", "org", "org_name", "status", "status_label", "stage", "stage_label",
            "applied_on", "activist_on", "candidate_on", "resolution_on", "due_on", "due_label",
            "overdue", "version",
        ]  # fmt: skip
        read_only_fields = fields

    def get_status_label(self, a: Applicant) -> str:
        return status_label(a.status)

    def get_stage(self, a: Applicant) -> str:
        return str(STAGE_OF.get(a.status, ""))

    def get_stage_label(self, a: Applicant) -> str:
        return stage_label(a.status)

    def get_overdue(self, a: Applicant) -> bool:
        return a.due_on is not None and a.due_on < today() and a.due_label not in MAY_NOW


class HistorySerializer(serializers.Serializer):  # type: ignore[type-arg]
    step = serializers.CharField(help_text="步骤名")
    title = serializers.CharField(help_text="步骤名称")
    on = serializers.DateField(help_text="办理日期")
    state = serializers.CharField(help_text="办理后状态")
    state_label = serializers.CharField(help_text="办理后状态（中文）")
    late = serializers.BooleanField(help_text="是否逾期办理")
    note = serializers.CharField(help_text="说明（仅党组织可见）")


class ActionSerializer(StepOptionSerializer):
    """A step the engine offers on a file, with its deadline and the soft rules' warnings."""

    due = serializers.DateField(allow_null=True, help_text="办理期限")
    warnings = serializers.ListField(
        child=serializers.CharField(), help_text="一般性规定的提醒（确认后仍可办理）"
    )


class ApplicantDetailSerializer(ApplicantSerializer):
    id_masked = serializers.CharField(read_only=True, help_text="公民身份号码（脱敏）")
    gender_label = serializers.CharField(source="get_gender_display", read_only=True)
    contacts = serializers.SerializerMethodField(help_text="培养联系人")
    introducers = serializers.SerializerMethodField(help_text="入党介绍人")
    history = serializers.SerializerMethodField(help_text="办理记录（本人和联系人不含说明）")
    actions = serializers.SerializerMethodField(help_text="当前用户现在可以办理的步骤")

    class Meta(ApplicantSerializer.Meta):
        fields = [
            *ApplicantSerializer.Meta.fields, "id_masked", "gender_label", "contacts",
            "introducers", "history", "actions",
        ]  # fmt: skip
        read_only_fields = fields

    def _manager(self, a: Applicant) -> bool:
        return manages(self.context["request"].user, a)

    @extend_schema_field(PersonRefSerializer(many=True))
    def get_contacts(self, a: Applicant) -> list[dict[str, Any]]:
        return [{"id": m.pk, "name": m.name} for m in a.contacts.order_by("name_pinyin")]

    @extend_schema_field(PersonRefSerializer(many=True))
    def get_introducers(self, a: Applicant) -> list[dict[str, Any]]:
        return [{"id": m.pk, "name": m.name} for m in a.introducers.order_by("name_pinyin")]

    @extend_schema_field(HistorySerializer(many=True))
    def get_history(self, a: Applicant) -> list[dict[str, Any]]:
        manager = self._manager(a)
        return [
            {
                "step": s.step,
                "title": RECRUITMENT.step_label(s.step),
                "on": s.effective_date,
                "state": s.to_state,
                "state_label": RECRUITMENT.state_label(s.to_state),
                "late": bool(s.due_date and s.effective_date > s.due_date),
                "note": s.note if manager else "",
            }
            for s in steps_of(RECRUITMENT, a)
        ]

    @extend_schema_field(ActionSerializer(many=True))
    def get_actions(self, a: Applicant) -> list[dict[str, Any]]:
        if not self._manager(a):
            return []
        return [
            {
                "step": o.name,
                "title": o.label,
                "allowed": o.allowed,
                "reason": o.reason,
                "due": o.due,
                "warnings": list(o.warnings),
            }
            for o in offered_steps(self.context["request"].user, a)
        ]


class StepRequestSerializer(serializers.Serializer):  # type: ignore[type-arg]
    """办理一个步骤. The step's other fields (recommendation, contacts, meeting, reason …) are those
    of its page form (forms.form_for(step)), given beside these and parsed by that form."""

    step = serializers.ChoiceField(choices=STEP_CHOICES, help_text="步骤名")
    version = serializers.IntegerField(help_text="档案的 version（防止重复办理）")
    on = BoundedDateSerializerField(required=False, label="办理日期", help_text="空为今天")
    note = serializers.CharField(required=False, allow_blank=True, max_length=500, default="")
    confirmed = serializers.BooleanField(
        required=False, default=False, help_text="一般性规定提醒后确认仍要办理"
    )


class ApplicationSerializer(serializers.Serializer):  # type: ignore[type-arg]
    """登记入党申请 (the 入党申请书's particulars and the receiving 党支部)."""

    org = serializers.IntegerField(help_text="受理党支部 id")
    name = serializers.CharField(max_length=50)
    gender = serializers.ChoiceField(choices=Gender.choices)
    ethnicity = serializers.ChoiceField(choices=ETHNICITY_CHOICES)
    birth_date = BoundedDateSerializerField(label="出生日期")
    id_number = serializers.CharField(max_length=18, help_text="公民身份号码")
    education = serializers.ChoiceField(choices=Education.choices)
    person_category = serializers.ChoiceField(choices=PersonCategory.choices)
    applied_on = BoundedDateSerializerField(label="递交入党申请书日期")
    native_place = serializers.CharField(max_length=50, required=False, default="")
    work_unit_post = serializers.CharField(max_length=100, required=False, default="")
    phone = serializers.CharField(max_length=20, required=False, default="")
    league_member = serializers.BooleanField(required=False, default=False)
    confirmed = serializers.BooleanField(required=False, default=False)


def _form_errors(form: Any) -> dict[str, list[str]]:
    return {
        ("non_field_errors" if field == "__all__" else field): [e["message"] for e in errors]
        for field, errors in form.errors.get_json_data().items()
    }


def _needs_confirmation(exc: NeedsConfirmation) -> Response:
    body = {"detail": exc.message, "field": None, "warnings": list(exc.warnings)}
    return Response(body, status=status.HTTP_400_BAD_REQUEST)


LIST_FILTERS = [
    OpenApiParameter("status", OpenApiTypes.STR, description="状态（如 activist、voted）"),
    OpenApiParameter("stage", OpenApiTypes.STR, description="阶段：A–E，ended 为已结束"),
    OpenApiParameter("org", OpenApiTypes.INT, description="党组织 id（含下级）"),
    OpenApiParameter("q", OpenApiTypes.STR, description="姓名或拼音"),
]


class ApplicantViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet,  # type: ignore[type-arg]
):
    """发展党员档案: those of the user's branches and committees, their own, and those they are
    培养联系人 or 入党介绍人 for."""

    serializer_class = ApplicantSerializer

    def get_serializer_class(self) -> Any:
        return ApplicantSerializer if self.action == "list" else ApplicantDetailSerializer

    def get_queryset(self) -> QuerySet[Applicant]:
        qs = applicants_visible_to(self.request.user)
        params = self.request.query_params
        if params.get("status"):
            qs = qs.filter(status=params["status"])
        if params.get("stage"):
            qs = in_stage(qs, params["stage"])
        if params.get("org"):
            org = get_org_for_user(self.request.user, params["org"])
            qs = qs.filter(org_path__startswith=org.path)
        if params.get("q"):
            qs = search_applicants(qs, params["q"])
        return qs.order_by("org_path", "name_pinyin", "id")

    def get_object(self) -> Applicant:
        return get_applicant_for_user(self.request.user, self.kwargs["pk"])

    def _detail(self, a: Applicant, code: int = status.HTTP_200_OK) -> Response:
        a.refresh_from_db()
        data = ApplicantDetailSerializer(a, context=self.get_serializer_context()).data
        return Response(data, status=code)

    @extend_schema(parameters=LIST_FILTERS)
    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().list(request, *args, **kwargs)

    @extend_schema(request=ApplicationSerializer, responses={201: ApplicantDetailSerializer})
    def create(self, request: Request) -> Response:
        """登记入党申请 (维护党员信息 on the 党支部); a soft rule's warning asks for
        `confirmed: true`."""
        body = ApplicationSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        d = dict(body.validated_data)
        org = get_org_for_user(request.user, d.pop("org"), Ability.EDIT_MEMBERS)
        confirmed = d.pop("confirmed")
        try:
            applicant = services.register_applicant(
                actor=Actor.from_request(request),
                org=org,
                data=services.ApplicantData(**d),
                confirmed=confirmed,
            )
        except NeedsConfirmation as exc:
            return _needs_confirmation(exc)
        return self._detail(applicant, status.HTTP_201_CREATED)

    @extend_schema(request=StepRequestSerializer, responses={200: ApplicantDetailSerializer})
    @action(detail=True, methods=["post"])
    def steps(self, request: Request, pk: str) -> Response:
        """办理一个步骤: parsed by the step's page form, run by the step's service."""
        applicant = self.get_object()  # scope first: an outsider learns nothing from validation
        head = StepRequestSerializer(data=request.data)
        head.is_valid(raise_exception=True)
        name = head.validated_data["step"]
        who = RECRUITMENT.step(name).who
        if not may_act(request.user, who, applicant):
            raise PermissionDenied(refusal_for(who.ability) if who else "该步骤由系统办理")
        data: Any = request.data.copy()  # a QueryDict keeps its lists (contacts) for the form
        if not data.get("on"):
            data["on"] = today().isoformat()
        form = form_for(name)(data, applicant=applicant)
        if not form.is_valid():
            raise serializers.ValidationError(_form_errors(form))
        try:
            services.STEPS[name](
                Actor.from_request(request),
                applicant,
                form.cleaned_data,
                head.validated_data["confirmed"],
            )
        except NeedsConfirmation as exc:
            return _needs_confirmation(exc)
        return self._detail(applicant)
