"""Work lists of 发展党员: the reads behind the 工作清单 page, the 工作台 providers and the API's
filters. Everything here reads the copies the steps write on the file (`status`, `due_on`,
`due_label`) and the steps table through `Exists` subqueries, so a count is one query.

- `STAGES`: the five stages of the 细则 and the states each covers;
- `selectors.managed_files(user)` (used here): the files of the branches and committees the
  user sees as a manager (not the ones they see as 培养联系人 or as the applicant);
- `due_within(qs, today)`: what is due in the reminder window (`reminder.recruitment_days`) or
  overdue;
- `awaiting_committee(paths)`: what awaits the 党委 (备案, 预审, 谈话, 审批), with the action;
- `approval_dues(files)`: the 审批 deadline of files awaiting approval (one query for a page).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from dateutil.relativedelta import relativedelta
from django.db.models import Count, Exists, OuterRef, Q, QuerySet, Subquery

from dangjian.core.models import ProcedureStep, RuleBook
from dangjian.core.paths import any_subtree_q
from dangjian.core.workbench import window
from dangjian.recruitment.deadlines import DUE_STEPS, PROBATION_END
from dangjian.recruitment.models import Applicant, Stage
from dangjian.recruitment.procedures import APPROVAL_MONTHS, RECRUITMENT

S = Applicant.Status
REMINDER_DAYS = "reminder.recruitment_days"

# The five stages (细则 第二章至第六章) and the states of each; 支部委员会审查 opens stage D.
STAGES: dict[str, tuple[str, ...]] = {
    Stage.APPLY: (S.APPLIED, S.TALKED),
    Stage.ACTIVIST: (S.ACTIVIST,),
    Stage.CANDIDATE: (S.CANDIDATE,),
    Stage.ADMISSION: (
        S.REVIEWED,
        S.PRE_APPROVED,
        S.PUBLICITY,
        S.PUBLICIZED,
        S.FORM,
        S.VOTING,
        S.VOTED,
    ),
    Stage.PROBATION: (
        S.PROBATIONARY,
        S.CONVERSION_VOTING,
        S.TO_CONVERT,
        S.TO_EXTEND,
        S.TO_CANCEL,
        S.FULL,
    ),
}
ENDED = (S.ARCHIVED, S.CANCELLED, S.CLOSED)
STAGE_OF = {status: stage for stage, states in STAGES.items() for status in states}

# What the 党委 does in each state it acts on (the committee steps leaving it).
COMMITTEE_STATES: dict[str, str] = {
    S.REVIEWED: "预审",
    S.VOTED: "审批",
    S.TO_CONVERT: "审批转正",
    S.TO_EXTEND: "审批延长预备期",
    S.TO_CANCEL: "审批取消预备党员资格",
}
# 备案 the 党委 still owes: (state, its 备案 step, the step that started it, the action's name).
FILINGS = (
    (S.ACTIVIST, "file_activist", "confirm_activist", "入党积极分子备案"),
    (S.CANDIDATE, "file_candidate", "confirm_candidate", "发展对象备案"),
    (S.PROBATIONARY, "file_upper", "approve", "报再上一级党委备案"),
)
# The deadlines the 党委 meets (the branch's lists leave them to it).
COMMITTEE_DUES = frozenset(
    DUE_STEPS[s] for s in ("approve", "approve_convert", "approve_extend", "approve_cancel")
)
# The step whose date starts the 审批 clock, per state awaiting approval.
APPROVAL_CLOCK: dict[str, str] = {
    S.VOTED: "approve",
    S.TO_CONVERT: "approve_convert",
    S.TO_EXTEND: "approve_extend",
    S.TO_CANCEL: "approve_cancel",
}


def status_label(status: str) -> str:
    """The state's Chinese name (the status copy has no choices of its own)."""
    return RECRUITMENT.state_label(status)


def stage_label(status: str) -> str:
    stage = STAGE_OF.get(status)
    return str(Stage(stage).label) if stage else "已结束"


def in_stage(qs: QuerySet[Applicant], stage: str) -> QuerySet[Applicant]:
    if stage == "ended":
        return qs.filter(status__in=ENDED)
    return qs.filter(status__in=STAGES.get(stage, ()))


@dataclass(frozen=True)
class StageCount:
    stage: str  # Stage value, or "ended"
    label: str
    count: int


def stage_counts(qs: QuerySet[Applicant]) -> list[StageCount]:
    """Files per stage (and those ended), one GROUP BY on the status copy."""
    by_status = dict(qs.order_by().values_list("status").annotate(n=Count("id")))
    found = [
        StageCount(stage.value, stage.label, sum(by_status.get(s, 0) for s in STAGES[stage]))
        for stage in Stage
    ]
    found.append(StageCount("ended", "已结束", sum(by_status.get(s, 0) for s in ENDED)))
    return found


