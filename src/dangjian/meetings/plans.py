"""年度工作计划: an organization's plan of meetings for a year, its items, and the 工作台 item
for those coming due.

A plan item is fulfilled ("已落实") by a meeting linked to it (`Meeting.plan_item`) that is not
cancelled; the meetings' schedule form offers `open_items(org, kind, around)`. Items are
edited and deleted only while not fulfilled; every change bumps the plan's `version`
(乐观锁: a form carries the version it was opened on).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import F, Q, QuerySet
from django.urls import reverse

from dangjian.accounts.abilities import Ability
from dangjian.accounts.scope import scope_for
from dangjian.audit.actions import register_action
from dangjian.audit.services import record_audit
from dangjian.core.actors import actor_user
from dangjian.core.exceptions import ConcurrentEditError, DomainError
from dangjian.core.models import rule_value
from dangjian.core.paths import any_subtree_q
from dangjian.core.workbench import ScopeLike, WorkItem, is_overdue
from dangjian.meetings.cadence import (
    MONTH,
    QUARTER,
    REQUIREMENTS,
    YEAR,
    Period,
    compute_rows,
    rules,
    slots,
)
from dangjian.meetings.models import Meeting, MeetingKind, MeetingPlan, PlanItem
from dangjian.orgs.models import Organization

CREATE_PLAN = register_action("meetings.create_plan", "制定年度工作计划")
CHANGE_PLAN = register_action("meetings.change_plan", "修改年度工作计划")
ORDINALS = "一二三四"
# 组织生活会 is usually held in the fourth quarter (支部工作条例): planned in December.
YEARLY_MONTH = 12


def _require_run(actor: Any, org: Organization) -> None:
    if actor_user(actor) is None:
        return  # the system's own work (demo seeding, commands)
    if not scope_for(actor).can(Ability.RUN_MEETINGS, org.path):
        raise DomainError("您没有组织该组织会议和组织生活的权限。")


def taken_q() -> Q:
    """Items fulfilled by a meeting that was not cancelled."""
    return Q(meeting__isnull=False) & ~Q(meeting__status=Meeting.Status.CANCELLED)


def is_taken(item: PlanItem) -> bool:
    meeting = getattr(item, "meeting", None)
    return meeting is not None and meeting.status != Meeting.Status.CANCELLED


def plan_of(org: Organization, year: int) -> MeetingPlan | None:
    return MeetingPlan.objects.filter(org=org, year=year).first()


def _check_year(year: int) -> None:
    if not 2000 <= year <= 2100:
        raise DomainError("年度应在 2000 至 2100 年之间。", field="year")


def create_plan(
    *, actor: Any, org: Organization, year: int, generate: bool = False, day: int = 15
) -> MeetingPlan:
    """制定年度工作计划 (optionally 按规定频次生成 its items on day `day` of the month)."""
    _require_run(actor, org)
    _check_year(year)
    try:
        with transaction.atomic():
            plan = MeetingPlan.objects.create(org=org, org_path=org.path, year=year)
            added = generate_items(plan, day) if generate else 0
            record_audit(
                CREATE_PLAN,
                actor=actor,
                target=org,
                detail={"年度": year, "按规定频次生成事项": added},
            )
    except IntegrityError as exc:
        raise DomainError(f"{org.name}已有 {year} 年度工作计划。", field="year") from exc
    return plan


@dataclass(frozen=True)
class ItemData:
    kind: str
    due_on: dt.date
    topic: str


def _check_item(plan: MeetingPlan, data: ItemData) -> None:
    if data.kind not in MeetingKind.values:
        raise DomainError("请选择会议类型。", field="kind")
    if data.due_on.year != plan.year:
        raise DomainError(f"计划日期应在 {plan.year} 年内。", field="due_on")
    if not data.topic.strip():
        raise DomainError("请填写主题。", field="topic")


def _bump(plan: MeetingPlan, version: int) -> None:
    if (
        MeetingPlan.objects.filter(pk=plan.pk, version=version).update(version=F("version") + 1)
        != 1
    ):
        raise ConcurrentEditError(f"{plan.year} 年度工作计划")
    plan.version = version + 1


def add_item(*, actor: Any, plan: MeetingPlan, version: int, data: ItemData) -> PlanItem:
    """增加计划事项."""
    _require_run(actor, plan.org)
    _check_item(plan, data)
    with transaction.atomic():
        _bump(plan, version)
        item = PlanItem.objects.create(
            plan=plan, kind=data.kind, due_on=data.due_on, topic=data.topic.strip()
        )
        _audit(actor, plan, "增加", item)
    return item


def update_item(*, actor: Any, item: PlanItem, version: int, data: ItemData) -> PlanItem:
    """修改计划事项 (kind, date, topic) while no meeting fulfils it."""
    plan = item.plan
    _require_run(actor, plan.org)
    _check_item(plan, data)
    if is_taken(item):
        raise DomainError("该计划事项已由会议落实，不能修改。")
    with transaction.atomic():
        _bump(plan, version)
        item.kind, item.due_on, item.topic = data.kind, data.due_on, data.topic.strip()
        item.save(update_fields=["kind", "due_on", "topic"])
        _audit(actor, plan, "修改", item)
    return item


def delete_item(*, actor: Any, item: PlanItem, version: int) -> int:
    """删除计划事项, only while no meeting fulfils it; returns the deleted item's id."""
    plan = item.plan
    _require_run(actor, plan.org)
    if is_taken(item):
        raise DomainError("该计划事项已由会议落实，不能删除。")
    with transaction.atomic():
        _bump(plan, version)
        _audit(actor, plan, "删除", item)
        pk = item.pk
        item.delete()
    return pk


