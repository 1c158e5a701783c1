"""工作台 items of 民主评议党员: members on the 自行脱党 list (for those who run the branch's
组织生活 or keep its register; a 除名 is only ever proposed by the branch), 限期改正 whose
deadline has come (the branch decides: 改正合格 or 劝其退党/除名), and 处置 awaiting the
基层党委's approval. Registered in AppraisalConfig.ready()."""

from __future__ import annotations

import datetime as dt
from abc import ABC, abstractmethod
from collections.abc import Iterator
from typing import Any

from django.db.models import QuerySet
from django.urls import reverse

from dangjian.accounts.abilities import Ability
from dangjian.appraisal.models import Disposition
from dangjian.appraisal.selectors import Lapse, lapse_candidates
from dangjian.core.paths import any_subtree_q
from dangjian.core.workbench import ScopeLike, WorkItem, is_overdue

LIMIT = 200
D = Disposition.Status


class LapseCandidates:
    key = "appraisal.lapse"
    label = "连续六个月未参加组织生活的党员"

    def _found(self, scope: ScopeLike, today: dt.date) -> list[Lapse]:
        paths = tuple(
            sorted(set(scope.paths(Ability.RUN_MEETINGS)) | set(scope.paths(Ability.EDIT_MEMBERS)))
        )
        found = lapse_candidates(paths, today)
        if not found:
            return []
        handled = set(
            Disposition.objects.filter(source=Disposition.Source.LAPSE)
            .exclude(status__in=(D.NOT_APPROVED, D.WITHDRAWN))
            .values_list("member_id", flat=True)
        )
        return [c for c in found if c.member.pk not in handled]

    def count_for(self, user: Any, scope: ScopeLike, today: dt.date) -> int:
        return len(self._found(scope, today))

    def items_for(self, user: Any, scope: ScopeLike, today: dt.date) -> Iterator[WorkItem]:
        for lapse in self._found(scope, today)[:LIMIT]:
            yield WorkItem(
                key=f"{self.key}:{lapse.member.pk}:{lapse.last:%Y-%m}",
                kind="自行脱党核实",
                title=f"连续 {lapse.months} 个月未参加组织生活（{lapse.span}），请核实",
                subject=f"{lapse.member.name}（{lapse.member.org.name}）",
                url=reverse("appraisal:lapses"),
            )


class _DispositionItems(ABC):
    key = ""
    label = ""
    kind = ""
    ability = Ability.EDIT_MEMBERS
    path_field = "org_path"

    @abstractmethod
    def _due(self, scope: ScopeLike, today: dt.date) -> QuerySet[Disposition]:
        """The dispositions this item lists, in the user's scope."""

    def _scoped(self, scope: ScopeLike) -> QuerySet[Disposition]:
        return Disposition.objects.filter(any_subtree_q(self.path_field, scope.paths(self.ability)))

    def count_for(self, user: Any, scope: ScopeLike, today: dt.date) -> int:
        return self._due(scope, today).count()

    def items_for(self, user: Any, scope: ScopeLike, today: dt.date) -> Iterator[WorkItem]:
        for d in self._due(scope, today).select_related("member", "org")[:LIMIT]:
            yield WorkItem(
                key=f"{self.key}:{d.pk}:{d.status}",
                kind=self.kind,
                title=self.label,
                subject=f"{d.member.name}（{d.org.name}）",
                url=reverse("appraisal:disposition", args=[d.pk]),
                due=d.deadline if d.status == D.CORRECTING else None,
                overdue=d.status == D.CORRECTING and is_overdue(d.deadline, today),
            )


class DeadlineReached(_DispositionItems):
    key = "appraisal.deadline"
    label = "限期改正期满，请作出处理"
    kind = "限期改正"

    def _due(self, scope: ScopeLike, today: dt.date) -> QuerySet[Disposition]:
        return self._scoped(scope).filter(status=D.CORRECTING, deadline__lte=today)


class ToApprove(_DispositionItems):
    key = "appraisal.approve"
    label = "组织处置待上级党委审批"
    kind = "审批组织处置"
    ability = Ability.APPROVE_DISPOSITIONS
    path_field = "approver_path"

    def _due(self, scope: ScopeLike, today: dt.date) -> QuerySet[Disposition]:
        return self._scoped(scope).filter(status=D.DECIDED)


PROVIDERS = (LapseCandidates(), DeadlineReached(), ToApprove())
