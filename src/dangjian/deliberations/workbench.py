"""工作台 items of 四议两公开 for those who run the village 党组织's meetings: decisions passed but
not yet published (决议公开), and decisions published `fourtwo.result_reminder_days` ago or more
whose 实施结果 is not yet published. Registered in DeliberationsConfig.ready()."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

from django.db.models import OuterRef, QuerySet, Subquery
from django.urls import reverse

from dangjian.accounts.abilities import Ability
from dangjian.core.models import rule_value
from dangjian.core.paths import any_subtree_q
from dangjian.core.workbench import ScopeLike, WorkItem
from dangjian.deliberations.models import Matter, MatterStatus, Publication


def _mine(scope: ScopeLike) -> QuerySet[Matter]:
    return Matter.objects.filter(any_subtree_q("org_path", scope.paths(Ability.RUN_MEETINGS)))


class DecisionsToPublish:
    """决议已通过，待公开."""

    key = "deliberations.decisions_to_publish"
    label = "四议两公开：决议待公开"

    def _due(self, scope: ScopeLike) -> QuerySet[Matter]:
        return _mine(scope).filter(status=MatterStatus.RESOLVED)

    def count_for(self, user: Any, scope: ScopeLike, today: dt.date) -> int:
        return self._due(scope).count()

    def items_for(self, user: Any, scope: ScopeLike, today: dt.date) -> Iterator[WorkItem]:
        for m in self._due(scope).select_related("org")[:200]:
            yield WorkItem(
                key=f"{self.key}:{m.pk}",
                kind="四议两公开",
                title=f"决议已通过，待公开：{m.title}",
                subject=m.org.name,
                url=reverse("deliberations:detail", args=[m.pk]),
            )


class ResultsToPublish:
    """决议公开满提醒天数，实施结果尚未公开."""

    key = "deliberations.results_to_publish"
    label = "四议两公开：实施结果待公开"

    def _due(self, scope: ScopeLike, today: dt.date) -> QuerySet[Matter]:
        days = int(rule_value("fourtwo.result_reminder_days", today))
        published = Publication.objects.filter(
            matter=OuterRef("pk"), kind=Publication.Kind.DECISION
        ).values("published_on")[:1]
        return (
            _mine(scope)
            .filter(status=MatterStatus.PUBLISHED)
            .annotate(decision_on=Subquery(published))
            .filter(decision_on__lte=today - dt.timedelta(days=days))
        )

    def count_for(self, user: Any, scope: ScopeLike, today: dt.date) -> int:
        return self._due(scope, today).count()

    def items_for(self, user: Any, scope: ScopeLike, today: dt.date) -> Iterator[WorkItem]:
        for m in self._due(scope, today).select_related("org")[:200]:
            published: dt.date = m.decision_on  # type: ignore[attr-defined]
            yield WorkItem(
                key=f"{self.key}:{m.pk}",
                kind="四议两公开",
                title=f"决议已于 {published:%Y-%m-%d} 公开，请公开实施结果：{m.title}",
                subject=m.org.name,
                url=reverse("deliberations:detail", args=[m.pk]),
            )
