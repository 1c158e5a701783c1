"""工作台: 待我投票 — open polls in whose electorate the user's own member record is and which
they have not voted in yet. Registered in VotesConfig.ready()."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

from django.db.models import Q, QuerySet
from django.urls import reverse
from django.utils import timezone

from dangjian.core.workbench import ScopeLike, WorkItem, is_overdue
from dangjian.votes.models import Poll, Voter


class PollsOpenForMe:
    key = "votes.open"
    label = "待我投票"

    def _due(self, scope: ScopeLike) -> QuerySet[Voter]:
        still_open = Q(poll__closes_at__isnull=True) | Q(poll__closes_at__gt=timezone.now())
        return Voter.objects.filter(
            still_open,
            member_id=scope.own_member_id or 0,
            voted=False,
            poll__status=Poll.Status.OPEN,
            poll__method=Poll.Method.ONLINE,
        )

    def count_for(self, user: Any, scope: ScopeLike, today: dt.date) -> int:
        return self._due(scope).count() if scope.own_member_id else 0

    def items_for(self, user: Any, scope: ScopeLike, today: dt.date) -> Iterator[WorkItem]:
        if not scope.own_member_id:
            return
        for voter in self._due(scope).select_related("poll__organization"):
            poll = voter.poll
            due = timezone.localtime(poll.closes_at).date() if poll.closes_at else None
            yield WorkItem(
                key=f"{self.key}:{poll.pk}",
                kind="投票",
                title=str(poll),
                subject=poll.organization.name,
                url=reverse("votes:vote", args=[poll.token]),
                due=due,
                overdue=is_overdue(due, today),
            )
