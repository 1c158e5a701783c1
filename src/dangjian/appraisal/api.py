"""JSON API of 民主评议党员: `/api/appraisals/` (with the steps the engine offers, `steps/` to take
one, `lapses/` for the 自行脱党 list), `/api/appraisals/entries/{id}/` (个人自评: the member
themselves and the branch only) and `/api/appraisals/dispositions/`. Same services, scope and
refusals as the pages: 404 outside the scope, 403 without the step's ability, 400 with the
service's Chinese message."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import mixins, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from dangjian.accounts.abilities import Ability
from dangjian.accounts.scope import get_org_for_user, refusal_for, scope_for
from dangjian.appraisal import services
from dangjian.appraisal.models import GRADE_CHOICES, Appraisal, Disposition, Entry
from dangjian.appraisal.procedures import APPRAISAL, DISPOSITION, VOTES
from dangjian.appraisal.selectors import (
    DUES_NOTE,
    appraisals_visible_to,
    dispositions_visible_to,
    get_appraisal_for_user,
    get_disposition_for_user,
    get_entry_for_user,
    lapse_candidates,
    manages,
    may_read_self_review,
    meeting_of,
    own_entry,
    test_counts,
)
from dangjian.core.actors import Actor
from dangjian.core.api import StepOptionSerializer
from dangjian.core.dates import BoundedDateSerializerField, today
from dangjian.core.exceptions import DomainError
from dangjian.core.procedures import Procedure, steps_available
from dangjian.meetings.models import MeetingKind
from dangjian.votes.models import Poll

APPRAISAL_STEPS = [
    ("peer_review", "开展党员互评"),
    ("hold_test", "民主测评"),
    ("count_test", "民主测评计票"),
    ("record_test", "确认测评结果"),
    ("rate", "组织评定"),
    ("publish", "反馈公示"),
    ("apply", "结果运用"),
]
DISPOSITION_STEPS = [
    (s.name, s.label) for s in DISPOSITION.steps if s.name not in ("propose_removal", "vote_failed")
] + [("count", "支部大会表决计票")]
GRADE_ONLY = [(c, label) for c, label in GRADE_CHOICES if c != "ungraded"]


def _actions(user: Any, record: Any, proc: Procedure) -> list[dict[str, Any]]:
    return [
        {"step": o.name, "title": o.label, "allowed": o.allowed, "reason": o.reason}
        for o in steps_available(user, record, proc)
    ]


class EntrySerializer(serializers.ModelSerializer):  # type: ignore[type-arg]
    grade_label = serializers.CharField(source="get_grade_display", read_only=True)
    test_counts = serializers.SerializerMethodField(help_text="民主测评票数（等次 → 票数）")
    self_review = serializers.SerializerMethodField()
    party_analysis = serializers.SerializerMethodField()

    class Meta:
        model = Entry
        fields = [
            "id", "member", "name", "graded", "self_review", "party_analysis", "self_on_paper",
            "peer_comments", "grade", "grade_label", "test_counts", "version",
        ]  # fmt: skip
        read_only_fields = fields

    @extend_schema_field(serializers.DictField(child=serializers.IntegerField()))
    def get_test_counts(self, e: Entry) -> dict[str, int]:
        return dict(self.context.get("counts", {}).get(e.member_id, {}))

    def _readable(self, e: Entry) -> bool:
        return may_read_self_review(self.context["request"].user, e)

    def get_self_review(self, e: Entry) -> str:
        return e.self_review if self._readable(e) else ""

    def get_party_analysis(self, e: Entry) -> str:
        return e.party_analysis if self._readable(e) else ""


class AppraisalSerializer(serializers.ModelSerializer):  # type: ignore[type-arg]
    org_name = serializers.CharField(source="org.name", read_only=True)
    status_label = serializers.CharField(source="get_status_display", read_only=True)

    class Meta:
        model = Appraisal
        fields = [
            "id", "org", "org_name", "year", "status", "status_label", "meeting", "poll",
            "rated_by", "rated_on", "version",
        ]  # fmt: skip
        read_only_fields = fields


class AppraisalDetailSerializer(AppraisalSerializer):
    entries = serializers.SerializerMethodField(help_text="评议对象（党员本人只看到自己的）")
    actions = serializers.SerializerMethodField(help_text="当前用户现在可以办理的步骤")

    class Meta(AppraisalSerializer.Meta):
        fields = [*AppraisalSerializer.Meta.fields, "entries", "actions"]
        read_only_fields = fields

    @extend_schema_field(EntrySerializer(many=True))
    def get_entries(self, a: Appraisal) -> list[dict[str, Any]]:
        user = self.context["request"].user
        if manages(user, a):
            rows = list(a.entries.all())
            counts = test_counts(a)
        else:
            own = own_entry(user, a)
            rows, counts = ([own] if own else []), {}
        context = {**self.context, "counts": counts}
        return list(EntrySerializer(rows, many=True, context=context).data)

    @extend_schema_field(StepOptionSerializer(many=True))
    def get_actions(self, a: Appraisal) -> list[dict[str, Any]]:
        return _actions(self.context["request"].user, a, APPRAISAL)


class AppraisalStepSerializer(serializers.Serializer):  # type: ignore[type-arg]
    step = serializers.ChoiceField(choices=APPRAISAL_STEPS, help_text="步骤名")
    version = serializers.IntegerField(help_text="评议记录的 version（防止重复办理）")
    on = BoundedDateSerializerField(required=False, label="日期", help_text="空为今天")
    note = serializers.CharField(required=False, allow_blank=True, max_length=500, default="")
    meeting = serializers.IntegerField(required=False, help_text="组织生活会（民主测评）")
    method = serializers.ChoiceField(
        choices=[(m, label) for m, label in Poll.Method.choices], required=False, default="paper"
    )
    grades = serializers.DictField(
        child=serializers.ChoiceField(choices=GRADE_ONLY),
        required=False,
        help_text="组织评定：党员 id → 等次（预备党员不评定）",
    )
    body = serializers.ChoiceField(choices=Appraisal.Body.choices, required=False)
    reason = serializers.CharField(required=False, allow_blank=True, max_length=500, default="")
    confirmed = serializers.BooleanField(required=False, default=False)
    confirm_over_cap = serializers.BooleanField(required=False, default=False)


def _require(user: Any, who: Any, record: Any) -> None:
    node = who.node(record) if who else None
    if who is None or node is None or not scope_for(user).can(who.ability, node.path):
        raise PermissionDenied(refusal_for(who.ability) if who else "该步骤由系统办理")


def _run_appraisal_step(actor: Actor, a: Appraisal, d: dict[str, Any]) -> None:
    step, on, version = d["step"], d.get("on") or today(), d["version"]
    if step == "peer_review":
        services.start_peer_review(actor=actor, appraisal=a, on=on, note=d["note"], version=version)
    elif step == "hold_test":
        meeting = meeting_of(a.org, d.get("meeting"), MeetingKind.LIFE)
        services.hold_test(
            actor=actor, appraisal=a, meeting=meeting, method=d["method"], version=version
        )
    elif step == "count_test":
        services.count_test(actor=actor, appraisal=a, confirm_over_cap=d["confirm_over_cap"])
    elif step == "record_test":
        services.record_test(actor=actor, appraisal=a, on=on, version=version)
    elif step == "rate":
        grades = {int(k): v for k, v in (d.get("grades") or {}).items() if str(k).isdigit()}
        services.rate_members(
            actor=actor, appraisal=a, grades=grades, body=d.get("body") or "", on=on,
            reason=d["reason"], confirmed=d["confirmed"], version=version,
        )  # fmt: skip
    elif step == "publish":
        services.publish_results(actor=actor, appraisal=a, on=on, note=d["note"], version=version)
    else:
        services.apply_results(actor=actor, appraisal=a, on=on, version=version)


class StartSerializer(serializers.Serializer):  # type: ignore[type-arg]
    org = serializers.IntegerField(help_text="党支部 id")
    year = serializers.IntegerField(min_value=2000, max_value=2100, help_text="评议年度")
    on = BoundedDateSerializerField(label="学习动员日期")
    note = serializers.CharField(required=False, allow_blank=True, max_length=500, default="")


class AppraisalViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet,  # type: ignore[type-arg]
):
    """民主评议党员: the branches' appraisals in the user's scope, and the user's own."""

    serializer_class = AppraisalSerializer

    def get_serializer_class(self) -> Any:
        return AppraisalSerializer if self.action == "list" else AppraisalDetailSerializer

    def get_queryset(self) -> Any:
        return appraisals_visible_to(self.request.user).order_by("-year", "org_path")

    def get_object(self) -> Appraisal:
        return get_appraisal_for_user(self.request.user, self.kwargs["pk"])

    @extend_schema(request=StartSerializer, responses={201: AppraisalDetailSerializer})
    def create(self, request: Request) -> Response:
        """学习动员: open a branch's appraisal of a year (组织会议和组织生活 on the branch)."""
        body = StartSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        d = body.validated_data
        org = get_org_for_user(request.user, d["org"], Ability.RUN_MEETINGS)
        appraisal = services.start_appraisal(
            actor=Actor.from_request(request), org=org, year=d["year"], on=d["on"], note=d["note"]
        )
        context = self.get_serializer_context()
        return Response(AppraisalDetailSerializer(appraisal, context=context).data, status=201)

    @extend_schema(request=AppraisalStepSerializer, responses={200: AppraisalDetailSerializer})
    @action(detail=True, methods=["post"])
    def steps(self, request: Request, pk: str) -> Response:
        """办理一个步骤 (`step`; 组织评定 with `grades`, `body`, and `reason` + `confirmed` when
        优秀 exceeds the cap)."""
        appraisal = self.get_object()
        body = AppraisalStepSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = dict(body.validated_data)
        who = VOTES if data["step"] == "count_test" else APPRAISAL.step(data["step"]).who
        _require(request.user, who, appraisal)
        _run_appraisal_step(Actor.from_request(request), appraisal, data)
        appraisal.refresh_from_db()
        context = self.get_serializer_context()
        return Response(AppraisalDetailSerializer(appraisal, context=context).data)

    @extend_schema(responses={200: dict})
    @action(detail=False, methods=["get"])
    def lapses(self, request: Request) -> Response:
        """自行脱党名单: members absent from all organizational life for the rule's months."""
        scope = scope_for(request.user)
        paths = tuple(
            sorted(set(scope.paths(Ability.RUN_MEETINGS)) | set(scope.paths(Ability.EDIT_MEMBERS)))
        )
        found = lapse_candidates(paths, today())
        return Response(
            {
                "note": DUES_NOTE,
                "results": [
                    {
                        "member": c.member.pk,
                        "name": c.member.name,
                        "org_name": c.member.org.name if c.member.org else "",
                        "months": c.months,
                        "first_month": c.first.isoformat()[:7],
                        "last_month": c.last.isoformat()[:7],
                    }
                    for c in found
                ],
            }
        )


