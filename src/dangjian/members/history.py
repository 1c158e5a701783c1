"""Replaying a member's events (党籍变动) into spells and the current state.

A pure function of the event list, so a backdated correction is just "insert and replay", and
"the roster of branch X on 2024-12-31" is a range query on the spells it produces.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, Protocol

from dateutil.relativedelta import relativedelta

from dangjian.core.exceptions import DomainError
from dangjian.core.models import RuleBook, RuleMissing, rule_value
from dangjian.members.choices import MemberCategory, MemberStatus
from dangjian.members.models import MemberEvent

Kind = MemberEvent.Kind
NONE = "none"  # before the first event

# Allowed moves: event kind → states it may follow. 党章 Art 7 (conversion only of a
# probationary member), Art 9 (停止党籍, 出党); a transferred-out member may come back by a
# transfer in; a dead member's record is closed.
ALLOWED_FROM: dict[str, frozenset[str]] = {
    Kind.ADMIT: frozenset({NONE}),
    Kind.TRANSFER_IN: frozenset({NONE, MemberStatus.TRANSFERRED_OUT}),
    Kind.CONVERT: frozenset({MemberStatus.ACTIVE}),
    Kind.EXTEND: frozenset({MemberStatus.ACTIVE}),
    Kind.CANCEL: frozenset({MemberStatus.ACTIVE}),
    Kind.MOVE: frozenset({MemberStatus.ACTIVE}),
    Kind.TRANSFER_OUT: frozenset({MemberStatus.ACTIVE}),
    Kind.SUSPEND: frozenset({MemberStatus.ACTIVE}),
    Kind.RESTORE: frozenset({MemberStatus.SUSPENDED}),
    Kind.EXIT: frozenset({MemberStatus.ACTIVE, MemberStatus.SUSPENDED}),
    Kind.DEATH: frozenset({MemberStatus.ACTIVE, MemberStatus.SUSPENDED}),
}
STATE_AFTER: dict[str, str] = {
    Kind.ADMIT: MemberStatus.ACTIVE,
    Kind.TRANSFER_IN: MemberStatus.ACTIVE,
    Kind.CONVERT: MemberStatus.ACTIVE,
    Kind.EXTEND: MemberStatus.ACTIVE,
    Kind.CANCEL: MemberStatus.CANCELLED,
    Kind.MOVE: MemberStatus.ACTIVE,
    Kind.TRANSFER_OUT: MemberStatus.TRANSFERRED_OUT,
    Kind.SUSPEND: MemberStatus.SUSPENDED,
    Kind.RESTORE: MemberStatus.ACTIVE,
    Kind.EXIT: MemberStatus.EXITED,
    Kind.DEATH: MemberStatus.DECEASED,
}
NEEDS_ORG = frozenset({Kind.ADMIT, Kind.TRANSFER_IN, Kind.MOVE})
# The end of probation (党章第七条; 细则第三十三、三十四条): only a 预备党员 is converted, has the
# probation extended (once), or has the status cancelled.
NEEDS_PROBATIONARY = frozenset({Kind.CONVERT, Kind.EXTEND, Kind.CANCEL})
# Events that change neither organization nor category: they leave the running spell alone.
KEEPS_SPELL = frozenset({Kind.EXTEND})

# The versioned rules the replay reads (core.rules_seed, with their sources).
PROBATION_MONTHS = "probation.months"
EXTENSION_MIN = "probation.extension_min_months"
EXTENSION_MAX = "probation.extension_max_months"
TRANSFER_POSTPONE = "probation.transfer_in_postpone_months"
# Before the 八大党章 (1956) the probation depended on the member's class (and the 六大党章 set
# none): a value above 0 lets the 转正 fall anywhere from the join date to that many months on.
BY_CLASS_MAX = "probation.by_class_max_months"
PROBATION_RULES = (
    PROBATION_MONTHS, EXTENSION_MIN, EXTENSION_MAX, TRANSFER_POSTPONE, BY_CLASS_MAX
)  # fmt: skip
RuleLookup = Callable[[str, dt.date], Decimal]

STATE_LABELS = {NONE: "尚无党籍记录", **dict(MemberStatus.choices)}


@dataclass(frozen=True)
class Spell:
    org_id: int
    category: str
    valid_from: dt.date
    valid_to: dt.date | None
    opened_by: str = ""  # FLOW_KINDS event on valid_from, if any


# Events the statistics count as flows (发展党员, 转正), found again from the spell they open.
FLOW_KINDS = (Kind.ADMIT, Kind.CONVERT)


@dataclass
class Replay:
    """The outcome of replaying the events: current state plus the spells."""

    status: str = NONE
    category: str = ""
    org_id: int | None = None
    join_date: dt.date | None = None
    full_date: dt.date | None = None
    spells: list[Spell] = field(default_factory=list)
    # 预备期满之日: the day a 预备党员's 转正 takes effect (the same calendar day one year, or
    # one year plus the extension, after the 支部大会 resolution); None for a full member.
    probation_end: dt.date | None = None
    extended: bool = False  # 延长预备期 happens once only
    # Joins before 1956 (BY_CLASS_MAX): the 转正 may fall on any day of this window.
    window: tuple[dt.date, dt.date] | None = None
    transferred_in: bool = False  # came in during probation: the discussion may be postponed

    @property
    def probation_due(self) -> dt.date | None:
        """The 预备期满之日 a branch still has to act on: only while the member is a 预备党员
        in the Party (the last day of the window for joins before 1956)."""
        if self.status != MemberStatus.ACTIVE or self.category != MemberCategory.PROBATIONARY:
            return None
        return self.window[1] if self.window is not None else self.probation_end

    def allowed_moves(self) -> list[str]:
        """The event kinds that may follow this state (the 变动类型 a form offers)."""
        return [kind for kind in Kind.values if self.allows(kind)]

    def allows(self, kind: str) -> bool:
        if self.status not in ALLOWED_FROM[kind]:
            return False
        if kind in NEEDS_PROBATIONARY and self.category != MemberCategory.PROBATIONARY:
            return False
        return not (kind == Kind.EXTEND and self.extended)


class EventLike(Protocol):
    """What replay reads of an event: a stored MemberEvent or a not-yet-stored one."""

    @property
    def kind(self) -> str: ...
    @property
    def effective_date(self) -> dt.date: ...
    @property
    def org_id(self) -> int | None: ...
    @property
    def category(self) -> str: ...
    @property
    def pk(self) -> Any: ...
    @property
    def voided_at(self) -> Any: ...
    @property
    def join_date(self) -> dt.date | None: ...
    @property
    def full_date(self) -> dt.date | None: ...
    @property
    def months(self) -> int | None: ...
    @property
    def decided_on(self) -> dt.date | None: ...
    def get_kind_display(self) -> str: ...


def probation_rules() -> RuleBook:
    """The probation rules read once, for replaying many histories."""
    return RuleBook(*PROBATION_RULES)


def replay(events: Iterable[EventLike], rules: RuleLookup | None = None) -> Replay:
    """Fold events (in effective-date order, then entry order) into state and spells.

    `rules` looks up the probation rules (default: the database, one query per look-up).
    Raises DomainError naming the first event that is not an allowed move.
    """
    lookup = rules or rule_value
    state = Replay()
    open_from: dt.date | None = None
    ordered = sorted(
        (e for e in events if e.voided_at is None),
        key=lambda e: (e.effective_date, e.pk or 10**18),
    )
    flows: dict[dt.date, str] = {}
    for e in ordered:  # an admission and a 转正 on one day (no probation): the admission counts
        if e.kind in FLOW_KINDS:
            flows.setdefault(e.effective_date, e.kind)
    for event in ordered:
        if state.status not in ALLOWED_FROM[event.kind]:
            raise DomainError(
                f"{event.effective_date:%Y-%m-%d}「{event.get_kind_display()}」不能发生在"
                f"「{STATE_LABELS[state.status]}」之后，请检查各变动的日期和顺序。"
            )
        if event.kind in NEEDS_PROBATIONARY and state.category != MemberCategory.PROBATIONARY:
            raise DomainError(
                f"{event.effective_date:%Y-%m-%d}「{event.get_kind_display()}」："
                "只有预备党员才能转正、延长预备期或取消预备党员资格。",
                field="kind",
            )
        if event.kind in NEEDS_ORG and event.org_id is None:
            raise DomainError(f"「{event.get_kind_display()}」必须指定党组织。", field="org")
        if event.kind in KEEPS_SPELL:
            _apply(state, event, lookup)
            continue
        # Close the running spell; same-day events leave no zero-length spell behind.
        if open_from is not None and state.org_id is not None and open_from < event.effective_date:
            state.spells.append(
                Spell(
                    state.org_id,
                    state.category,
                    open_from,
                    event.effective_date,
                    flows.get(open_from, ""),
                )
            )
        _apply(state, event, lookup)
        open_from = event.effective_date if state.status == MemberStatus.ACTIVE else None
    if state.status == MemberStatus.ACTIVE and open_from is not None and state.org_id is not None:
        state.spells.append(
            Spell(state.org_id, state.category, open_from, None, flows.get(open_from, ""))
        )
    return state


def _apply(state: Replay, event: EventLike, rules: RuleLookup) -> None:
    kind = event.kind
    state.status = STATE_AFTER[kind]
    if kind in NEEDS_ORG or (kind == Kind.RESTORE and event.org_id):
        state.org_id = event.org_id
    if kind == Kind.ADMIT:
        _admit(state, event.effective_date, rules)
    elif kind == Kind.TRANSFER_IN:
        _transfer_in(state, event, rules)
    elif kind == Kind.CONVERT:
        _check_end_of_probation(state, event, rules)
        state.category = MemberCategory.FULL
        state.full_date = event.effective_date
        state.probation_end = None
        state.window = None
    elif kind == Kind.EXTEND:
        _extend(state, event, rules)


def _rule(rules: RuleLookup, key: str, on: dt.date) -> int:
    try:
        return int(rules(key, on))
    except RuleMissing as exc:
        raise DomainError(f"{on:%Y-%m-%d} 没有生效的规则参数「{key}」，请联系系统管理员。") from exc


rule_months = _rule  # for the services that read the same rules


def _months_after(start: dt.date, key: str, rules: RuleLookup) -> dt.date:
    """`start` plus the rule's months, as the calendar counts them: one year after 29 February
    is 28 February (relativedelta keeps the day and clips it to the month's end)."""
    return start + relativedelta(months=_rule(rules, key, start))


def _admit(state: Replay, join: dt.date, rules: RuleLookup) -> None:
    """入党: a 预备党员 until the probation ends; with no probation in the 党章 of the day
    (九大、十大党章, 1969–1977: the rule gives 0 months) a full member from the join date."""
    state.join_date = join
    state.probation_end = _months_after(join, PROBATION_MONTHS, rules)
    state.window = probation_window(join, rules)
    if state.probation_end == join and state.window is None:
        state.category = MemberCategory.FULL
        state.full_date = join
        state.probation_end = None
        return
    state.category = MemberCategory.PROBATIONARY


def probation_window(join: dt.date, rules: RuleLookup) -> tuple[dt.date, dt.date] | None:
    """For a join when the probation depended on class (before 1956): the days a 转正 may
    fall on, the join date to the rule's months after it; None when the probation is fixed."""
    months = _rule(rules, BY_CLASS_MAX, join)
    return (join, join + relativedelta(months=months)) if months > 0 else None


def _transfer_in(state: Replay, event: EventLike, rules: RuleLookup) -> None:
    """转入: the dates of a membership begun elsewhere come with the event (the letter)."""
    state.join_date = event.join_date or state.join_date
    state.full_date = event.full_date or state.full_date
    state.category = event.category or state.category or MemberCategory.FULL
    if state.category != MemberCategory.PROBATIONARY:
        state.probation_end = None
        return
    state.transferred_in = True
    if state.probation_end is None:  # first time here: the probation runs from the join date
        if state.join_date is None:
            raise DomainError("转入的预备党员须填写入党日期。", field="join_date")
        state.probation_end = _months_after(state.join_date, PROBATION_MONTHS, rules)
        state.window = probation_window(state.join_date, rules)
        if event.months:  # extended at the previous organization, before coming here
            _extended_elsewhere(state, event.months, rules)


def _extended_elsewhere(state: Replay, months: int, rules: RuleLookup) -> None:
    end = state.probation_end
    assert end is not None
    low, high = _rule(rules, EXTENSION_MIN, end), _rule(rules, EXTENSION_MAX, end)
    if not low <= months <= high:
        raise DomainError(
            f"延长预备期的期限须为 {low} 至 {high} 个月（党章第七条）。", field="months"
        )
    state.probation_end = end + relativedelta(months=months)
    state.extended = True
    state.window = None


def _probation_text(state: Replay) -> str:
    if state.window is not None:
        low, high = state.window
        return (
            "预备期因入党时的成分而异（1956 年八大党章以前），"
            f"应在 {low:%Y-%m-%d} 至 {high:%Y-%m-%d} 之间"
        )
    extended = "（含延长的预备期）" if state.extended else ""
    return f"预备期满之日为 {state.probation_end:%Y-%m-%d}{extended}"


def _check_end_of_probation(state: Replay, event: EventLike, rules: RuleLookup) -> None:
    """转正 and 延长预备期 take effect on the day the probation ends (党章第七条: 预备期
    自支部大会通过之日起计算); the branch's resolution comes on or after that day (细则第三十三条:
    预备期满，党支部应当及时讨论), and for a 预备党员 transferred in it may come up to the rule's
    months later, the 转正 date staying the original one (docs/zh/member-registry.md)."""
    end = state.probation_end
    assert end is not None  # every 预备党员 has one (admission or transfer in)
    label = event.get_kind_display()
    if state.window is not None:  # before 1956: any day of the window is the end
        end = event.effective_date
    if not _ends_probation(state, event.effective_date):
        raise DomainError(
            f"「{label}」的生效日期应为预备期满之日：{_probation_text(state)}，"
            f"不能是 {event.effective_date:%Y-%m-%d}。",
            field="effective_date",
        )
    decided = event.decided_on
    if decided is None:
        return
    if decided < end:
        raise DomainError(
            f"支部大会决议日期 {decided:%Y-%m-%d} 早于预备期满之日 {end:%Y-%m-%d}："
            "预备期满后才能讨论转正或延长预备期。",
            field="decided_on",
        )
    if state.transferred_in:
        limit = _months_after(end, TRANSFER_POSTPONE, rules)
        if decided > limit:
            raise DomainError(
                f"转入的预备党员，转正讨论最迟可推迟到 {limit:%Y-%m-%d}（预备期满后 "
                f"{_rule(rules, TRANSFER_POSTPONE, end)} 个月），支部大会决议日期不能晚于该日。",
                field="decided_on",
            )


def _ends_probation(state: Replay, day: dt.date) -> bool:
    if state.window is not None:
        return state.window[0] <= day <= state.window[1]
    return day == state.probation_end


def _extend(state: Replay, event: EventLike, rules: RuleLookup) -> None:
    """延长预备期: once only, for the months the rules allow (党章第七条; 细则第三十四条); the
    new end counts from the original one."""
    if state.extended:
        raise DomainError("预备期只能延长一次，该党员的预备期已经延长过。", field="kind")
    _check_end_of_probation(state, event, rules)
    end = event.effective_date  # the end of probation (checked above); the window closes
    state.window = None
    low, high = _rule(rules, EXTENSION_MIN, end), _rule(rules, EXTENSION_MAX, end)
    if event.months is None or not low <= event.months <= high:
        raise DomainError(
            f"延长预备期的期限须为 {low} 至 {high} 个月（党章第七条）。", field="months"
        )
    state.probation_end = end + relativedelta(months=event.months)
    state.extended = True
