"""The statistics re-counted from the events alone, to prove the reports right (核对统计数).

Nothing here reads the spells, the member's derived state or SQL date arithmetic: each
member's events up to the date are replayed, and ages and periods are computed in Python.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from typing import Any

from dateutil.relativedelta import relativedelta

from dangjian.members.choices import HAN, MemberStatus
from dangjian.members.history import replay
from dangjian.members.models import Member, MemberEvent
from dangjian.orgs.models import Organization
from dangjian.stats.reports import AGE_BANDS, DIMENSIONS, JOIN_PERIODS, LABELS, standard_report


def age_band(birth: dt.date, on: dt.date) -> str:
    age = relativedelta(on, birth).years
    return next(label for limit, label in AGE_BANDS if limit is None or age <= limit)


def join_period(joined: dt.date) -> str:
    return next(label for start, label in JOIN_PERIODS if start is None or joined < start)


def recount(org: Organization, on: dt.date) -> dict[str, Counter[str]]:
    """Members in `org`'s subtree on `on`, per dimension, from the events only."""
    paths = dict(Organization.objects.values_list("pk", "path"))
    events: dict[int, list[MemberEvent]] = defaultdict(list)
    for event in MemberEvent.objects.filter(voided_at__isnull=True, effective_date__lte=on):
        events[event.member_id].append(event)
    counts: dict[str, Counter[str]] = {d: Counter() for d in DIMENSIONS}
    members = Member.objects.in_bulk(list(events))
    for member_id, history in events.items():
        state = replay(history)
        if state.status != MemberStatus.ACTIVE or state.org_id is None:
            continue
        if not paths[state.org_id].startswith(org.path):
            continue
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
    by_member: dict[int, list[MemberEvent]] = defaultdict(list)
    for event in MemberEvent.objects.filter(voided_at__isnull=True, effective_date__lte=end):
        by_member[event.member_id].append(event)
    admitted = converted = 0
    for history in by_member.values():
        for event in history:
            if not start <= event.effective_date <= end:
                continue
            if event.kind not in (MemberEvent.Kind.ADMIT, MemberEvent.Kind.CONVERT):
                continue
            state = replay(e for e in history if e.effective_date <= event.effective_date)
            inside = state.org_id is not None and paths[state.org_id].startswith(org.path)
            if inside and state.status == MemberStatus.ACTIVE:
                admitted += event.kind == MemberEvent.Kind.ADMIT
                converted += event.kind == MemberEvent.Kind.CONVERT
    return admitted, converted


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
