"""JSON API for polls (表决与选举): the same services, scope and refusals as the pages.

Polls are fetched only through `get_poll_for_user` (404 outside scope, 403 without the right to
run the poll); a voter casts only their own ballot, and no response says what anyone voted.
"""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from drf_spectacular.utils import extend_schema
from rest_framework import status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from dangjian.accounts.abilities import Ability
from dangjian.accounts.scope import get_org_for_user
from dangjian.core.actors import Actor
from dangjian.core.exceptions import DomainError
from dangjian.members.models import Member
from dangjian.votes import selectors, services
from dangjian.votes.models import Poll
from dangjian.votes.selectors import get_poll_for_user, may_manage, polls_visible_to
from dangjian.votes.serializers import (
    AttendanceResultSerializer,
    AttendanceSerializer,
    CastSerializer,
    ChoicesSerializer,
    CloseSerializer,
    NextRoundSerializer,
    PaperBallotStoredSerializer,
    PaperCountsSerializer,
    PollCreateSerializer,
    PollListSerializer,
    PollSerializer,
    RecountSerializer,
    TurnoutSerializer,
    VersionSerializer,
    WrittenOpinionSerializer,
    WrittenOpinionStoredSerializer,
)


def _candidates(user: Any, ids: list[int]) -> list[Member]:
    """The members named as candidates, fetched within the user's scope (in the given order)."""
    found = Member.objects.visible_to(user).in_bulk(ids)
    if len(set(ids)) != len(ids) or len(found) != len(ids):
        raise DomainError("候选人不存在、重复或不在您的管理范围内。", field="candidates")
    return [found[pk] for pk in ids]


def _parsed(serializer_class: Any, request: Request) -> dict[str, Any]:
    body = serializer_class(data=request.data)
    body.is_valid(raise_exception=True)
    return dict(body.validated_data)


