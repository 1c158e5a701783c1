"""工作台 items of 组织关系转接, on both sides: transfers waiting for the user's step, letters
about to expire or expired, and 回执 of letters to another system not back in time.
Registered in TransfersConfig.ready()."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.urls import reverse

from dangjian.accounts.abilities import Ability
from dangjian.core.models import rule_value
from dangjian.core.paths import any_subtree_q
from dangjian.core.workbench import ScopeLike, WorkItem
from dangjian.transfers.models import Transfer, TransferStatus

S = TransferStatus


def _either_side(scope: ScopeLike) -> Q:
    edit = scope.paths(Ability.EDIT_MEMBERS)
    return any_subtree_q("from_org__path", edit) | any_subtree_q("to_org__path", edit)


def _url(t: Transfer) -> str:
    return reverse("transfers:detail", args=[t.pk])


class TransfersToActOn:
    """待办理: a member's request (the branch), approval (the 党委), arrival (the receiver)."""

    key = "transfers.to_act_on"
    label = "待办理的组织关系转接"

    def _due(self, scope: ScopeLike) -> QuerySet[Transfer]:
        edit = scope.paths(Ability.EDIT_MEMBERS)
        approve = scope.paths(Ability.APPROVE_TRANSFERS)
        return Transfer.objects.filter(
            (Q(status=S.REQUESTED) & any_subtree_q("from_org__path", edit))
            | (Q(status=S.PENDING) & any_subtree_q("approver__path", approve))
            | (Q(status=S.ISSUED) & any_subtree_q("to_org__path", edit))
        )

    def count_for(self, user: Any, scope: ScopeLike, today: dt.date) -> int:
        return self._due(scope).count()

    def items_for(self, user: Any, scope: ScopeLike, today: dt.date) -> Iterator[WorkItem]:
        what = {S.REQUESTED: "党员申请转接，待受理", S.PENDING: "待审批并开具介绍信",
                S.ISSUED: "介绍信已开具，待确认报到"}  # fmt: skip
        for t in self._due(scope).select_related("member", "to_org")[:200]:
            yield WorkItem(
                key=f"{self.key}:{t.pk}:{t.status}",
                kind="组织关系转接",
                title=f"{what[S(t.status)]}（转往{t.destination}）",
                subject=t.member.name,
                url=_url(t),
                due=t.valid_until if t.status == S.ISSUED else None,
                overdue=False,
            )


class LettersExpiring:
    """介绍信将到期 (within the warning days) or 已过期 and not followed by another transfer."""

    key = "transfers.letters_expiring"
    label = "组织关系介绍信将到期或已过期"

    def _due(self, scope: ScopeLike, today: dt.date) -> QuerySet[Transfer]:
        horizon = today + dt.timedelta(days=int(rule_value("transfer.expiry_warning_days", today)))
        later = Transfer.objects.filter(member=OuterRef("member"), pk__gt=OuterRef("pk"))
        return Transfer.objects.filter(
            _either_side(scope),
            (Q(status=S.ISSUED, valid_until__lte=horizon, to_org__isnull=False))
            | (Q(status=S.EXPIRED) & ~Exists(later)),
        )

    def count_for(self, user: Any, scope: ScopeLike, today: dt.date) -> int:
        return self._due(scope, today).count()

    def items_for(self, user: Any, scope: ScopeLike, today: dt.date) -> Iterator[WorkItem]:
        for t in self._due(scope, today).select_related("member", "to_org")[:200]:
            expired = t.status == S.EXPIRED
            yield WorkItem(
                key=f"{self.key}:{t.pk}:{'expired' if expired else 'soon'}",
                kind="介绍信过期" if expired else "介绍信将到期",
                title=(
                    f"介绍信 {t.serial} 已过期，党员未报到：转出方可重新办理"
                    if expired
                    else f"介绍信 {t.serial} 将到期，党员尚未报到"
                ),
                subject=t.member.name,
                url=_url(t),
                due=t.valid_until,
                overdue=expired or (t.valid_until is not None and t.valid_until < today),
            )


class ReceiptsOverdue:
    """回执逾期: a letter to another system whose 回执 has not come back in time."""

    key = "transfers.receipt_overdue"
    label = "介绍信回执逾期未收回"

    def _due(self, scope: ScopeLike, today: dt.date) -> QuerySet[Transfer]:
        days = int(rule_value("transfer.receipt_overdue_days", today))
        return Transfer.objects.filter(
            any_subtree_q("from_org__path", scope.paths(Ability.EDIT_MEMBERS)),
            status=S.ISSUED,
            to_org__isnull=True,
            issue_date__lt=today - dt.timedelta(days=days),
        )

    def count_for(self, user: Any, scope: ScopeLike, today: dt.date) -> int:
        return self._due(scope, today).count()

    def items_for(self, user: Any, scope: ScopeLike, today: dt.date) -> Iterator[WorkItem]:
        days = int(rule_value("transfer.receipt_overdue_days", today))
        for t in self._due(scope, today).select_related("member")[:200]:
            due = t.issue_date + dt.timedelta(days=days) if t.issue_date else None
            yield WorkItem(
                key=f"{self.key}:{t.pk}",
                kind="回执逾期",
                title=f"转往{t.to_org_text}的介绍信 {t.serial} 回执未收回",
                subject=t.member.name,
                url=_url(t),
                due=due,
                overdue=True,
            )