class SelfReviewSerializer(serializers.Serializer):  # type: ignore[type-arg]
    version = serializers.IntegerField()
    self_review = serializers.CharField(max_length=5000, label="个人自评")
    party_analysis = serializers.CharField(
        max_length=5000, required=False, allow_blank=True, default=""
    )


class EntryViewSet(
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet,  # type: ignore[type-arg]
):
    """个人自评: the member's own (or the branch's, for a paper one)."""

    serializer_class = EntrySerializer

    def get_queryset(self) -> Any:
        return Entry.objects.filter(appraisal__in=appraisals_visible_to(self.request.user))

    def get_object(self) -> Entry:
        return get_entry_for_user(self.request.user, self.kwargs["pk"])

    def get_serializer_context(self) -> dict[str, Any]:
        return {**super().get_serializer_context(), "counts": {}}

    @extend_schema(request=SelfReviewSerializer, responses={200: EntrySerializer})
    def partial_update(self, request: Request, pk: str) -> Response:
        entry = self.get_object()
        body = SelfReviewSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        d = body.validated_data
        services.write_self_review(
            actor=Actor.from_request(request),
            entry=entry,
            self_review=d["self_review"],
            party_analysis=d["party_analysis"],
            version=d["version"],
        )
        return Response(EntrySerializer(entry, context=self.get_serializer_context()).data)


