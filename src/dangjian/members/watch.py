"""Telling derived data (the statistics rollups) about member changes, without the member
registry depending on who listens.

Services wrap each write in `watching(ids)` (a watcher reads what it needs before and after)
and report new members with `created(ids)`, subtree moves with `tree_changed(old, new)` and
organization changes with `orgs_changed(pairs)`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from typing import Any, Protocol

# A member as a watcher sees it: its column values, and its spells as
# (org_path, valid_from, valid_to, category).
Facts = tuple[dict[str, Any], list[Any]]
# An organization as the statistics see it: (path, kind, founded_on, dissolved_on, term_end).
OrgFacts = tuple[Any, ...]


class Watcher(Protocol):
    def before(self, ids: list[int]) -> Any: ...
    def after(self, ids: list[int], token: Any) -> None: ...
    def created(self, ids: list[int], facts: Callable[[], dict[int, Facts]]) -> None: ...
    def tree_changed(self, old_prefix: str, new_prefix: str) -> None: ...
    def changed(self, member_id: int, before: Facts, after: Facts) -> None: ...


_watchers: list[Watcher] = []


def register(watcher: Watcher) -> None:
    if watcher not in _watchers:
        _watchers.append(watcher)


@contextmanager
def watching(ids: Iterable[int]) -> Iterator[None]:
    members = list(ids)
    tokens = [w.before(members) for w in _watchers]
    yield
    for watcher, token in zip(_watchers, tokens, strict=True):
        watcher.after(members, token)


def created(ids: list[int], facts: Callable[[], dict[int, Facts]] | None = None) -> None:
    """New members. A bulk load passes a function giving what it just wrote (member id → its
    Facts), so a watcher that needs them does not read them back, and one that does not
    costs nothing."""
    for watcher in _watchers:
        watcher.created(ids, facts or dict)


def tree_changed(old_prefix: str, new_prefix: str) -> None:
    """A subtree moved from `old_prefix` to `new_prefix` (inside `watching` its members, and
    followed by `orgs_changed` for its organizations)."""
    for watcher in _watchers:
        watcher.tree_changed(old_prefix, new_prefix)


def changed(member_id: int, before: Facts, after: Facts) -> None:
    """A change whose before and after the writer already holds (no need to read them)."""
    for watcher in _watchers:
        watcher.changed(member_id, before, after)


def orgs_changed(pairs: list[tuple[OrgFacts | None, OrgFacts | None]]) -> None:
    """Organizations created (before None), edited, closed or moved, as (before, after) pairs,
    inside the writer's transaction: a moved subtree's organizations come in one call."""
    for watcher in _watchers:  # optional: only watchers that count organizations have it
        hook = getattr(watcher, "orgs_changed", None)
        if hook is not None:
            hook(pairs)
