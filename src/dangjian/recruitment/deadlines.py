"""What is due next on a file (谈话, 思想汇报, 考察, 审批 …), copied onto the file after every step
and entry so the work lists and the 工作台 read one indexed column.

`upcoming(applicant)` lists every date the file's state and history call for, each with its
Chinese label; `refresh` stores the earliest in `due_on` / `due_label`. Deadlines of the table
(谈话, 支部党员大会, 审批, 入党宣誓, 转正审批) are read from the steps' own `due` periods, so they
agree with the engine's warnings; the recurring ones (思想汇报, 培养考察, 预备党员考察) count from
the latest entry, or from the day the clock started, with the rule value in force on that day.

"May now" dates (可确定为发展对象, 公示期满) are not deadlines: they are listed until their day
has come and then give way to the next deadline, and are never shown as overdue.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from dangjian.core.dates import today as local_today
from dangjian.core.exceptions import DomainError
from dangjian.core.models import ProcedureStep
from dangjian.core.procedures import steps_of
from dangjian.recruitment.models import Applicant, Assessment
from dangjian.recruitment.procedures import (
    ASSESS_MONTHS,
    PROBATION_REVIEW_MONTHS,
    RECRUITMENT,
    REPORT_MONTHS,
    TRAINING_MONTHS,
    months_after,
)

S = Applicant.Status

# 入党积极分子, 发展对象 and 预备党员 hand in 思想汇报 (every state from 积极分子 to 转正).
REPORTING = (
    S.ACTIVIST, S.CANDIDATE, S.REVIEWED, S.PRE_APPROVED, S.PUBLICITY, S.PUBLICIZED, S.FORM,
    S.VOTING, S.VOTED, S.PROBATIONARY, S.CONVERSION_VOTING, S.TO_CONVERT, S.TO_EXTEND,
    S.TO_CANCEL,
)  # fmt: skip
# The 支部党员大会 is due one month after the 预审 (put_to_vote's period) from the 预审 on.
BEFORE_VOTE = (S.PRE_APPROVED, S.PUBLICITY, S.PUBLICIZED, S.FORM)

# The deadline steps of the table and how the work lists name them.
DUE_STEPS = {
    "talk": "派人谈话",
    "put_to_vote": "召开支部党员大会讨论接收",
    "approve": "上级党委审批",
    "oath": "入党宣誓",
    "approve_convert": "上级党委审批转正",
    "approve_extend": "上级党委审批延长预备期",
    "approve_cancel": "上级党委审批取消预备党员资格",
}
REPORT = "思想汇报"
ASSESS = "培养考察"
PROBATION_ASSESS = "预备党员考察"
MAY_CANDIDATE = "可确定为发展对象"
PUBLICITY_OVER = "公示期满"
PROBATION_END = "预备期满"
# Dates from which something may be done, not by which it must be.
MAY_NOW = frozenset({MAY_CANDIDATE, PUBLICITY_OVER})


@dataclass(frozen=True)
class Due:
    """One thing due on a file: by (or, for `MAY_NOW` labels, from) `on`."""

    on: dt.date
    label: str

    @property
    def may_now(self) -> bool:
        return self.label in MAY_NOW


def is_overdue(applicant: Applicant, today: dt.date) -> bool:
    """Whether the file's next thing is past its day (a "may now" date never is)."""
    due = applicant.due_on
    return due is not None and due < today and applicant.due_label not in MAY_NOW


def upcoming(applicant: Applicant, *, today: dt.date | None = None) -> list[Due]:
    """Every date the file's state calls for now, earliest first."""
    today = today or local_today()
    state = applicant.status
    history = steps_of(RECRUITMENT, applicant)
    found = _table_dues(state, history)
    if state in REPORTING:
        found.extend(_report_due(applicant, history))
    if state == S.ACTIVIST:
        found.extend(_activist_dues(applicant, history, today))
    if state == S.PROBATIONARY:
        found.extend(_probation_dues(applicant, history))
    if state == S.PUBLICITY:
        found.extend(_publicity_over(history, today))
    return sorted(found, key=lambda d: (d.on, d.label))


