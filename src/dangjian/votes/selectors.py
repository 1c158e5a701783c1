"""Reads of the votes app: who may vote, which polls a user sees, turnout."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.http import Http404

from dangjian.accounts.scope import scope_for
from dangjian.members.choices import MemberCategory
from dangjian.members.models import Member, PartyProbation
from dangjian.orgs.models import Organization
from dangjian.stats.reports import spells_on
from dangjian.votes.models import Poll, Voter


def electorate(org: Organization, on: dt.date) -> QuerySet[Member]:
    """有表决权的党员 of `org` on `on`: its (and its sub-organizations') 正式党员 that day, less
    those under 留党察看. 预备党员 have no vote (党章第七条), nor do members under 留党察看
    (党章第四十条); 流入党员 are registered with their home branch, so they are not here."""
    full = spells_on(org, on).filter(category=MemberCategory.FULL).values("member_id")
    sanctioned = PartyProbation.objects.filter(
        Q(end_date__isnull=True) | Q(end_date__gt=on), start_date__lte=on
    ).values("member_id")
    return Member.objects.filter(pk__in=full).exclude(pk__in=sanctioned).order_by("name_pinyin")


def members_on(org: Organization, on: dt.date) -> QuerySet[Member]:
    """Everyone in `org`'s subtree on `on`, 预备党员 included (民主评议 grades them all)."""
    return Member.objects.filter(pk__in=spells_on(org, on).values("member_id")).order_by(
        "name_pinyin"
    )


def polls_visible_to(user: Any) -> QuerySet[Poll]:
    """Polls of the organizations in the user's scope, those the user is a voter in, and the
    not yet opened polls of the user's own organization and those above it (the electorate is
    fixed only when a poll opens; a member who scans its code early learns it has not begun)."""
    scope = scope_for(user)
    q = Q(organization__in=Organization.objects.filter(scope.org_q()))
    if scope.own_member_id is not None:
        q |= Q(voters__member_id=scope.own_member_id)
        own_path = Member.objects.filter(pk=scope.own_member_id).values_list("org_path", flat=True)
        path = own_path.first() or ""
        steps = range(Organization.steplen, len(path) + 1, Organization.steplen)
        q |= Q(status=Poll.Status.DRAFT, organization__path__in=[path[:n] for n in steps])
    return Poll.objects.filter(q).distinct().select_related("organization")


def get_poll_for_user(user: Any, pk: Any, *, write: bool = False) -> Poll:
    """The poll if visible (404 otherwise); with write, only for its organization's managers."""
    try:
        key = int(pk)
    except (TypeError, ValueError) as exc:
        raise Http404("表决不存在") from exc
    poll = polls_visible_to(user).filter(pk=key).first()
    if poll is None:
        raise Http404("表决不存在或不在您的管理范围内")
    if write and not may_manage(user, poll):
        raise PermissionDenied("您没有管理该表决的权限")
    return poll


def may_manage(user: Any, poll: Poll) -> bool:
    """Organization managers (书记、组织委员、上级组织管理员) run the poll; voters only vote."""
    return scope_for(user).covers(poll.organization.path, write=True)


def voter_for(user: Any, poll: Poll) -> Voter | None:
    """The user's own entry in the poll's electorate, if any."""
    member_id = scope_for(user).own_member_id
    if member_id is None:
        return None
    return poll.voters.filter(member_id=member_id).first()


@dataclass(frozen=True)
class Turnout:
    """到会与投票情况: numbers for everyone who sees the poll; names of those who have not
    voted only for its managers — never what anyone voted."""

    entitled: int
    present: int
    voted: int
    ballots: int
    not_voted: list[str]


def turnout(poll: Poll, *, names: bool) -> Turnout:
    voters = list(poll.voters.values_list("name", "present", "voted"))
    return Turnout(
        entitled=len(voters),
        present=sum(1 for _, present, _ in voters if present),
        voted=sum(1 for *_, voted in voters if voted),
        ballots=poll.ballots.count(),
        not_voted=[name for name, _, voted in voters if not voted] if names else [],
    )
