"""程序: one table-driven way to write a procedure (a roster import, a transfer, a 公示).

A `Procedure` names its states and its `Step`s (from-states → to-state). Each step says who may
take it (`Who`: an ability on an organization given by the record), the rules it checks
(`Rule`: functions reading versioned `RuleValue`s, returning a Chinese refusal that names the
rule and its article; hard refuse or soft warn), when it is due or may first be taken
(`Period`: N days or working days after an earlier step, N a rule value) and the kinds of
documents it needs. `take_step` checks all of that, runs the step's own work, writes one
append-only `ProcedureStep` and the audit entry in one transaction; the state is derived from
the steps (and copied to the record's status field, for lists, in the same transaction).
`steps_available` tells pages and the API which steps a user may take now, and why not.

`core` sits below `accounts` and `audit`, so the ability check, the audit entry and the
document check are hooks those apps install at start-up (`configure`, called from their
AppConfig.ready): the engine never imports them.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from dateutil.relativedelta import relativedelta
from django.db import models, transaction
from django.utils import timezone

from dangjian.core.actors import Actor, actor_user, as_actor
from dangjian.core.exceptions import ConcurrentEditError, DomainError
from dangjian.core.models import ProcedureStep, RuleValue, rule_in_force
from dangjian.core.workdays import add_working_days

MONTH_UNITS = ("月",)  # a rule value counted in calendar months
START = ""  # the state of a record no step has been taken on yet
START_LABEL = "未开始"
STAY = "="  # a step's target: the record stays in the state the step was taken from


class StepRefused(DomainError):
    """A step may not be taken now: the message says which check refused it, in Chinese."""


class NeedsConfirmation(StepRefused):
    """Only soft rules object (一般不应…): the step may be taken again with `confirmed=True`."""

    def __init__(self, warnings: Sequence[str]) -> None:
        super().__init__("；".join(warnings) + "。确认仍要办理的，请再次提交并确认。")
        self.warnings = tuple(warnings)


# --- the table -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Who:
    """谁可以办理: an ability (`accounts.abilities.Ability`) on the organization `node(record)`
    returns (the record's own organization, its parent committee, the receiving side …)."""

    ability: str
    node: Callable[[Any], Any]  # record → an Organization (anything with .path), or a path


@dataclass(frozen=True)
class Check:
    """What a rule sees: the record (locked), who acts, on which date, and the steps so far."""

    record: Any
    actor: Actor
    step: Step
    on: dt.date  # the step's effective date: rules are read as in force on it
    data: Mapping[str, Any]
    history: Sequence[ProcedureStep]  # steps not voided, oldest first
    # True when the engine only judges whether to offer the step (`steps_available`): no form
    # has been sent, so a rule on the form's own fields waits for it. A step taken is never a
    # preview, whatever data it carries.
    preview: bool = False

    def last(self, step: str) -> ProcedureStep | None:
        return next((s for s in reversed(self.history) if s.step == step), None)

    def rule(self, key: str) -> RuleValue:
        """The rule value in force on the step's date (`.value`, `.source`, `.description`)."""
        return rule_in_force(key, self.on)


@dataclass(frozen=True)
class Rule:
    """规则: `test` returns None when the step may go ahead, else a Chinese sentence naming
    the rule and its article. A soft rule (一般…) warns and asks for confirmation."""

    name: str
    test: Callable[[Check], str | None]
    soft: bool = False


@dataclass(frozen=True)
class Period:
    """期限: `rule` (a RuleValue key: the number of days, or of months when its unit is 月)
    after the effective date of the latest step `after`, read as in force on that date (a case
    begun under old rules finishes under them). Calendar days do not count the start day (X + N,
    as 民法典第二百零一条); working days count it when it is a working day (公示自发布之日起,
    decision 33); months end on the corresponding day (民法典第二百零二条), and a step that
    waits for months may be taken on that day (满一年, as 预备期满之日 in `members.history`)."""

    label: str  # 公示期, 审批期限 …
    after: str
    rule: str
    working: bool = False

    def last_day(self, history: Sequence[ProcedureStep]) -> tuple[dt.date, RuleValue] | None:
        """The period's last day and the rule value it was counted with (None: not started)."""
        start = next((s for s in reversed(history) if s.step == self.after), None)
        if start is None:
            return None
        row = rule_in_force(self.rule, start.effective_date)
        count = int(row.value)
        if row.unit in MONTH_UNITS:
            return start.effective_date + relativedelta(months=count), row
        if self.working:
            return add_working_days(start.effective_date, count), row
        return start.effective_date + dt.timedelta(days=count), row

    def opens_on(self, history: Sequence[ProcedureStep]) -> tuple[dt.date, RuleValue] | None:
        """The first day a step waiting for this period may be taken (None: not started)."""
        found = self.last_day(history)
        if found is None:
            return None
        last, row = found
        return (last if row.unit in MONTH_UNITS else last + dt.timedelta(days=1)), row


@dataclass(frozen=True)
class Step:
    """步骤: from one of `sources` to `target` (`STAY`: to the state it left). `who=None`
    marks the system's own step (the outcome of background work): never offered to users,
    taken only with `system=True`."""

    name: str
    label: str
    sources: tuple[str, ...]
    target: str
    who: Who | None
    rules: tuple[Rule, ...] = ()
    documents: tuple[str, ...] = ()  # kinds of documents the record must have
    due: Period | None = None  # deadline: taking it later is recorded as late, after a warning
    waits: Period | None = None  # may be taken only after this period is over
    voidable: bool = False  # may be voided (作废) by whoever may take it, while it is the last
    audit_action: str = ""  # logged under this action instead of the procedure's


@dataclass(frozen=True)
class Procedure:
    """程序: a table of steps over the states of one model's records."""

    name: str  # stored in ProcedureStep.procedure: never rename
    label: str
    model: type[models.Model]
    states: type[models.TextChoices]
    steps: tuple[Step, ...]
    audit_action: str  # the AuditEvent action its steps are logged under
    state_field: str | None = None  # denormalized copy of the state, written by the engine
    state_at_field: str | None = None  # when the copy last changed
    version_field: str | None = None  # optimistic-lock counter, bumped by each step
    _by_name: dict[str, Step] = field(default_factory=dict, init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        for step in self.steps:
            self._by_name[step.name] = step
        if len(self._by_name) != len(self.steps):
            raise ValueError(f"procedure {self.name}: step names repeat")

    def step(self, name: str) -> Step:
        try:
            return self._by_name[name]
        except KeyError:
            raise ValueError(f"procedure {self.name} has no step {name!r}") from None

    def state_label(self, state: str) -> str:
        if state == START:
            return START_LABEL
        try:
            return str(self.states(state).label)
        except ValueError:
            return state

    def step_label(self, name: str) -> str:
        return self._by_name[name].label if name in self._by_name else name

    def by_person(self, name: str) -> bool:
        """Whether a person takes this step (False: the outcome of the system's own work)."""
        found = self._by_name.get(name)
        return found is not None and found.who is not None


_REGISTRY: dict[str, Procedure] = {}


def register(definition: Procedure) -> Procedure:
    """Make a definition known by name (for `steps_available` on a record and the docs)."""
    known = _REGISTRY.get(definition.name)
    if known is not None and known is not definition:
        raise ValueError(f"procedure {definition.name} is registered twice")
    _REGISTRY[definition.name] = definition
    return definition


def procedures_for(model: type[models.Model]) -> list[Procedure]:
    return [p for p in _REGISTRY.values() if p.model is model]


# --- hooks installed by higher layers ----------------------------------------------------------


@dataclass
class _Hooks:
    can: Callable[[Any, str, str], bool] | None = None  # (actor, ability, org path)
    audit: Callable[[Actor, str, models.Model, dict[str, Any]], Any] | None = None
    documents: Callable[[Any, str], bool] | None = None  # (record, kind) → has one


_hooks = _Hooks()


def configure(
    *,
    can: Callable[[Any, str, str], bool] | None = None,
    audit: Callable[[Actor, str, models.Model, dict[str, Any]], Any] | None = None,
    documents: Callable[[Any, str], bool] | None = None,
) -> None:
    """Install the checks `core` cannot import (accounts: abilities; audit: the log; documents:
    attached files). Each app calls this from its AppConfig.ready with its own part."""
    if can is not None:
        _hooks.can = can
    if audit is not None:
        _hooks.audit = audit
    if documents is not None:
        _hooks.documents = documents


# --- reading ---------------------------------------------------------------------------------


def steps_of(
    definition: Procedure, record: models.Model, *, voided: bool = False
) -> list[ProcedureStep]:
    """The steps taken on `record`, oldest first (voided ones too with `voided=True`)."""
    rows = ProcedureStep.objects.of(definition.name, record.pk).select_related("actor")
    if not voided:
        rows = rows.filter(voided_at__isnull=True)
    return list(rows.order_by("id"))


def state_of(definition: Procedure, record: models.Model) -> str:
    """The current state, derived: the target of the last step not voided (START if none)."""
    return _derive(steps_of(definition, record))


def _derive(history: Sequence[ProcedureStep]) -> str:
    return history[-1].to_state if history else START


@dataclass(frozen=True)
class Option:
    """One step a user may be offered now: allowed, or refused with the reason."""

    step: Step
    allowed: bool
    reason: str = ""
    warnings: tuple[str, ...] = ()  # soft rules: allowed after confirmation
    due: dt.date | None = None

    @property
    def name(self) -> str:
        return self.step.name

    @property
    def label(self) -> str:
        return self.step.label


def steps_available(
    actor: Any,
    record: models.Model,
    definition: Procedure | None = None,
    *,
    on: dt.date | None = None,
) -> list[Option]:
    """The steps this user could take on `record` now, in table order: those leaving the current
    state that the user has the ability for (others are not shown), each allowed or with the
    reason it is refused today. Templates show buttons from it; the API lists it."""
    options: list[Option] = []
    for proc in [definition] if definition else procedures_for(type(record)):
        history = steps_of(proc, record)
        state = _derive(history)
        for step in proc.steps:
            if step.who is None or state not in step.sources:
                continue
            if not _may(actor, step.who, record):
                continue
            options.append(_option(proc, step, record, as_actor(actor), history, on))
    return options


def allowed_steps(
    actor: Any, record: models.Model, definition: Procedure | None = None
) -> set[str]:
    """The names of the steps `steps_available` allows (for `{% if "undo" in steps %}`)."""
    return {o.name for o in steps_available(actor, record, definition) if o.allowed}


def _option(
    proc: Procedure,
    step: Step,
    record: Any,
    actor: Actor,
    history: Sequence[ProcedureStep],
    on: dt.date | None,
) -> Option:
    check = Check(record, actor, step, on or timezone.localdate(), {}, history, preview=True)
    try:
        refusals, warnings, due = _judge(proc, check)
    except DomainError as exc:  # e.g. a calendar year not entered yet
        return Option(step, False, exc.message)
    if refusals:
        return Option(step, False, "；".join(refusals) + "。", tuple(warnings), due)
    return Option(step, True, "", tuple(warnings), due)


def due_date(definition: Procedure, record: models.Model, step: str) -> dt.date | None:
    """The last day `step` is due on (None: the step has no deadline or it has not started)."""
    period = definition.step(step).due
    found = period.last_day(steps_of(definition, record)) if period else None
    return found[0] if found else None


# --- writing ---------------------------------------------------------------------------------


def take_step(
    *,
    actor: Any,
    definition: Procedure,
    record: models.Model,
    step: str,
    effective_date: dt.date | None = None,
    note: str = "",
    outcome: str = "",
    data: Mapping[str, Any] | None = None,
    expected_version: int | None = None,
    confirmed: bool = False,
    system: bool = False,
    perform: Callable[[Any], Mapping[str, Any] | None] | None = None,
) -> ProcedureStep:
    """办理一个步骤: check state, ability, version, rules, period and documents; run `perform`
    (the step's own work, given the locked record; what it returns is kept with the step);
    write the step, the record's state copy and the audit entry — all in one transaction.

    Raises `StepRefused` (or `NeedsConfirmation`, `ConcurrentEditError`) with a Chinese
    message; nothing is written then. `system=True` is required for (and only for) steps
    with `who=None`: the outcome of background work, recorded for whoever started it.
    The caller's `record` is reloaded afterwards, so it shows the new state and version.
    """
    the_step = definition.step(step)
    who = as_actor(actor)
    on = effective_date or timezone.localdate()
    with transaction.atomic():
        locked = type(record)._default_manager.select_for_update().get(pk=record.pk)
        history = steps_of(definition, locked)
        state = _derive(history)
        _check_move(definition, the_step, locked, state, who, system)
        _check_version(definition, locked, expected_version)
        check = Check(locked, who, the_step, on, dict(data or {}), history)
        refusals, warnings, due = _judge(definition, check)
        if refusals:
            raise StepRefused("；".join(refusals) + "。")
        if warnings and not confirmed:
            raise NeedsConfirmation(warnings)
        target = state if the_step.target == STAY else the_step.target
        kept = dict(data or {})
        if perform is not None:
            kept.update(perform(locked) or {})
        if warnings:
            kept["warnings"] = warnings
        taken = ProcedureStep.objects.create(
            procedure=definition.name,
            target_id=locked.pk,
            step=the_step.name,
            from_state=state,
            to_state=target,
            actor=_user_or_none(who),
            effective_date=on,
            due_date=due,
            outcome=outcome[:300],
            note=note[:500],
            data=_jsonable(kept),
        )
        _store_state(definition, locked, target)
        _audit(definition, who, locked, taken, kept)
    _copy_state(definition, locked, record)
    return taken


def void_step(
    *, actor: Any, definition: Procedure, record: models.Model, reason: str
) -> ProcedureStep:
    """作废最后一个步骤: the record goes back to the state before it; the step stays, marked
    voided with who, when and why. Only a `voidable` step, by whoever may take it."""
    who = as_actor(actor)
    if not reason.strip():
        raise StepRefused("请填写作废原因。")
    with transaction.atomic():
        locked = type(record)._default_manager.select_for_update().get(pk=record.pk)
        history = steps_of(definition, locked)
        if not history:
            raise StepRefused(f"该{_noun(definition)}还没有办理任何步骤，无可作废。")
        last = history[-1]
        the_step = definition._by_name.get(last.step)
        if the_step is None or not the_step.voidable or the_step.who is None:
            raise StepRefused(f"「{definition.step_label(last.step)}」这一步骤不能作废。")
        if not _may(who, the_step.who, locked):
            raise StepRefused(_no_ability(the_step, locked, "作废"))
        last.voided_at, last.voided_by = timezone.now(), _user_or_none(who)
        last.void_reason = reason.strip()[:300]
        last.save(update_fields=["voided_at", "voided_by", "void_reason"])
        back = _derive(history[:-1])
        _store_state(definition, locked, back)
        detail = {"void": reason.strip(), "state": _arrow(definition, last.to_state, back)}
        _audit(definition, who, locked, last, detail, voiding=True)
    _copy_state(definition, locked, record)
    return last


# --- the checks --------------------------------------------------------------------------------


def _check_move(
    proc: Procedure, step: Step, record: Any, state: str, actor: Actor, system: bool
) -> None:
    if state not in step.sources:
        raise StepRefused(
            f"该{_noun(proc)}当前状态为「{proc.state_label(state)}」，不能{step.label}。"
        )
    if step.who is None:
        if not system:
            raise StepRefused(f"「{step.label}」由系统办理，不能手工办理。")
        return
    if not _may(actor, step.who, record):
        raise StepRefused(_no_ability(step, record, step.label))


def _check_version(proc: Procedure, record: Any, expected: int | None) -> None:
    if expected is None or proc.version_field is None:
        return
    if getattr(record, proc.version_field) != expected:
        raise ConcurrentEditError(f"该{_noun(proc)}")


def _judge(proc: Procedure, check: Check) -> tuple[list[str], list[str], dt.date | None]:
    """Refusals (hard rules, waiting periods, missing documents), warnings (soft rules, a late
    step) and the step's due date."""
    refusals: list[str] = []
    warnings: list[str] = []
    step = check.step
    if step.waits is not None:
        found = step.waits.opens_on(check.history)
        if found is not None and check.on < found[0]:
            opens, row = found
            refusals.append(
                f"{step.waits.label}至 {opens - dt.timedelta(days=1):%Y-%m-%d} 届满"
                f"（{row.description or row.key}，依据{row.source}），"
                f"{step.label}须在 {opens:%Y-%m-%d} 及以后办理"
            )
    for rule in step.rules:
        said = rule.test(check)
        if said:
            (warnings if rule.soft else refusals).append(said)
    due = None
    if step.due is not None:
        found = step.due.last_day(check.history)
        if found is not None:
            due, row = found
            if check.on > due:
                warnings.append(
                    f"{step.due.label}已于 {due:%Y-%m-%d} 届满（依据{row.source}），"
                    f"现在{step.label}属逾期办理"
                )
    missing = [kind for kind in step.documents if not _has_document(check.record, kind)]
    if missing:
        refusals.append(f"{step.label}须先上传：{'、'.join(missing)}")
    return refusals, warnings, due


def may_act(actor: Any, who: Who | None, record: Any) -> bool:
    """Whether the actor holds `who`'s ability on its node, whatever the record's state: what a
    page or API view asks before a step (403), the engine's own check (`take_step`) aside."""
    return who is not None and _may(actor, who, record)


def _may(actor: Any, who: Who, record: Any) -> bool:
    if _hooks.can is None:
        raise RuntimeError("procedures: no ability check installed (accounts app not ready)")
    node = who.node(record)
    if node is None:
        return False
    return _hooks.can(actor, who.ability, node if isinstance(node, str) else node.path)


def _has_document(record: Any, kind: str) -> bool:
    # The documents app installs this hook (documents/apps.py); without it a step that needs
    # documents is refused rather than let through unchecked.
    return _hooks.documents is not None and _hooks.documents(record, kind)


def _no_ability(step: Step, record: Any, doing: str) -> str:
    assert step.who is not None
    node = step.who.node(record)
    where = f"「{node.name}」" if getattr(node, "name", None) else "该党组织"
    ability = getattr(step.who.ability, "label", str(step.who.ability))
    return f"您在{where}没有「{ability}」的权限，不能{doing}。"


# --- storing -----------------------------------------------------------------------------------


def _store_state(proc: Procedure, record: Any, state: str) -> None:
    """Copy the derived state to the record's status field (and bump its version)."""
    changed: list[str] = []
    if proc.state_field:
        setattr(record, proc.state_field, state)
        changed.append(proc.state_field)
    if proc.state_at_field:
        setattr(record, proc.state_at_field, timezone.now())
        changed.append(proc.state_at_field)
    if proc.version_field:
        setattr(record, proc.version_field, getattr(record, proc.version_field) + 1)
        changed.append(proc.version_field)
    if changed:
        record.save(update_fields=changed)


def _copy_state(proc: Procedure, source: Any, target: Any) -> None:
    """The caller's instance sees what the engine wrote on the locked copy."""
    if source is target:
        return
    target.refresh_from_db()


def _audit(
    proc: Procedure,
    actor: Actor,
    record: Any,
    taken: ProcedureStep,
    data: Mapping[str, Any],
    *,
    voiding: bool = False,
) -> None:
    if _hooks.audit is None:
        raise RuntimeError("procedures: no audit writer installed (audit app not ready)")
    detail: dict[str, Any] = {
        "procedure": proc.label,
        "step": ("作废：" if voiding else "") + proc.step_label(taken.step),
    }
    if not voiding:
        detail["state"] = _arrow(proc, taken.from_state, taken.to_state)
        detail["date"] = taken.effective_date.isoformat()
        if taken.note:
            detail["note"] = taken.note
    detail.update(_jsonable(data))
    step = proc.step(taken.step) if not voiding else None
    _hooks.audit(actor, (step and step.audit_action) or proc.audit_action, record, detail)


def _arrow(proc: Procedure, before: str, after: str) -> str:
    return f"{proc.state_label(before)} → {proc.state_label(after)}"


def _noun(proc: Procedure) -> str:
    return str(proc.model._meta.verbose_name)


def _user_or_none(actor: Actor) -> Any:
    user = actor_user(actor)
    return user if getattr(user, "is_authenticated", False) else None


def _jsonable(data: Mapping[str, Any]) -> dict[str, Any]:
    return {k: v.isoformat() if isinstance(v, dt.date) else v for k, v in data.items()}