def refresh(applicant: Applicant, *, today: dt.date | None = None) -> Due | None:
    """Recompute `due_on` and `due_label` (the earliest of `upcoming`) and store them without
    touching the file's version: called after every step (`services.take`), every 思想汇报 and
    考察 entry, and daily for files whose day has passed (`schedules.py`)."""
    dues = upcoming(applicant, today=today)
    first = dues[0] if dues else None
    due_on, label = (first.on, first.label) if first else (None, "")
    if (applicant.due_on, applicant.due_label) != (due_on, label):
        Applicant.objects.filter(pk=applicant.pk).update(due_on=due_on, due_label=label)
        applicant.due_on, applicant.due_label = due_on, label
    return first


def refresh_passed(today: dt.date | None = None) -> int:
    """The daily run: files whose next thing's day has passed are recomputed, so a "may now"
    date gives way to the next deadline and a new cycle (思想汇报, 考察) shows without a step.
    Idempotent; returns how many files changed."""
    today = today or local_today()
    changed = 0
    passed = Applicant.objects.filter(due_on__lt=today).order_by("pk")
    for applicant in passed.iterator(chunk_size=200):
        before = (applicant.due_on, applicant.due_label)
        refresh(applicant, today=today)
        changed += before != (applicant.due_on, applicant.due_label)
    return changed


# --- the parts --------------------------------------------------------------------------------


def _last(history: Sequence[ProcedureStep], step: str) -> ProcedureStep | None:
    return next((s for s in reversed(history) if s.step == step), None)


def _taken_since(history: Sequence[ProcedureStep], step: str, start: str) -> bool:
    """Whether `step` was taken after the latest `start` (a STAY step like 入党宣誓 done)."""
    for s in reversed(history):
        if s.step == step:
            return True
        if s.step == start:
            return False
    return False


def _table_dues(state: str, history: Sequence[ProcedureStep]) -> list[Due]:
    found = []
    for name, label in DUE_STEPS.items():
        step = RECRUITMENT.step(name)
        open_now = state in step.sources or (name == "put_to_vote" and state in BEFORE_VOTE)
        if not open_now or step.due is None:
            continue
        if step.target in step.sources and _taken_since(history, name, step.due.after):
            continue  # a step that leaves the state as it is (入党宣誓) and is done
        last = step.due.last_day(history)
        if last is not None:
            found.append(Due(last[0], label))
    return found


def _report_due(applicant: Applicant, history: Sequence[ProcedureStep]) -> list[Due]:
    latest = applicant.reports.order_by("-submitted_on").values_list("submitted_on", flat=True)
    start = latest.first() or _activist_on(applicant, history)
    return [Due(months_after(start, REPORT_MONTHS), REPORT)] if start else []


def _activist_on(applicant: Applicant, history: Sequence[ProcedureStep]) -> dt.date | None:
    if applicant.activist_on:
        return applicant.activist_on
    step = _last(history, "confirm_activist")
    return step.effective_date if step else None


def _latest_assessment(applicant: Applicant, kind: str) -> dt.date | None:
    rows = applicant.assessments.filter(kind=kind).order_by("-assessed_on")
    return rows.values_list("assessed_on", flat=True).first()


def _activist_dues(
    applicant: Applicant, history: Sequence[ProcedureStep], today: dt.date
) -> list[Due]:
    start = _activist_on(applicant, history)
    if start is None:
        return []
    assessed = _latest_assessment(applicant, Assessment.Kind.ACTIVIST) or start
    found = [Due(months_after(assessed, ASSESS_MONTHS), ASSESS)]
    may = months_after(start, TRAINING_MONTHS)
    if may >= today:
        found.append(Due(may, MAY_CANDIDATE))
    return found


def _probation_dues(applicant: Applicant, history: Sequence[ProcedureStep]) -> list[Due]:
    approved = _last(history, "approve")
    member = applicant.member
    start = approved.effective_date if approved else (member.join_date if member else None)
    found = []
    if start is not None:
        assessed = _latest_assessment(applicant, Assessment.Kind.PROBATION) or start
        found.append(Due(months_after(assessed, PROBATION_REVIEW_MONTHS), PROBATION_ASSESS))
    if member is not None and member.probation_end is not None:
        found.append(Due(member.probation_end, PROBATION_END))
    return found


def _publicity_over(history: Sequence[ProcedureStep], today: dt.date) -> list[Due]:
    waits = RECRUITMENT.step("end_publicity").waits
    try:
        opens = waits.opens_on(history) if waits else None
    except DomainError:  # the working-day calendar of the year is not entered yet
        return []
    return [Due(opens[0], PUBLICITY_OVER)] if opens and opens[0] >= today else []
