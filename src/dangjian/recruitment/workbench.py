"""工作台 items of 发展党员: what the branch must do soon (谈话, 思想汇报, 考察, 宣誓, 预备期满 …
within `reminder.recruitment_days` or overdue), what awaits the 党委 (备案, 预审, 谈话, 审批, with
an overdue 审批 flagged), and the 思想汇报 and 考察 due of the people a 培养联系人 looks after.
Each count is one query on the file's copies (`status`, `due_on`, `due_label`); the daily
reminder run (`accounts.reminders`) turns the items into notifications. Registered in
RecruitmentConfig.ready()."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

from django.db.models import QuerySet
from django.urls import reverse

from dangjian.accounts.abilities import Ability
from dangjian.core.workbench import ScopeLike, WorkItem
from dangjian.recruitment.deadlines import MAY_NOW
from dangjian.recruitment.models import Applicant
from dangjian.recruitment.worklists import (
    approval_dues,
    awaiting_committee,
    branch_due,
    committee_action,
    contact_due,
    status_label,
)

LIMIT = 200


def _due_item(key: str, kind: str, a: Applicant, today: dt.date) -> WorkItem:
    may_now = a.due_label in MAY_NOW
    title = f"{a.due_label}（{status_label(a.status)}）"
    if may_now:
        title = f"{a.due_on:%Y-%m-%d} 起{a.due_label}（{status_label(a.status)}）"
    return WorkItem(
        key=f"{key}:{a.pk}:{a.due_on:%Y-%m-%d}",
        kind=kind,
        title=title,
        subject=f"{a.name}（{a.org.name}）",
        url=reverse("recruitment:detail", args=[a.pk]),
        due=None if may_now else a.due_on,
        overdue=not may_now and a.due_on is not None and a.due_on < today,
    )


class BranchDue:
    """For those who keep the branch's files (维护党员信息)."""

    key = "recruitment.due"
    label = "发展党员事项到期"

    def _due(self, scope: ScopeLike, today: dt.date) -> QuerySet[Applicant]:
        return branch_due(scope.paths(Ability.EDIT_MEMBERS), today)

    def count_for(self, user: Any, scope: ScopeLike, today: dt.date) -> int:
        return self._due(scope, today).count()

    def items_for(self, user: Any, scope: ScopeLike, today: dt.date) -> Iterator[WorkItem]:
        for a in self._due(scope, today).select_related("org").order_by("due_on")[:LIMIT]:
            yield _due_item(self.key, "发展党员", a, today)


class CommitteeAwaits:
    """For the 基层党委 (审批发展党员): 备案, 预审, 谈话 and 审批 it may take now."""

    key = "recruitment.committee"
    label = "发展党员待党委办理"

    def _due(self, scope: ScopeLike) -> QuerySet[Applicant]:
        return awaiting_committee(scope.paths(Ability.APPROVE_RECRUITMENT))

    def count_for(self, user: Any, scope: ScopeLike, today: dt.date) -> int:
        paths = scope.paths(Ability.APPROVE_RECRUITMENT)
        return self._due(scope).count() if paths else 0

    def items_for(self, user: Any, scope: ScopeLike, today: dt.date) -> Iterator[WorkItem]:
        if not scope.paths(Ability.APPROVE_RECRUITMENT):
            return
        found = list(self._due(scope).select_related("org").order_by("status_at", "id")[:LIMIT])
        dues = approval_dues(found)
        for a in found:
            action, due = committee_action(a), dues.get(a.pk)
            yield WorkItem(
                key=f"{self.key}:{a.pk}:{a.status}:{action}",
                kind="发展党员",
                title=f"{action}（{status_label(a.status)}）",
                subject=f"{a.name}（{a.org.name}）",
                url=reverse("recruitment:detail", args=[a.pk]),
                due=due,
                overdue=due is not None and due < today,
            )


class ContactDue:
    """For a 培养联系人 with a login: 思想汇报 and 考察 due of the people they look after."""

    key = "recruitment.contact"
    label = "培养联系人：思想汇报和考察"

    def count_for(self, user: Any, scope: ScopeLike, today: dt.date) -> int:
        if scope.own_member_id is None:
            return 0
        return contact_due(scope.own_member_id, today).count()

    def items_for(self, user: Any, scope: ScopeLike, today: dt.date) -> Iterator[WorkItem]:
        if scope.own_member_id is None:
            return
        found = contact_due(scope.own_member_id, today).select_related("org").order_by("due_on")
        for a in found[:LIMIT]:
            yield _due_item(self.key, "培养联系人", a, today)


PROVIDERS = (BranchDue(), CommitteeAwaits(), ContactDue())
