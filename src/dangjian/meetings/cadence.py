"""Cadence (会议频次): how often each kind of meeting is required, and which organizations
missed what in a period. Meeting services call `meetings_changed` after any write that can
change what was held when (status, date, kind, organization)."""

from __future__ import annotations

from collections.abc import Iterable


def meetings_changed(org_id: int, years: Iterable[int]) -> None:
    """Bring the cadence tally of `org_id` for `years` up to date (idempotent)."""
