"""JSON API for 组织生活: `/api/meetings/` (list with filters, detail, create), its attendance
(read, one-pass write), minutes, notice and cancelling — the same services, scope and refusals
as the pages (404 outside scope; 403 without RUN_MEETINGS; a refusal is a 400 with the service's
Chinese message). A member sees the meetings they are invited to and only their own attendance."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from dangjian.accounts.abilities import Ability
from dangjian.accounts.scope import get_org_for_user, scope_for
from dangjian.core.actors import Actor
from dangjian.core.exceptions import DomainError
from dangjian.meetings import services
from dangjian.meetings.models import Meeting, MeetingKind
from dangjian.meetings.selectors import (
    attendance_rows,
    away_on,
    filtered,
    get_meeting_for_user,
    sees_all,
)
from dangjian.meetings.serializers import (
    MeetingAttendanceOutSerializer,
    MeetingAttendanceSerializer,
    MeetingCancelSerializer,
    MeetingCreateSerializer,
    MeetingMinutesSerializer,
    MeetingNoticeSerializer,
    MeetingSerializer,
    attendance_out,
)
from dangjian.members.models import Member


def _parsed(serializer_class: Any, request: Request) -> dict[str, Any]:
    body = serializer_class(data=request.data)
    body.is_valid(raise_exception=True)
    return dict(body.validated_data)


def _people(user: Any, ids: list[int], field: str) -> list[Member]:
    found = Member.objects.filter(scope_for(user).member_q()).in_bulk(ids)
    if len(set(ids)) != len(ids) or len(found) != len(ids):
        raise DomainError("所选的党员不存在、重复或不在您的管理范围内。", field=field)
    return [found[pk] for pk in ids]


def _person(user: Any, pk: int | None, field: str) -> Member | None:
    return None if pk is None else _people(user, [pk], field)[0]


LIST_PARAMETERS = [
    OpenApiParameter("org", int, description="党组织 id（含下级组织）"),
    OpenApiParameter("kind", str, enum=MeetingKind.values, description="会议类型"),
    OpenApiParameter("status", str, enum=Meeting.Status.values, description="状态"),
    OpenApiParameter("start", str, description="会议日期从（YYYY-MM-DD）"),
    OpenApiParameter("end", str, description="会议日期至（YYYY-MM-DD）"),
]


class MeetingViewSet(viewsets.GenericViewSet):  # type: ignore[type-arg]
    """会议: list, detail, 登记会议, 出席登记, 会议记录, 会议通知, 取消会议."""

    serializer_class = MeetingSerializer
    lookup_value_regex = r"\d+"  # /api/meetings/cadence/ and plans sit beside the ids

    def get_queryset(self) -> Any:
        from dangjian.meetings.forms import ListFilterForm

        form = ListFilterForm(self.request.query_params)
        if not form.is_valid():
            problems = "；".join(f"{k}：{' '.join(map(str, v))}" for k, v in form.errors.items())
            raise DomainError(f"筛选条件无效：{problems}")
        params = dict(form.cleaned_data)
        org_id = params.pop("org", None)
        if org_id is not None:
            params["org"] = get_org_for_user(self.request.user, org_id, Ability.VIEW_MEMBERS)
        return filtered(self.request.user, params).select_related("chair", "recorder")

    @extend_schema(parameters=LIST_PARAMETERS)
    def list(self, request: Request) -> Response:
        page = self.paginate_queryset(self.get_queryset())
        return self.get_paginated_response(self.get_serializer(page, many=True).data)

    def retrieve(self, request: Request, pk: Any = None) -> Response:
        return Response(self.get_serializer(get_meeting_for_user(request.user, pk)).data)

    @extend_schema(request=MeetingCreateSerializer, responses={201: MeetingSerializer})
    def create(self, request: Request) -> Response:
        c = _parsed(MeetingCreateSerializer, request)
        org = get_org_for_user(request.user, c["org"], Ability.RUN_MEETINGS)
        invitees = c["invitees"]
        data = services.MeetingData(
            kind=c["kind"], title=c["title"], date=c["date"], start_time=c["start_time"],
            end_time=c["end_time"], place=c["place"], topics="\n".join(c["topics"]),
            chair=_person(request.user, c["chair"], "chair"), chair_name=c["chair_name"],
            recorder=_person(request.user, c["recorder"], "recorder"), speaker=c["speaker"],
            notice=c["notice"],
            invitees=None if invitees is None else _people(request.user, invitees, "invitees"),
        )  # fmt: skip
        meeting = services.schedule_meeting(actor=Actor.from_request(request), org=org, data=data)
        return Response(self.get_serializer(meeting).data, status=status.HTTP_201_CREATED)

    @extend_schema(methods=["get"], request=None, responses=MeetingAttendanceOutSerializer)
    @extend_schema(
        methods=["put"],
        request=MeetingAttendanceSerializer,
        responses=MeetingAttendanceOutSerializer,
    )
    @action(detail=True, methods=["get", "put"])
    def attendance(self, request: Request, pk: Any = None) -> Response:
        """出席情况: read (a member: only their own row), or write in one pass (RUN_MEETINGS)."""
        if request.method == "PUT":
            meeting = get_meeting_for_user(request.user, pk, Ability.RUN_MEETINGS)
            c = _parsed(MeetingAttendanceSerializer, request)
            posted = [
                services.AttendanceRow(r["member"], r["status"], r["reason"]) for r in c["rows"]
            ]
            guests = c.get("guests")
            meeting = services.record_attendance(
                actor=Actor.from_request(request), meeting=meeting, rows=posted,
                version=c["version"],
                guests=None if guests is None else [
                    services.GuestRow(g["name"], g["affiliation"]) for g in guests
                ],
            )  # fmt: skip
        else:
            meeting = get_meeting_for_user(request.user, pk)
        everyone = sees_all(request.user, meeting)
        rows = attendance_rows(meeting)
        if not everyone:
            own = scope_for(request.user).own_member_id
            rows = [a for a in rows if a.member_id == own]
        away = away_on([a.member_id for a in rows], meeting.date) if everyone else {}
        return Response(attendance_out(meeting, rows, away, everyone))

    @extend_schema(request=MeetingMinutesSerializer, responses=MeetingSerializer)
    @action(detail=True, methods=["put"])
    def minutes(self, request: Request, pk: Any = None) -> Response:
        """会议记录: 讨论情况 and 决定事项 (after the attendance is recorded)."""
        meeting = get_meeting_for_user(request.user, pk, Ability.RUN_MEETINGS)
        c = _parsed(MeetingMinutesSerializer, request)
        done = services.record_minutes(actor=Actor.from_request(request), meeting=meeting, **c)
        return Response(self.get_serializer(done).data)

    @extend_schema(request=None, responses=MeetingNoticeSerializer)
    @action(detail=True, methods=["post"])
    def notice(self, request: Request, pk: Any = None) -> Response:
        """发送会议通知 to the invitees with a login (once each)."""
        meeting = get_meeting_for_user(request.user, pk, Ability.RUN_MEETINGS)
        told = services.send_notice(actor=Actor.from_request(request), meeting=meeting)
        return Response({"notified": told})

    @extend_schema(request=MeetingCancelSerializer, responses=MeetingSerializer)
    @action(detail=True, methods=["post"])
    def cancel(self, request: Request, pk: Any = None) -> Response:
        meeting = get_meeting_for_user(request.user, pk, Ability.RUN_MEETINGS)
        c = _parsed(MeetingCancelSerializer, request)
        done = services.cancel_meeting(actor=Actor.from_request(request), meeting=meeting, **c)
        return Response(self.get_serializer(done).data)