def _audit(actor: Any, plan: MeetingPlan, what: str, item: PlanItem) -> None:
    record_audit(
        CHANGE_PLAN,
        actor=actor,
        target=plan.org,
        detail={
            "年度": plan.year,
            "操作": what,
            "会议类型": item.get_kind_display(),
            "计划日期": item.due_on.isoformat(),
            "主题": item.topic,
        },
    )


def _on_day(year: int, month: int, day: int) -> dt.date:
    return dt.date(year, month, min(day, 28))


def suggested_items(org: Organization, year: int, day: int) -> list[ItemData]:
    """按规定频次生成: one item per month, quarter or year each requirement of the
    organization's kind asks for in `year` (rule values in force then; 支委会 only for the
    months the branch has a committee as the tally counts it), on day `day` (at most 28) —
    quarterly items in the quarter's middle month, yearly ones in December."""
    if not 1 <= day <= 28:
        raise DomainError("日期应为每月 1 至 28 日。", field="day")
    book = rules()
    computed = compute_rows([org], year, book)
    if not computed:
        return []
    row = computed[0]
    found = []
    for req in REQUIREMENTS:
        if org.kind not in req.org_kinds:
            continue
        for s in slots(req, Period(year, YEAR), dt.date(year, 12, 31), book):
            part = s.period
            if req.needs_board and not row.board & part.mask:
                continue
            if req.unit == MONTH:
                due, topic = _on_day(year, part.index, day), f"{part.index}月{req.label}"
            elif req.unit == QUARTER:
                due = _on_day(year, 3 * part.index - 1, day)
                topic = f"第{ORDINALS[part.index - 1]}季度{req.label}"
            else:
                due, topic = _on_day(year, YEARLY_MONTH, day), f"{year}年度{req.label}"
            found.append(ItemData(req.kind, due, topic))
    return sorted(found, key=lambda d: (d.due_on, d.kind))


def generate_items(plan: MeetingPlan, day: int) -> int:
    """Add the suggested items the plan lacks (same kind in the same month); returns how many."""
    have = {(kind, due.month) for kind, due in plan.items.values_list("kind", "due_on")}
    new = [
        PlanItem(plan=plan, kind=d.kind, due_on=d.due_on, topic=d.topic)
        for d in suggested_items(plan.org, plan.year, day)
        if (d.kind, d.due_on.month) not in have
    ]
    PlanItem.objects.bulk_create(new)
    return len(new)


def generate_for_plan(*, actor: Any, plan: MeetingPlan, version: int, day: int) -> int:
    """按规定频次生成 into an existing plan."""
    _require_run(actor, plan.org)
    with transaction.atomic():
        _bump(plan, version)
        added = generate_items(plan, day)
        record_audit(
            CHANGE_PLAN,
            actor=actor,
            target=plan.org,
            detail={"年度": plan.year, "操作": "按规定频次生成", "事项数": added},
        )
    return added


# ---- reading ------------------------------------------------------------------------------------


def open_items(org: Organization, kind: str, around: dt.date, days: int = 45) -> list[PlanItem]:
    """Items of `org`'s plans of `kind` not yet fulfilled, due within `days` of `around`,
    nearest first: what a meeting being scheduled may fulfil."""
    items = PlanItem.objects.filter(
        plan__org=org,
        kind=kind,
        due_on__gte=around - dt.timedelta(days=days),
        due_on__lte=around + dt.timedelta(days=days),
    ).exclude(taken_q())
    return sorted(items, key=lambda i: (abs((i.due_on - around).days), i.due_on, i.pk))


def items_with_meetings(plan: MeetingPlan) -> list[tuple[PlanItem, Meeting | None]]:
    items = plan.items.select_related("meeting").order_by("due_on", "pk")
    return [(i, getattr(i, "meeting", None)) for i in items]


def get_item_for_user(user: Any, pk: Any, ability: str | None = None) -> PlanItem:
    from dangjian.accounts.scope import get_for

    visible = PlanItem.objects.select_related("plan", "plan__org").filter(
        any_subtree_q("plan__org_path", scope_for(user).paths(Ability.VIEW_MEMBERS))
    )
    return get_for(user, ability or Ability.VIEW_MEMBERS, visible, pk, path_of=_item_path)


def _item_path(item: PlanItem) -> str:
    return item.plan.org.path


# ---- 工作台 -------------------------------------------------------------------------------------


class PlanItemsDue:
    """年度计划事项到期: items due within `reminder.plan_item_days` or overdue and not
    fulfilled, for those who run the organization's meetings."""

    key = "meetings.plan_item"
    label = "年度计划事项到期"
    LIMIT = 200

    def _due(self, scope: ScopeLike, today: dt.date) -> QuerySet[PlanItem]:
        days = int(rule_value("reminder.plan_item_days", today))
        return PlanItem.objects.filter(
            any_subtree_q("plan__org_path", scope.paths(Ability.RUN_MEETINGS)),
            due_on__lte=today + dt.timedelta(days=days),
        ).exclude(taken_q())

    def count_for(self, user: Any, scope: ScopeLike, today: dt.date) -> int:
        return self._due(scope, today).count()

    def items_for(self, user: Any, scope: ScopeLike, today: dt.date) -> Iterator[WorkItem]:
        items = self._due(scope, today).select_related("plan__org")
        for item in items.order_by("due_on", "pk")[: self.LIMIT]:
            yield WorkItem(
                key=f"{self.key}:{item.pk}:{item.due_on}",
                kind="年度计划",
                title=f"按计划召开{item.get_kind_display()}：{item.topic}",
                subject=item.plan.org.name,
                url=reverse("meetings:plan", args=[item.plan.org_id]) + f"?year={item.plan.year}",
                due=item.due_on,
                overdue=is_overdue(item.due_on, today),
            )
