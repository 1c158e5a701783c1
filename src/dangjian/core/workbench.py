"""工作台: the things a user must act on, contributed by each app.

`core` knows no app: each app registers its providers in its `AppConfig.ready()`
(`register(MyProvider())`). A provider answers for one kind of work, within the scope it is
given (`scope.paths(ability)` and `scope.own_member_id`, see `accounts.scope.Scope`):

    class Provider(Protocol):
        key: str     # stable, e.g. "members.probation"
        label: str   # the group's heading on the 工作台, e.g. "预备期将满"
        def items_for(self, user, scope, today) -> Iterable[WorkItem]: ...
        def count_for(self, user, scope, today) -> int: ...

`count_for` must be a bounded number of indexed queries (no per-item work): the nav and the
bench count a county of 50,000 members with it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Hashable, Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Any, Protocol, TypeVar

from dangjian.core.models import rule_value


class ScopeLike(Protocol):
    """What a provider reads of the user's scope (accounts.scope.Scope)."""

    @property
    def own_member_id(self) -> int | None: ...
    def paths(self, ability: str) -> tuple[str, ...]: ...


@dataclass(frozen=True)
class WorkItem:
    """One thing to act on: what, about whom, by when, and where to do it."""

    key: str  # stable across days: "members.probation:123:2026-12-01" (reminders dedupe on it)
    kind: str  # the label of the kind, e.g. "预备期满"
    title: str  # in Chinese: what is to be done
    subject: str  # the organization's or member's name
    url: str  # the page where it is done
    due: dt.date | None = None
    overdue: bool = False

    def due_in_words(self, today: dt.date) -> str:
        """ "还有 12 天" / "今天到期" / "已逾期 3 天"; empty without a due date."""
        if self.due is None:
            return ""
        days = (self.due - today).days
        if days > 0:
            return f"还有 {days} 天"
        return "今天到期" if days == 0 else f"已逾期 {-days} 天"


class Provider(Protocol):
    key: str
    label: str

    def items_for(self, user: Any, scope: ScopeLike, today: dt.date) -> Iterable[WorkItem]: ...
    def count_for(self, user: Any, scope: ScopeLike, today: dt.date) -> int: ...


_PROVIDERS: dict[str, Provider] = {}


def register(provider: Provider) -> None:
    """Add (or replace, by key) a provider: called from the app's AppConfig.ready()."""
    _PROVIDERS[provider.key] = provider


def providers() -> list[Provider]:
    return list(_PROVIDERS.values())


@dataclass
class Group:
    """The items of one provider, as the 工作台 shows them."""

    key: str
    label: str
    items: list[WorkItem] = field(default_factory=list)
    count: int = 0  # all of them, when `items` holds only the first few

    @property
    def slug(self) -> str:
        """For the page's element ids: "members.probation" → "members-probation"."""
        return self.key.replace(".", "-")

    @property
    def more(self) -> int:
        return self.count - len(self.items)


T = TypeVar("T")
_pass: ContextVar[dict[Hashable, Any] | None] = ContextVar("dangjian_workbench", default=None)


@contextmanager
def _one_pass() -> Iterator[None]:
    token = _pass.set({})
    try:
        yield
    finally:
        _pass.reset(token)


def shared(key: Hashable, compute: Callable[[], T]) -> T:
    """What several providers of one app ask alike (e.g. "is anything of ours due in this scope
    at all?", so that the others skip their queries when nothing is), computed once while
    `groups_for` or `count_for` asks every provider for one user and day; each time outside."""
    memo = _pass.get()
    if memo is None:
        return compute()
    if key not in memo:
        memo[key] = compute()
    return memo[key]


def groups_for(
    user: Any, scope: ScopeLike, today: dt.date, *, limit: int | None = None
) -> list[Group]:
    """Every provider's items for the user, overdue and soonest due first, at most `limit`
    of each; empty groups left out."""
    found = []
    with _one_pass():
        for provider in providers():
            items = sorted(
                provider.items_for(user, scope, today),
                key=lambda i: (i.due is None, i.due or today, i.subject),
            )
            if items:
                found.append(Group(provider.key, provider.label, items[:limit], len(items)))
    return found


def items_for(user: Any, scope: ScopeLike, today: dt.date) -> Iterator[WorkItem]:
    for group in groups_for(user, scope, today):
        yield from group.items


def count_for(user: Any, scope: ScopeLike, today: dt.date) -> dict[str, int]:
    """Each provider's count (provider key → number)."""
    with _one_pass():
        return {p.key: p.count_for(user, scope, today) for p in providers()}


def window(rule: str, today: dt.date) -> dt.date:
    """The last due date shown today: today plus the rule's days (`reminder.*` rule values)."""
    return today + dt.timedelta(days=int(rule_value(rule, today)))


def is_overdue(due: dt.date | None, today: dt.date) -> bool:
    return due is not None and due < today
