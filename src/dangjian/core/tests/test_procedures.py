"""The procedure engine (core.procedures) on a small 公示 procedure: a branch publishes, the
township's 基层党委 approves once five working days of 公示 are over, within 30 days."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.db import models

from dangjian.accounts.abilities import Ability
from dangjian.accounts.models import Role
from dangjian.accounts.services import grant_role
from dangjian.audit.actions import register_action
from dangjian.audit.models import AuditEvent
from dangjian.core import procedures
from dangjian.core.exceptions import ConcurrentEditError
from dangjian.core.models import ProcedureStep, RuleValue, StepsAreAppendOnly
from dangjian.core.procedures import (
    START,
    NeedsConfirmation,
    Period,
    Procedure,
    Rule,
    Step,
    StepRefused,
    Who,
    allowed_steps,
    state_of,
    steps_available,
    take_step,
    void_step,
)
from dangjian.orgs.models import Organization

PUBLISH = register_action("tests.publicity_step", "测试公示程序")

SEP_29 = dt.date(2026, 9, 29)  # a Tuesday; 10-01..10-07 are the National Day holiday
LAST_DAY = dt.date(2026, 10, 10)  # 9-29, 9-30, 10-08, 10-09, 10-10 (a 调休 Saturday)


class Publicity(models.TextChoices):
    PUBLISHED = "published", "公示中"
    APPROVED = "approved", "已批准"
    REJECTED = "rejected", "未批准"


def _max_one_rejection(check: procedures.Check) -> str | None:
    if check.data.get("objections", 0) > 0:
        return "公示期间有反映问题，一般应先核实再审批"
    return None


PUBLISHER = Who(Ability.EDIT_MEMBERS, node=lambda org: org)
APPROVER = Who(Ability.APPROVE_RECRUITMENT, node=lambda org: Organization.objects.get_parent(org))
PUBLICITY = Procedure(
    name="test_publicity",
    label="公示（测试）",
    model=Organization,
    states=Publicity,
    audit_action=PUBLISH.name,
    steps=(
        Step("publish", "发布公示", (START,), Publicity.PUBLISHED, who=PUBLISHER, voidable=True),
        Step(
            "approve",
            "审批",
            (Publicity.PUBLISHED,),
            Publicity.APPROVED,
            who=APPROVER,
            rules=(Rule("公示反映问题", _max_one_rejection, soft=True),),
            waits=Period("公示期", after="publish", rule="test.publicity_days", working=True),
            due=Period("审批期限", after="publish", rule="test.approve_days"),
        ),
        Step("reject", "不予批准", (Publicity.PUBLISHED,), Publicity.REJECTED, who=APPROVER),
        Step("file", "归档", (Publicity.APPROVED,), Publicity.APPROVED, who=APPROVER,
             documents=("公示结果报告",)),
    ),
)  # fmt: skip


@pytest.fixture
def rules(db: Any) -> None:
    for key, value, description in (
        ("test.publicity_days", 5, "公示五个工作日"),
        ("test.approve_days", 30, "公示发布后三十日内审批"),
    ):
        RuleValue.objects.create(
            key=key,
            value=Decimal(value),
            effective_from=dt.date(2014, 6, 10),
            source="《中国共产党发展党员工作细则》第二十三条（测试）",
            description=description,
        )


@pytest.fixture
def approver(cast: Any) -> Any:
    user = get_user_model().objects.create_user("partycomm", first_name="城关镇党委")
    grant_role(actor=None, user=user, role=Role.PARTY_COMMITTEE, org=cast.township, bootstrap=True)
    return user


def publish(cast: Any, on: dt.date = SEP_29) -> ProcedureStep:
    return take_step(
        actor=cast.secretary, definition=PUBLICITY, record=cast.branch, step="publish",
        effective_date=on,
    )  # fmt: skip


def approve(user: Any, cast: Any, on: dt.date, **kwargs: Any) -> ProcedureStep:
    return take_step(
        actor=user, definition=PUBLICITY, record=cast.branch, step="approve", effective_date=on,
        **kwargs,
    )  # fmt: skip


def test_step_is_refused_for_a_user_without_the_ability(cast: Any, rules: None) -> None:
    with pytest.raises(StepRefused, match="您在「东街社区党支部」没有「维护党员信息」的权限"):
        take_step(actor=cast.outsider, definition=PUBLICITY, record=cast.branch, step="publish")
    publish(cast)
    # The secretary keeps the branch's registers but does not approve: that is the 党委's.
    with pytest.raises(StepRefused, match="在「中共城关镇委员会」没有「审批发展党员」的权限"):
        approve(cast.secretary, cast, LAST_DAY + dt.timedelta(days=1))
    assert state_of(PUBLICITY, cast.branch) == Publicity.PUBLISHED


def test_approval_waits_until_the_last_day_of_publicity_is_over(
    cast: Any, rules: None, approver: Any
) -> None:
    publish(cast)
    with pytest.raises(StepRefused, match=r"公示期至 2026-10-10 届满.*第二十三条"):
        approve(approver, cast, LAST_DAY)
    approve(approver, cast, LAST_DAY + dt.timedelta(days=1))
    assert state_of(PUBLICITY, cast.branch) == Publicity.APPROVED


def test_publicity_length_is_the_rule_value_in_force(cast: Any, rules: None, approver: Any) -> None:
    RuleValue.objects.create(
        key="test.publicity_days", value=Decimal(3), effective_from=SEP_29, source="新规（测试）"
    )
    publish(cast)
    approve(approver, cast, dt.date(2026, 10, 9))  # 9-29, 9-30, 10-08 are the three days


def test_late_approval_warns_and_is_recorded_after_confirmation(
    cast: Any, rules: None, approver: Any
) -> None:
    publish(cast)
    due = SEP_29 + dt.timedelta(days=30)
    with pytest.raises(NeedsConfirmation, match="审批期限已于 2026-10-29 届满"):
        approve(approver, cast, due + dt.timedelta(days=1))
    taken = approve(approver, cast, due + dt.timedelta(days=1), confirmed=True)
    assert taken.due_date == due and "逾期" in taken.data["warnings"][0]


def test_approval_on_the_due_day_is_not_late(cast: Any, rules: None, approver: Any) -> None:
    publish(cast)
    taken = approve(approver, cast, SEP_29 + dt.timedelta(days=30))
    assert "warnings" not in taken.data


def test_soft_rule_asks_for_confirmation(cast: Any, rules: None, approver: Any) -> None:
    publish(cast)
    with pytest.raises(NeedsConfirmation, match="一般应先核实"):
        approve(approver, cast, dt.date(2026, 10, 12), data={"objections": 1})
    assert approve(approver, cast, dt.date(2026, 10, 12), data={"objections": 1}, confirmed=True)


def test_state_is_derived_from_steps_not_voided(cast: Any, rules: None, approver: Any) -> None:
    first = publish(cast)
    void_step(actor=cast.secretary, definition=PUBLICITY, record=cast.branch, reason="日期填错")
    assert state_of(PUBLICITY, cast.branch) == START
    publish(cast, on=dt.date(2026, 9, 30))
    approve(approver, cast, dt.date(2026, 10, 13))
    first.refresh_from_db()
    assert first.voided_at is not None and first.void_reason == "日期填错"
    assert state_of(PUBLICITY, cast.branch) == Publicity.APPROVED
    with pytest.raises(StepRefused, match="「审批」这一步骤不能作废"):
        void_step(actor=approver, definition=PUBLICITY, record=cast.branch, reason="x")


def test_steps_are_append_only(cast: Any, rules: None) -> None:
    step = publish(cast)
    with pytest.raises(StepsAreAppendOnly):
        ProcedureStep.objects.filter(pk=step.pk).update(step="approve")
    with pytest.raises(StepsAreAppendOnly):
        step.delete()


def test_each_step_is_audited_and_a_failing_step_writes_nothing(cast: Any, rules: None) -> None:
    def boom(record: Any) -> None:
        raise StepRefused("办理时出错")

    with pytest.raises(StepRefused):
        take_step(actor=cast.secretary, definition=PUBLICITY, record=cast.branch,
                  step="publish", perform=boom)  # fmt: skip
    assert not ProcedureStep.objects.exists()
    publish(cast)
    entry = AuditEvent.objects.filter(target_id=str(cast.branch.pk)).latest("at")
    assert (entry.action, entry.detail["step"]) == (PUBLISH.name, "发布公示")
    assert entry.detail["state"] == "未开始 → 公示中" and entry.actor == cast.secretary


def test_available_steps_depend_on_the_user_and_the_day(
    cast: Any, rules: None, approver: Any
) -> None:
    assert allowed_steps(cast.secretary, cast.branch, PUBLICITY) == {"publish"}
    assert steps_available(cast.outsider, cast.branch, PUBLICITY) == []
    publish(cast)
    assert steps_available(cast.secretary, cast.branch, PUBLICITY) == []
    early = {o.name: o for o in steps_available(approver, cast.branch, PUBLICITY, on=LAST_DAY)}
    assert not early["approve"].allowed and "2026-10-10 届满" in early["approve"].reason
    assert early["reject"].allowed and early["approve"].due == dt.date(2026, 10, 29)
    later = steps_available(approver, cast.branch, PUBLICITY, on=dt.date(2026, 10, 11))
    assert [o.name for o in later if o.allowed] == ["approve", "reject"]


def test_documents_a_step_needs_are_checked_through_the_hook(
    cast: Any, rules: None, approver: Any, monkeypatch: Any
) -> None:
    publish(cast)
    approve(approver, cast, dt.date(2026, 10, 12))
    file = dict(actor=approver, definition=PUBLICITY, record=cast.branch, step="file")
    with pytest.raises(StepRefused, match="归档须先上传：公示结果报告"):
        take_step(**file)
    monkeypatch.setattr(procedures._hooks, "documents", lambda record, kind: True)
    assert take_step(**file).to_state == Publicity.APPROVED


def test_version_check_refuses_a_stale_form(cast: Any, rules: None) -> None:
    versioned = Procedure(
        name="test_versioned", label="测试", model=Organization, states=Publicity,
        audit_action=PUBLISH.name, version_field="version", steps=PUBLICITY.steps,
    )  # fmt: skip
    version = cast.branch.version
    with pytest.raises(ConcurrentEditError):
        take_step(actor=cast.secretary, definition=versioned, record=cast.branch,
                  step="publish", expected_version=version + 1)  # fmt: skip
    take_step(actor=cast.secretary, definition=versioned, record=cast.branch, step="publish",
              expected_version=version)  # fmt: skip
    assert cast.branch.version == version + 1  # the caller's instance sees the bump


# --- periods in months, and steps that stay ----------------------------------------------------

YEARLY = Procedure(
    name="test_training",
    label="培养考察（测试）",
    model=Organization,
    states=Publicity,
    audit_action=PUBLISH.name,
    steps=(
        Step("start", "开始考察", (START,), Publicity.PUBLISHED, who=PUBLISHER),
        Step("note", "考察记录", (Publicity.PUBLISHED,), procedures.STAY, who=PUBLISHER,
             due=Period("考察期限", after="start", rule="test.review_months")),
        Step("finish", "考察期满", (Publicity.PUBLISHED,), Publicity.APPROVED, who=PUBLISHER,
             waits=Period("考察期", after="start", rule="test.training_months")),
    ),
)  # fmt: skip


def _months_rule(key: str, value: int, start: dt.date, source: str = "细则（测试）") -> None:
    RuleValue.objects.create(
        key=key, value=Decimal(value), unit="月", effective_from=start, source=source,
        description=f"{value}个月",
    )  # fmt: skip


@pytest.fixture
def month_rules(db: Any) -> None:
    _months_rule("test.training_months", 12, dt.date(2014, 6, 10))
    _months_rule("test.review_months", 1, dt.date(2014, 6, 10))


def _yearly(cast: Any, step: str, on: dt.date, record: Any = None) -> ProcedureStep:
    return take_step(actor=cast.county_admin, definition=YEARLY, record=record or cast.branch,
                     step=step, effective_date=on)  # fmt: skip


def test_a_period_in_months_may_be_waited_out_on_the_anniversary(
    cast: Any, month_rules: None
) -> None:
    _yearly(cast, "start", dt.date(2025, 3, 1))
    with pytest.raises(StepRefused, match=r"考察期至 2026-02-28 届满.*2026-03-01 及以后"):
        _yearly(cast, "finish", dt.date(2026, 2, 28))
    _yearly(cast, "finish", dt.date(2026, 3, 1))  # 满一年 (民法典第二百零二条)


def test_a_month_deadline_ends_on_the_corresponding_day(cast: Any, month_rules: None) -> None:
    _yearly(cast, "start", dt.date(2026, 1, 31))
    # 1-31 + 1 month: February has no 31st, the period ends on its last day
    with pytest.raises(NeedsConfirmation, match="考察期限已于 2026-02-28 届满"):
        _yearly(cast, "note", dt.date(2026, 3, 1))
    assert _yearly(cast, "note", dt.date(2026, 2, 28)).due_date == dt.date(2026, 2, 28)


def test_a_clock_started_under_old_rules_keeps_them(cast: Any, month_rules: None) -> None:
    """A revision in force from 2026-05-01 (18 months) does not lengthen a period that
    started before it; one started after it waits the new length."""
    _months_rule("test.training_months", 18, dt.date(2026, 5, 1), source="修订细则（测试）")
    _yearly(cast, "start", dt.date(2026, 4, 30))
    with pytest.raises(StepRefused, match="2027-04-30 及以后"):
        _yearly(cast, "finish", dt.date(2026, 12, 1))
    _yearly(cast, "start", dt.date(2026, 5, 1), cast.township)
    with pytest.raises(StepRefused, match=r"2027-10-31 届满.*修订细则.*2027-11-01 及以后"):
        _yearly(cast, "finish", dt.date(2027, 10, 31), cast.township)


def test_a_step_that_stays_keeps_the_state_it_was_taken_in(cast: Any, month_rules: None) -> None:
    _yearly(cast, "start", dt.date(2026, 1, 5))
    taken = _yearly(cast, "note", dt.date(2026, 1, 20))
    assert taken.from_state == taken.to_state == Publicity.PUBLISHED
    assert state_of(YEARLY, cast.branch) == Publicity.PUBLISHED
