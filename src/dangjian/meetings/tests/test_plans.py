"""年度工作计划: creation 按规定频次, edits while unfulfilled, open items, the 工作台 item."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest

from dangjian.accounts.models import Role
from dangjian.accounts.scope import scope_for
from dangjian.accounts.services import grant_role
from dangjian.conftest import _user
from dangjian.core.exceptions import ConcurrentEditError, DomainError
from dangjian.core.models import RuleValue
from dangjian.meetings.models import Meeting, MeetingKind, PlanItem
from dangjian.meetings.plans import (
    ItemData,
    PlanItemsDue,
    add_item,
    create_plan,
    delete_item,
    open_items,
    update_item,
)

K = MeetingKind


def test_generated_plan_follows_the_rules(cast: Any) -> None:
    plan = create_plan(actor=cast.secretary, org=cast.branch, year=2026, generate=True, day=20)
    kinds = list(plan.items.values_list("kind", flat=True))
    # one member: no committee, so no 支委会
    assert (kinds.count(K.THEME_DAY), kinds.count(K.GENERAL), kinds.count(K.LECTURE)) == (12, 4, 4)
    assert kinds.count(K.LIFE) == 1 and K.COMMITTEE not in kinds
    assert plan.items.get(kind=K.LIFE).due_on == dt.date(2026, 12, 20)
    assert plan.items.get(kind=K.GENERAL, topic="第三季度支部党员大会").due_on == dt.date(
        2026, 8, 20
    )


def test_generation_reads_the_rule_in_force(cast: Any) -> None:
    RuleValue.objects.create(key="cadence.lecture_per_quarter", value=Decimal(0),
                             effective_from=dt.date(2026, 7, 1), source="测试")  # fmt: skip
    plan = create_plan(actor=cast.secretary, org=cast.branch, year=2026, generate=True)
    assert plan.items.filter(kind=K.LECTURE).count() == 2


def test_one_plan_per_year_and_outsiders_refused(cast: Any) -> None:
    create_plan(actor=cast.secretary, org=cast.branch, year=2026)
    with pytest.raises(DomainError, match="已有 2026 年度工作计划"):
        create_plan(actor=cast.secretary, org=cast.branch, year=2026)
    with pytest.raises(DomainError, match="权限"):
        create_plan(actor=cast.outsider, org=cast.branch, year=2027)


def _plan_with_item(cast: Any, due: dt.date = dt.date(2026, 9, 10)) -> tuple[Any, PlanItem]:
    plan = create_plan(actor=cast.secretary, org=cast.branch, year=due.year)
    item = add_item(actor=cast.secretary, plan=plan, version=plan.version,
                    data=ItemData(K.THEME_DAY, due, "九月主题党日"))  # fmt: skip
    return plan, item


def test_items_are_edited_with_the_version_and_not_once_fulfilled(cast: Any) -> None:
    _, item = _plan_with_item(cast)
    with pytest.raises(ConcurrentEditError):
        update_item(actor=cast.secretary, item=item, version=1,
                    data=ItemData(K.THEME_DAY, dt.date(2026, 9, 12), "改期"))  # fmt: skip
    update_item(actor=cast.secretary, item=item, version=2,
                data=ItemData(K.THEME_DAY, dt.date(2026, 9, 12), "改期"))  # fmt: skip
    with pytest.raises(DomainError, match="计划日期应在 2026 年内"):
        update_item(actor=cast.secretary, item=item, version=3,
                    data=ItemData(K.THEME_DAY, dt.date(2027, 1, 2), "跨年"))  # fmt: skip
    Meeting.objects.create(org=cast.branch, org_path=cast.branch.path, kind=K.THEME_DAY,
                           title="九月主题党日", date=dt.date(2026, 9, 12), plan_item=item,
                           status=Meeting.Status.HELD)  # fmt: skip
    item.refresh_from_db()
    with pytest.raises(DomainError, match="已由会议落实"):
        delete_item(actor=cast.secretary, item=item, version=3)


def test_open_items_offers_the_nearest_unfulfilled(cast: Any) -> None:
    _, item = _plan_with_item(cast)
    assert open_items(cast.branch, K.THEME_DAY, dt.date(2026, 9, 1)) == [item]
    assert open_items(cast.branch, K.GENERAL, dt.date(2026, 9, 1)) == []
    Meeting.objects.create(org=cast.branch, org_path=cast.branch.path, kind=K.THEME_DAY,
                           title="x", date=dt.date(2026, 9, 12), plan_item=item,
                           status=Meeting.Status.CANCELLED)  # fmt: skip
    assert open_items(cast.branch, K.THEME_DAY, dt.date(2026, 9, 1)) == [item]  # cancelled


def _on_bench(user: Any, day: dt.date) -> list[Any]:
    return list(PlanItemsDue().items_for(user, scope_for(user), day))


@pytest.mark.parametrize(
    ("day", "shown", "overdue"),
    [
        (dt.date(2026, 9, 2), False, False),  # 8 days before: not yet
        (dt.date(2026, 9, 3), True, False),  # reminder.plan_item_days = 7
        (dt.date(2026, 9, 9), True, False),  # the day before
        (dt.date(2026, 9, 10), True, False),  # its due date: 今天到期
        (dt.date(2026, 9, 11), True, True),  # overdue
    ],
)
def test_plan_items_on_the_workbench(cast: Any, day: dt.date, shown: bool, overdue: bool) -> None:
    _plan_with_item(cast)
    items = _on_bench(cast.secretary, day)
    assert bool(items) == shown
    if shown:
        assert items[0].overdue == overdue and items[0].subject == "东街社区党支部"
        assert PlanItemsDue().count_for(cast.secretary, scope_for(cast.secretary), day) == 1


def test_fulfilled_items_leave_the_workbench_and_approvers_never_see_them(cast: Any) -> None:
    _, item = _plan_with_item(cast)
    dangwei = _user("dangwei")
    grant_role(actor=None, user=dangwei, role=Role.PARTY_COMMITTEE, org=cast.township,
               bootstrap=True)  # fmt: skip
    assert _on_bench(dangwei, dt.date(2026, 9, 10)) == []
    Meeting.objects.create(org=cast.branch, org_path=cast.branch.path, kind=K.THEME_DAY,
                           title="x", date=dt.date(2026, 9, 10), plan_item=item,
                           status=Meeting.Status.HELD)  # fmt: skip
    assert _on_bench(cast.secretary, dt.date(2026, 9, 10)) == []


def test_secretary_creates_and_edits_the_plan_on_the_page(cast: Any) -> None:
    client = cast.client(cast.secretary)
    url = f"/meetings/plans/{cast.branch.pk}/"
    response = client.post(url + "create/", {"year": 2026, "generate": "on", "day": 15})
    assert response.status_code == 302
    page = client.get(url + "?year=2026").content.decode()
    assert "第一季度支部党员大会" in page and "未落实" in page
    item = PlanItem.objects.filter(kind=K.THEME_DAY).first()
    assert item is not None
    client.post(f"/meetings/plans/items/{item.pk}/delete/", {"version": 1})
    assert not PlanItem.objects.filter(pk=item.pk).exists()
    data = {"version": 2, "kind": K.LECTURE, "due_on": "2026-05-01", "topic": ""}
    bad = client.post(url + "items/add/?year=2026", data)
    assert bad.status_code == 400 and "主题" in bad.content.decode()


def test_viewers_see_the_plan_without_forms(cast: Any) -> None:
    create_plan(actor=cast.secretary, org=cast.branch, year=2026, generate=True)
    dangwei = _user("dangwei")
    grant_role(actor=None, user=dangwei, role=Role.PARTY_COMMITTEE, org=cast.township,
               bootstrap=True)  # fmt: skip
    page = cast.client(dangwei).get(f"/meetings/plans/{cast.branch.pk}/?year=2026")
    assert "主题党日" in page.content.decode() and "增加计划事项" not in page.content.decode()