class DispositionSerializer(serializers.ModelSerializer):  # type: ignore[type-arg]
    member_name = serializers.CharField(source="member.name", read_only=True)
    org_name = serializers.CharField(source="org.name", read_only=True)
    approver_name = serializers.CharField(source="approver.name", read_only=True)
    status_label = serializers.CharField(source="get_status_display", read_only=True)

    class Meta:
        model = Disposition
        fields = [
            "id", "member", "member_name", "org", "org_name", "approver", "approver_name",
            "source", "deadline", "measure", "member_view", "meeting", "poll", "status",
            "status_label", "version",
        ]  # fmt: skip
        read_only_fields = fields


class DispositionDetailSerializer(DispositionSerializer):
    actions = serializers.SerializerMethodField(help_text="当前用户现在可以办理的步骤")

    class Meta(DispositionSerializer.Meta):
        fields = [*DispositionSerializer.Meta.fields, "actions"]
        read_only_fields = fields

    @extend_schema_field(StepOptionSerializer(many=True))
    def get_actions(self, d: Disposition) -> list[dict[str, Any]]:
        return _actions(self.context["request"].user, d, DISPOSITION)


class DispositionStepSerializer(serializers.Serializer):  # type: ignore[type-arg]
    step = serializers.ChoiceField(choices=DISPOSITION_STEPS, help_text="步骤名")
    version = serializers.IntegerField(help_text="处置记录的 version（防止重复办理）")
    on = BoundedDateSerializerField(required=False, label="日期", help_text="空为今天")
    note = serializers.CharField(required=False, allow_blank=True, max_length=500, default="")
    deadline = serializers.DateField(required=False, help_text="改正期限（限期改正）")
    measure = serializers.ChoiceField(choices=Disposition.Measure.choices, required=False)
    view = serializers.CharField(required=False, allow_blank=True, max_length=2000, default="")
    meeting = serializers.IntegerField(required=False, help_text="支部党员大会（提交表决）")
    method = serializers.ChoiceField(
        choices=[(m, label) for m, label in Poll.Method.choices], required=False, default="paper"
    )
    document_no = serializers.CharField(
        required=False, allow_blank=True, max_length=100, default=""
    )


