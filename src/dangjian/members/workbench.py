"""工作台: 预备期将满 — 预备党员 whose probation ends within `reminder.probation_days` or has
ended without a 转正, 延长预备期 or 取消 being recorded (细则第三十三条: 预备期满，党支部应当及时
讨论). Registered in MembersConfig.ready()."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

from django.db.models import Q, QuerySet
from django.urls import reverse

from dangjian.accounts.abilities import Ability
from dangjian.core.paths import any_subtree_q
from dangjian.core.workbench import ScopeLike, WorkItem, is_overdue, window
from dangjian.members.models import Member

WINDOW_RULE = "reminder.probation_days"


class ProbationEnding:
    key = "members.probation"
    label = "预备期将满"

    def _due(self, scope: ScopeLike, today: dt.date) -> tuple[QuerySet[Member], QuerySet[Member]]:
        """Members the user records 转正 for, and the user's own record, if due."""
        ends = Q(probation_end__isnull=False, probation_end__lte=window(WINDOW_RULE, today))
        paths = scope.paths(Ability.EDIT_MEMBERS)
        managed = Member.objects.filter(ends, any_subtree_q("org_path", paths))
        # One's own record (党员 self-service), unless it is among those one manages anyway.
        own = Member.objects.filter(ends, pk=scope.own_member_id or 0).exclude(
            any_subtree_q("org_path", paths)
        )
        return managed, own

    def count_for(self, user: Any, scope: ScopeLike, today: dt.date) -> int:
        managed, own = self._due(scope, today)
        return managed.count() + (own.count() if scope.own_member_id else 0)

    def items_for(self, user: Any, scope: ScopeLike, today: dt.date) -> Iterator[WorkItem]:
        managed, own = self._due(scope, today)
        for m in managed.select_related("org").only("pk", "name", "probation_end", "org__name"):
            url = reverse("members:event-create", args=[m.pk]) + "?kind=convert"
            title = f"{m.name}预备期满，支部大会讨论能否转为正式党员"
            yield self._item(m, today, url, f"{m.name}（{m.org.name}）", title)
        if scope.own_member_id:
            for m in own.only("pk", "name", "probation_end"):
                url = reverse("members:detail", args=[m.pk])
                title = (
                    "我的预备期已满，等待党支部讨论转正"
                    if is_overdue(m.probation_end, today)
                    else "我的预备期将满，请向党支部提出转正申请"
                )
                yield self._item(m, today, url, m.name, title)

    def _item(self, m: Member, today: dt.date, url: str, subject: str, title: str) -> WorkItem:
        return WorkItem(
            key=f"{self.key}:{m.pk}:{m.probation_end:%Y-%m-%d}",
            kind="预备期满",
            title=title,
            subject=subject,
            url=url,
            due=m.probation_end,
            overdue=is_overdue(m.probation_end, today),
        )
