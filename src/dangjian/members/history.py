"""Replaying a member's events (党籍变动) into spells and the current state.

A pure function of the event list, so a backdated correction is just "insert and replay", and
"the roster of branch X on 2024-12-31" is a range query on the spells it produces.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any, Protocol

from dangjian.core.exceptions import DomainError
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
    Kind.MOVE: MemberStatus.ACTIVE,
    Kind.TRANSFER_OUT: MemberStatus.TRANSFERRED_OUT,
    Kind.SUSPEND: MemberStatus.SUSPENDED,
    Kind.RESTORE: MemberStatus.ACTIVE,
    Kind.EXIT: MemberStatus.EXITED,
    Kind.DEATH: MemberStatus.DECEASED,
}
NEEDS_ORG = frozenset({Kind.ADMIT, Kind.TRANSFER_IN, Kind.MOVE})

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
    def get_kind_display(self) -> str: ...


def replay(events: Iterable[EventLike]) -> Replay:
    """Fold events (in effective-date order, then entry order) into state and spells.

    Raises DomainError naming the first event that is not an allowed move.
    """
    state = Replay()
    open_from: dt.date | None = None
    ordered = sorted(
        (e for e in events if e.voided_at is None),
        key=lambda e: (e.effective_date, e.pk or 10**18),
    )
    flows = {e.effective_date: e.kind for e in ordered if e.kind in FLOW_KINDS}
    for event in ordered:
        if state.status not in ALLOWED_FROM[event.kind]:
            raise DomainError(
                f"{event.effective_date:%Y-%m-%d}「{event.get_kind_display()}」不能发生在"
                f"「{STATE_LABELS[state.status]}」之后，请检查各变动的日期和顺序。"
            )
        if event.kind in NEEDS_ORG and event.org_id is None:
            raise DomainError(f"「{event.get_kind_display()}」必须指定党组织。", field="org")
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
        _apply(state, event)
        open_from = event.effective_date if state.status == MemberStatus.ACTIVE else None
    if state.status == MemberStatus.ACTIVE and open_from is not None and state.org_id is not None:
        state.spells.append(
            Spell(state.org_id, state.category, open_from, None, flows.get(open_from, ""))
        )
    return state


def _apply(state: Replay, event: EventLike) -> None:
    kind = event.kind
    state.status = STATE_AFTER[kind]
    if kind in NEEDS_ORG or (kind == Kind.RESTORE and event.org_id):
        state.org_id = event.org_id
    if kind == Kind.ADMIT:
        state.category = MemberCategory.PROBATIONARY
        state.join_date = event.effective_date
    elif kind == Kind.TRANSFER_IN:
        state.category = event.category or state.category or MemberCategory.FULL
    elif kind == Kind.CONVERT:
        if state.category != MemberCategory.PROBATIONARY:
            raise DomainError(
                f"{event.effective_date:%Y-%m-%d} 转正：只有预备党员才能转为正式党员。"
            )
        state.category = MemberCategory.FULL
        state.full_date = event.effective_date