def _run_disposition_step(actor: Actor, x: Disposition, d: dict[str, Any]) -> None:
    step, on, v = d["step"], d.get("on") or today(), d["version"]
    note = d["note"]
    if step == "set_deadline":
        if d.get("deadline") is None:
            raise DomainError("请填写改正期限。", field="deadline")
        services.set_deadline(
            actor=actor, disposition=x, deadline=d["deadline"], on=on, note=note, version=v
        )
    elif step == "correct":
        services.record_corrected(actor=actor, disposition=x, on=on, note=note, version=v)
    elif step == "propose":
        services.propose_measure(
            actor=actor, disposition=x, measure=d.get("measure") or "", on=on, note=note, version=v
        )
    elif step == "hear_member":
        services.hear_member(actor=actor, disposition=x, view=d["view"], on=on, version=v)
    elif step == "put_to_vote":
        meeting = meeting_of(x.org, d.get("meeting"), MeetingKind.GENERAL)
        services.put_to_vote(
            actor=actor, disposition=x, meeting=meeting, method=d["method"], version=v
        )
    elif step == "count":
        services.count_decision(actor=actor, disposition=x)
    elif step == "decide":
        services.record_decision(actor=actor, disposition=x, on=on, version=v)
    elif step in ("approve", "refuse"):
        services.approve_disposition(
            actor=actor, disposition=x, approved=step == "approve", on=on, note=note, version=v
        )
    elif step == "refuses_advice":
        services.record_refusal_to_leave(actor=actor, disposition=x, on=on, note=note, version=v)
    elif step == "record_exit":
        services.record_exit(
            actor=actor, disposition=x, on=on, document_no=d["document_no"], version=v
        )
    else:
        services.withdraw_disposition(actor=actor, disposition=x, reason=note, on=on, version=v)


class DispositionViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet,  # type: ignore[type-arg]
):
    """组织处置: the branches' in the user's scope and those its 基层党委 approves."""

    serializer_class = DispositionSerializer

    def get_serializer_class(self) -> Any:
        return DispositionSerializer if self.action == "list" else DispositionDetailSerializer

    def get_queryset(self) -> Any:
        return dispositions_visible_to(self.request.user).order_by("-created_at", "-pk")

    def get_object(self) -> Disposition:
        return get_disposition_for_user(self.request.user, self.kwargs["pk"])

    @extend_schema(request=DispositionStepSerializer, responses={200: DispositionDetailSerializer})
    @action(detail=True, methods=["post"])
    def steps(self, request: Request, pk: str) -> Response:
        """办理一个步骤 (`step`): the branch's, or 上级党委 approve / refuse."""
        disposition = self.get_object()
        body = DispositionStepSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = dict(body.validated_data)
        step = data["step"]
        _require(
            request.user, VOTES if step == "count" else DISPOSITION.step(step).who, disposition
        )
        _run_disposition_step(Actor.from_request(request), disposition, data)
        disposition.refresh_from_db()
        context = self.get_serializer_context()
        return Response(DispositionDetailSerializer(disposition, context=context).data)
