"""工作台: 待确认的花名册导入 — checked batches waiting for someone to confirm them, in the
organizations where the user imports rosters. Registered in RostersConfig.ready()."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

from django.db.models import QuerySet
from django.urls import reverse
from django.utils import timezone

from dangjian.accounts.abilities import Ability
from dangjian.core.paths import any_subtree_q
from dangjian.core.workbench import ScopeLike, WorkItem
from dangjian.rosters.models import ImportBatch


class BatchesToConfirm:
    key = "rosters.ready"
    label = "待确认的花名册导入"

    def _due(self, scope: ScopeLike) -> QuerySet[ImportBatch]:
        return ImportBatch.objects.filter(
            any_subtree_q("org__path", scope.paths(Ability.IMPORT_ROSTERS)),
            status=ImportBatch.Status.READY,
        )

    def count_for(self, user: Any, scope: ScopeLike, today: dt.date) -> int:
        return self._due(scope).count()

    def items_for(self, user: Any, scope: ScopeLike, today: dt.date) -> Iterator[WorkItem]:
        batches = self._due(scope).select_related("org").defer("file_cipher", "preview")
        for batch in batches:
            uploaded = timezone.localtime(batch.created_at)
            yield WorkItem(
                key=f"{self.key}:{batch.pk}",
                kind="花名册导入",
                title=f"{batch.file_name}（{uploaded:%Y-%m-%d %H:%M} 上传）已校验，待确认导入",
                subject=batch.org.name,
                url=reverse("rosters:batch", args=[batch.pk]),
            )
