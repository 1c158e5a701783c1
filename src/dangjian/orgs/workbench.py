"""工作台: 换届 — organizations whose term ends within `reminder.term_days` or has ended
(应换届: counted from the day after 任期届满, as the statistics count it). Registered in
OrgsConfig.ready()."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

from django.db.models import QuerySet
from django.urls import reverse

from dangjian.core.paths import any_subtree_q
from dangjian.core.workbench import ScopeLike, WorkItem, is_overdue, window
from dangjian.orgs.models import Organization

WINDOW_RULE = "reminder.term_days"
# The abilities of those who prepare the 换届 (accounts.abilities.Ability values, named here as
# strings because orgs sits below accounts): the organization office and the branch's own
# committee, which runs the election.
ABILITIES = ("manage_orgs", "run_votes")


class TermEnding:
    key = "orgs.term"
    label = "任期届满，应换届"

    def _due(self, scope: ScopeLike, today: dt.date) -> QuerySet[Organization]:
        paths = tuple({p for ability in ABILITIES for p in scope.paths(ability)})
        return Organization.objects.active().filter(
            any_subtree_q("path", paths),
            term_end__isnull=False,
            term_end__lte=window(WINDOW_RULE, today),
        )

    def count_for(self, user: Any, scope: ScopeLike, today: dt.date) -> int:
        return self._due(scope, today).count()

    def items_for(self, user: Any, scope: ScopeLike, today: dt.date) -> Iterator[WorkItem]:
        for org in self._due(scope, today).only("pk", "name", "term_end"):
            assert org.term_end is not None
            overdue = is_overdue(org.term_end, today)
            title = (
                f"任期已于 {org.term_end:%Y-%m-%d} 届满，应进行换届选举"
                if overdue
                else f"任期将于 {org.term_end:%Y-%m-%d} 届满，准备换届选举"
            )
            yield WorkItem(
                key=f"{self.key}:{org.pk}:{org.term_end:%Y-%m-%d}",
                kind="换届",
                title=title,
                subject=org.name,
                url=reverse("orgs:detail", args=[org.pk]),
                due=org.term_end,
                overdue=overdue,
            )