class PollViewSet(viewsets.GenericViewSet):  # type: ignore[type-arg]
    """表决与选举: create, open, attendance, ballots, close and count, re-count, next round."""

    serializer_class = PollSerializer

    def get_queryset(self) -> Any:
        return polls_visible_to(self.request.user)

    def get_object(self) -> Poll:
        return get_poll_for_user(self.request.user, self.kwargs["pk"])

    def _managed(self) -> Poll:
        return get_poll_for_user(self.request.user, self.kwargs["pk"], Ability.RUN_VOTES)

    def _detail(self, poll: Poll, code: int = status.HTTP_200_OK) -> Response:
        poll = (
            Poll.objects.select_related("organization")
            .prefetch_related("candidates")
            .get(pk=poll.pk)
        )
        return Response(PollSerializer(poll, context={"request": self.request}).data, status=code)

    @extend_schema(responses=PollListSerializer(many=True))
    def list(self, request: Request) -> Response:
        """Polls of the organizations in scope, and those the user votes in."""
        page = self.paginate_queryset(self.get_queryset())
        data = PollListSerializer(page, many=True).data
        return self.get_paginated_response(data)

    @extend_schema(request=PollCreateSerializer, responses={201: PollSerializer})
    def create(self, request: Request) -> Response:
        """新建表决 (未开始): candidates in 姓氏笔画 order."""
        f = _parsed(PollCreateSerializer, request)
        org = get_org_for_user(request.user, f.pop("organization"), Ability.RUN_VOTES)
        f["candidates"] = _candidates(request.user, f["candidates"])
        poll = services.create_poll(
            actor=Actor.from_request(request), organization=org, draft=services.PollDraft(**f)
        )
        return self._detail(poll, status.HTTP_201_CREATED)

    @extend_schema(responses=PollSerializer)
    def retrieve(self, request: Request, pk: str) -> Response:
        return self._detail(self.get_object())

    @extend_schema(request=VersionSerializer, responses=PollSerializer)
    @action(detail=True, methods=["post"])
    def open(self, request: Request, pk: str) -> Response:
        """开始投票: the electorate is fixed as of the poll's 表决权确认日期."""
        poll = self._managed()
        version = _parsed(VersionSerializer, request)["expected_version"]
        poll = services.open_poll(
            actor=Actor.from_request(request), poll=poll, expected_version=version
        )
        return self._detail(poll)

    @extend_schema(request=CloseSerializer, responses=PollSerializer)
    @action(detail=True, methods=["post"])
    def close(self, request: Request, pk: str) -> Response:
        """结束投票并计票 (民主评议 over the 优秀 cap: only with confirm_over_cap)."""
        poll = self._managed()
        f = _parsed(CloseSerializer, request)
        poll = services.close_poll(
            actor=Actor.from_request(request),
            poll=poll,
            expected_version=f["expected_version"],
            confirm_over_cap=f["confirm_over_cap"],
        )
        return self._detail(poll)

    @extend_schema(
        request=WrittenOpinionSerializer, responses={201: WrittenOpinionStoredSerializer}
    )
    @action(detail=True, methods=["post"], url_path="written-opinions")
    def written_opinions(self, request: Request, pk: str) -> Response:
        """书面意见 of an absent voter (表决事项 only): counts toward the vote, not attendance."""
        poll = self._managed()
        f = _parsed(WrittenOpinionSerializer, request)
        services.record_written_opinion(
            actor=Actor.from_request(request), poll=poll, voter_id=f["voter"], vote=f["vote"]
        )
        count = poll.written_opinions.count()
        return Response({"opinions": count}, status=status.HTTP_201_CREATED)

    @extend_schema(request=AttendanceSerializer, responses=AttendanceResultSerializer)
    @action(detail=True, methods=["post"])
    def attendance(self, request: Request, pk: str) -> Response:
        """实到会: the voters present (everyone who has voted counts as present anyway)."""
        poll = self._managed()
        present = _parsed(AttendanceSerializer, request)["present"]
        count = services.mark_attendance(
            actor=Actor.from_request(request), poll=poll, present=present
        )
        return Response({"present": count})

    @extend_schema(request=ChoicesSerializer, responses={201: PaperBallotStoredSerializer})
    @action(detail=True, methods=["post"], url_path="paper-ballots")
    def paper_ballots(self, request: Request, pk: str) -> Response:
        """逐张录入 a paper ballot as marked ({"invalid": true} for one ruled 废票)."""
        poll = self._managed()
        choices = _parsed(ChoicesSerializer, request)["choices"]
        entered = services.record_paper_ballot(
            actor=Actor.from_request(request), poll=poll, choices=choices
        )
        return Response({"ballots": entered}, status=status.HTTP_201_CREATED)

    @extend_schema(request=PaperCountsSerializer, responses=PollSerializer)
    @action(detail=True, methods=["post"], url_path="paper-counts")
    def paper_counts(self, request: Request, pk: str) -> Response:
        """发出票数 (and for 汇总录入 the returned count and the tellers' totals)."""
        poll = self._managed()
        f = _parsed(PaperCountsSerializer, request)
        poll = services.record_paper_counts(actor=Actor.from_request(request), poll=poll, **f)
        return self._detail(poll)

    @extend_schema(request=None, responses=RecountSerializer)
    @action(detail=True, methods=["post"])
    def recount(self, request: Request, pk: str) -> Response:
        """复核: count again from the stored ballots and check their seals and the digest."""
        poll = self._managed()
        recount = services.recount_poll(actor=Actor.from_request(request), poll=poll)
        data = {"ok": recount.ok, "problems": recount.problems, "result": recount.result.as_json()}
        return Response(RecountSerializer(data).data)

    @extend_schema(request=NextRoundSerializer, responses={201: PollSerializer})
    @action(detail=True, methods=["post"], url_path="next-round")
    def next_round(self, request: Request, pk: str) -> Response:
        """下一轮: 再次投票 among the tied, or 另行选举 for the unfilled seats."""
        poll = self._managed()
        chosen = _parsed(NextRoundSerializer, request)["candidates"]
        new = services.start_next_round(
            actor=Actor.from_request(request), poll=poll, candidates=chosen
        )
        return self._detail(new, status.HTTP_201_CREATED)

    @extend_schema(request=ChoicesSerializer, responses={201: CastSerializer})
    @action(detail=True, methods=["post"])
    def ballot(self, request: Request, pk: str) -> Response:
        """投票: the logged-in voter's own ballot. The answer does not repeat the choices."""
        poll = self.get_object()
        choices = _parsed(ChoicesSerializer, request)["choices"]
        services.cast_ballot(actor=Actor.from_request(request), poll=poll, choices=choices)
        return Response({"voted": True}, status=status.HTTP_201_CREATED)

    @extend_schema(responses=TurnoutSerializer)
    @action(detail=True, methods=["get"], url_path="turnout")
    def turnout(self, request: Request, pk: str) -> Response:
        """到会与投票情况: numbers for all who see the poll; names only for its managers."""
        poll = self.get_object()
        manager = may_manage(request.user, poll)
        counts = selectors.turnout(poll, names=manager)
        voters = poll.voters.values("id", "name", "present") if manager else []
        data = {**asdict(counts), "voters": list(voters)}
        return Response(TurnoutSerializer(data).data)