def due_within(qs: QuerySet[Applicant], today: dt.date) -> QuerySet[Applicant]:
    """Files whose next thing is due within the reminder window, or overdue."""
    return qs.filter(due_on__lte=window(REMINDER_DAYS, today)).exclude(status__in=ENDED)


def branch_due(paths: tuple[str, ...], today: dt.date) -> QuerySet[Applicant]:
    """What the branches under `paths` must do soon: the 党委's own 审批 deadlines left out, and
    预备期满, which the register's 工作台 item (members.probation) already reminds of."""
    qs = Applicant.objects.filter(any_subtree_q("org_path", paths))
    return due_within(qs, today).exclude(due_label__in=[*COMMITTEE_DUES, PROBATION_END])


def contact_due(member_id: int | None, today: dt.date) -> QuerySet[Applicant]:
    """The 思想汇报 and 考察 due of the people a member is 培养联系人 for."""
    if member_id is None:
        return Applicant.objects.none()
    labels = ("思想汇报", "培养考察", "预备党员考察")
    qs = Applicant.objects.filter(contacts__id=member_id, due_label__in=labels)
    return due_within(qs, today)


def _steps(step: str) -> QuerySet[ProcedureStep]:
    return ProcedureStep.objects.filter(
        procedure=RECRUITMENT.name, step=step, voided_at__isnull=True
    )


def _done_since(step: str, start: str) -> Exists:
    """Whether `step` was taken after the latest `start` on the file (a 备案 of this case, not
    of an earlier one ended and reopened)."""
    latest = _steps(start).filter(target_id=OuterRef(OuterRef("pk"))).order_by("-id")
    return Exists(
        _steps(step).filter(target_id=OuterRef("pk"), id__gt=Subquery(latest.values("id")[:1]))
    )


def awaiting_committee(paths: tuple[str, ...]) -> QuerySet[Applicant]:
    """Files under `paths` where the 党委 may act now: 备案 owed, 预审, 谈话 and 审批.
    One query (the 备案 and 谈话 checks are `Exists` on the steps)."""
    annotations = {f"filed_{state}": _done_since(step, start) for state, step, start, _ in FILINGS}
    annotations["talked"] = _done_since("committee_talk", "admit")
    wanted = Q(status__in=list(COMMITTEE_STATES))
    for state, _, _, _ in FILINGS:
        wanted |= Q(status=state, **{f"filed_{state}": False})
    qs = Applicant.objects.filter(any_subtree_q("org_path", paths)).annotate(**annotations)
    return qs.filter(wanted)


def committee_action(applicant: Any) -> str:
    """The action a file from `awaiting_committee` waits for (its annotations read)."""
    if applicant.status == S.VOTED:
        return "审批" if applicant.talked else "谈话（审批前）"
    if applicant.status in COMMITTEE_STATES:
        return COMMITTEE_STATES[applicant.status]
    return next((label for state, _, _, label in FILINGS if state == applicant.status), "")


def approval_dues(files: Iterable[Applicant]) -> dict[int, dt.date]:
    """File id → the last day of its 审批期限 (three months after the 支部党员大会's decision,
    the rule in force on that day), for files awaiting approval: one query for all."""
    waiting: dict[int, str] = {a.pk: a.status for a in files if a.status in APPROVAL_CLOCK}
    if not waiting:
        return {}
    starts = {RECRUITMENT.step(s).due.after for s in APPROVAL_CLOCK.values()}  # type: ignore[union-attr]
    rows = (
        ProcedureStep.objects.filter(
            procedure=RECRUITMENT.name,
            target_id__in=waiting,
            step__in=starts,
            voided_at__isnull=True,
        )
        .order_by("target_id", "id")
        .values_list("target_id", "step", "effective_date")
    )
    book = RuleBook(APPROVAL_MONTHS)
    found: dict[int, dt.date] = {}
    for target, step, on in rows:
        period = RECRUITMENT.step(APPROVAL_CLOCK[waiting[target]]).due
        if period is not None and period.after == step:
            found[target] = _add_months(on, int(book.value(APPROVAL_MONTHS, on)))
    return found


def _add_months(start: dt.date, months: int) -> dt.date:
    return start + relativedelta(months=months)


def search_applicants(qs: QuerySet[Applicant], query: str) -> QuerySet[Applicant]:
    """Search by name, or by pinyin (full, from its start)."""
    q = query.strip()
    if q.isascii() and q.isalpha():
        return qs.filter(name_pinyin__startswith=q.lower())
    return qs.filter(name__contains=q)
