"""The statistics re-counted from the events alone, to prove the reports right (核对统计数).

Nothing here reads the spells, the member's derived state or SQL date arithmetic: each
member's events up to the date are replayed, and ages and periods are computed in Python.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from typing import Any

from dangjian.members.choices import HAN, MemberStatus
from dangjian.members.history import RuleLookup, probation_rules, replay
from dangjian.members.models import Member, MemberEvent
from dangjian.orgs.models import Organization
from dangjian.stats.reports import (
    DIMENSIONS,
    JOIN_PERIODS,
    LABELS,
    age_band,
    standard_report,
)


def join_period(joined: dt.date) -> str:
    return next(label for start, label in JOIN_PERIODS if start is None or joined < start)


def _histories(until: dt.date) -> dict[int, list[MemberEvent]]:
    """Every member's valid events up to `until`."""
    events: dict[int, list[MemberEvent]] = defaultdict(list)
    for event in MemberEvent.objects.filter(voided_at__isnull=True, effective_date__lte=until):
        events[event.member_id].append(event)
    return events


def _inside(
    history: list[MemberEvent], on: dt.date, path: str, paths: dict[int, str], rules: RuleLookup
) -> Any:
    """The replayed state on `on` if the member was in the Party under `path` then, else None."""
    state = replay((e for e in history if e.effective_date <= on), rules)
    if state.status != MemberStatus.ACTIVE or state.org_id is None:
        return None
    return state if paths[state.org_id].startswith(path) else None


def recount(org: Organization, on: dt.date) -> dict[str, Counter[str]]:
    """Members in `org`'s subtree on `on`, per dimension, from the events only."""
    paths = dict(Organization.objects.values_list("pk", "path"))
    events = _histories(on)
    counts: dict[str, Counter[str]] = {d: Counter() for d in DIMENSIONS}
    members = Member.objects.in_bulk(list(events))
    rules = probation_rules().value
    for member_id, history in events.items():
        state = _inside(history, on, org.path, paths, rules)
        if state is not None:
            _count(counts, members[member_id], state.category, on)
    return counts


def _count(counts: dict[str, Counter[str]], m: Member, category: str, on: dt.date) -> None:
    values: dict[str, Any] = {
        "category": LABELS["category"][category],
        "gender": LABELS["gender"][m.gender],
        "ethnic_group": "汉族" if m.ethnicity == HAN else "少数民族",
        "education": LABELS["education"][m.education],
        "person_category": LABELS["person_category"][m.person_category],
        "age_band": age_band(m.birth_date, on),
        "join_period": join_period(m.join_date) if m.join_date else "",
    }
    for dimension, value in values.items():
        counts[dimension][value] += 1


def recount_flows(org: Organization, start: dt.date, end: dt.date) -> tuple[int, int]:
    """(发展党员, 转正) in the period: admissions into the subtree, and conversions of members
    who were in it that day, from replaying each member's events."""
    paths = dict(Organization.objects.values_list("pk", "path"))
    flows: dict[str, int] = {MemberEvent.Kind.ADMIT: 0, MemberEvent.Kind.CONVERT: 0}
    rules = probation_rules().value
    for history in _histories(end).values():
        for event in history:
            if event.kind in flows and start <= event.effective_date <= end:
                flows[event.kind] += (
                    _inside(history, event.effective_date, org.path, paths, rules) is not None
                )
    return flows[MemberEvent.Kind.ADMIT], flows[MemberEvent.Kind.CONVERT]


def differences(org: Organization, on: dt.date) -> list[str]:
    """Where the standard report and the recount from events disagree (empty: they agree)."""
    report = standard_report(org, on)
    expected = recount(org, on)
    found = []
    flows = recount_flows(org, *report.period)
    if flows != (report.developed["total"], report.converted):
        found.append(
            f"{org.name} {on:%Y-%m-%d} 发展/转正: 报表 {report.developed['total']}/"
            f"{report.converted}，按变动记录重算 {flows[0]}/{flows[1]}"
        )
    for breakdown in report.breakdowns:
        wanted = expected[breakdown.key]
        for label, n in breakdown.rows:
            if wanted.get(label, 0) != n:
                found.append(
                    f"{org.name} {on:%Y-%m-%d} {breakdown.title}「{label}」: "
                    f"报表 {n}，按变动记录重算 {wanted.get(label, 0)}"
                )
        if sum(wanted.values()) != breakdown.total:
            found.append(f"{org.name} {on:%Y-%m-%d} {breakdown.title} 合计不一致")
    return found
