"""Listening to the member register (members.watch): a stay ends when its member leaves."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from dangjian.mobile.services import end_for_status_change, repath_stays


class StayWatcher:
    """members.watch → 流动党员: only `changed` matters; a member's 党籍变动 (record_event and
    its replay) reports there with the status before and after."""

    def before(self, ids: list[int]) -> None:
        return None

    def after(self, ids: list[int], token: None) -> None:
        """Bulk writes (imports, subtree moves) leave the status alone."""

    def created(self, ids: list[int], facts: Callable[[], Any]) -> None:
        """A new member has no stay yet."""

    def tree_changed(self, old_prefix: str, new_prefix: str) -> None:
        """Stays are found by the paths copied onto them: they move with the subtree."""
        repath_stays(old_prefix, new_prefix)

    def changed(self, member_id: int, before: Any, after: Any) -> None:
        end_for_status_change(member_id, before, after)
