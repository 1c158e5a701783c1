"""会议频次: the tally kept by `meetings_changed`, and the compliance counts read from it."""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal
from typing import Any

import pytest

from dangjian.core.models import RuleValue
from dangjian.meetings.cadence import (
    Period,
    check_cadence_tally,
    compliance,
    meetings_changed,
    missed_page,
    org_cadence,
    refresh_year,
)
from dangjian.meetings.models import CadenceTally, Meeting, MeetingKind
from dangjian.orgs.models import Organization, OrgKind
from dangjian.orgs.services import create_organization, move_organization, update_organization
from dangjian.testing import make_member

K = MeetingKind
HELD = Meeting.Status.HELD
Q3 = Period(2026, "quarter", 3)
AFTER_Q3 = dt.date(2026, 10, 15)


@pytest.fixture
def cast(cast: Any) -> Any:
    """The shared cast with its 2026 tally (the watcher writes only the current year's)."""
    refresh_year(2026)
    return cast


def meet(org: Organization, kind: str, on: dt.date, status: str = HELD) -> Meeting:
    meeting = Meeting.objects.create(
        org=org, org_path=org.path, kind=kind, title="会议", date=on, status=status
    )
    meetings_changed(org.pk, [on.year])
    return meeting


def line(info: Any, kind: str) -> tuple[int, int, int, int]:
    found = next(x for x in info.lines if x.requirement.kind == kind)
    return found.owing, found.met, found.missed, found.pending


def test_meeting_on_the_last_day_of_a_quarter_counts_for_it(cast: Any) -> None:
    meet(cast.branch, K.GENERAL, dt.date(2026, 9, 30))
    info = compliance(cast.township, Q3, AFTER_Q3)
    assert line(info, K.GENERAL) == (1, 1, 0, 0)


def test_meeting_on_the_first_day_of_the_next_quarter_does_not(cast: Any) -> None:
    meet(cast.branch, K.GENERAL, dt.date(2026, 10, 1))
    info = compliance(cast.township, Q3, AFTER_Q3)
    assert line(info, K.GENERAL) == (1, 0, 1, 0)
    [row] = missed_page(info, 0, 10)
    assert row.org == cast.branch
    assert "2026年第3季度未召开支部党员大会" in row.missed


def test_cancelled_or_planned_meetings_do_not_count(cast: Any) -> None:
    meet(cast.branch, K.GENERAL, dt.date(2026, 8, 3), status=Meeting.Status.CANCELLED)
    meet(cast.branch, K.GENERAL, dt.date(2026, 8, 4), status=Meeting.Status.PLANNED)
    assert line(compliance(cast.township, Q3, AFTER_Q3), K.GENERAL) == (1, 0, 1, 0)


def test_a_meeting_without_photo_or_scan_is_compliant(cast: Any) -> None:
    """Nothing but the record: no document, no attendance, no scan."""
    for month in (7, 8, 9):
        meet(cast.branch, K.THEME_DAY, dt.date(2026, month, 10))
    assert line(compliance(cast.branch, Q3, AFTER_Q3), K.THEME_DAY) == (1, 1, 0, 0)


def test_missing_months_are_named(cast: Any) -> None:
    meet(cast.branch, K.THEME_DAY, dt.date(2026, 7, 10))
    info = compliance(cast.branch, Q3, AFTER_Q3)
    [row] = missed_page(info, 0, 10)
    assert "2026年8月、9月未开展主题党日" in row.missed


def test_the_current_quarter_is_in_progress_not_missed(cast: Any) -> None:
    today = dt.date(2026, 8, 20)
    meet(cast.branch, K.THEME_DAY, dt.date(2026, 7, 10))
    info = compliance(cast.branch, Q3, today)
    assert line(info, K.GENERAL) == (1, 0, 0, 1)  # the quarter is not over
    assert line(info, K.THEME_DAY) == (1, 0, 0, 1)  # July met, August still open
    meet(cast.branch, K.THEME_DAY, dt.date(2026, 8, 1))
    assert line(compliance(cast.branch, Q3, today), K.THEME_DAY) == (1, 1, 0, 0)
    last_day = compliance(cast.branch, Q3, dt.date(2026, 9, 30))  # still open on its last day
    assert line(last_day, K.GENERAL) == (1, 0, 0, 1)
    assert line(compliance(cast.branch, Q3, dt.date(2026, 10, 1)), K.GENERAL) == (1, 0, 1, 0)


def test_cancelling_a_held_meeting_updates_the_tally_idempotently(cast: Any) -> None:
    meeting = meet(cast.branch, K.GENERAL, dt.date(2026, 8, 3))
    Meeting.objects.filter(pk=meeting.pk).update(status=Meeting.Status.CANCELLED)
    meetings_changed(cast.branch.pk, [2026])
    meetings_changed(cast.branch.pk, [2026, 2026])
    assert line(compliance(cast.township, Q3, AFTER_Q3), K.GENERAL) == (1, 0, 1, 0)
    assert check_cadence_tally([2026]) == []


def test_a_revised_rule_value_applies_from_its_effective_date(cast: Any) -> None:
    RuleValue.objects.create(
        key="cadence.general_per_quarter",
        value=Decimal(0),
        effective_from=dt.date(2026, 7, 1),
        source="测试：本地修订",
    )
    year = compliance(cast.branch, Period(2026, "year"), dt.date(2027, 1, 10))
    assert line(year, K.GENERAL) == (1, 0, 1, 0)  # Q1 and Q2 still owed, Q3 and Q4 not
    assert not any(
        x.requirement.kind == K.GENERAL for x in compliance(cast.branch, Q3, AFTER_Q3).lines
    )


def test_a_yearly_minimum_above_one_counts_meetings(cast: Any) -> None:
    RuleValue.objects.create(key="cadence.life_per_year", value=Decimal(2),
                             effective_from=dt.date(2026, 1, 1), source="测试")  # fmt: skip
    meet(cast.branch, K.LIFE, dt.date(2026, 12, 1))
    info = compliance(cast.branch, Period(2026, "year"), dt.date(2027, 1, 5))
    assert line(info, K.LIFE) == (1, 0, 1, 0)
    [row] = missed_page(info, 0, 10, kind=K.LIFE)
    assert "2026年未召开组织生活会（应至少2次，已召开1次）" in row.missed
    meet(cast.branch, K.LIFE, dt.date(2026, 12, 2))
    assert line(compliance(cast.branch, Period(2026, "year"), dt.date(2027, 1, 5)), K.LIFE) == (
        1, 1, 0, 0,
    )  # fmt: skip


def test_org_founded_mid_quarter_owes_nothing_for_it(cast: Any) -> None:
    branch = create_organization(
        actor=cast.county_admin,
        parent=cast.township,
        kind=OrgKind.BRANCH,
        values={"name": "新建党支部", "code": "100000000009", "founded_on": dt.date(2026, 5, 15)},
    )
    assert CadenceTally.objects.filter(org=branch).exists()  # the watcher: this year's row
    refresh_year(2026)
    h1 = compliance(branch, Period(2026, "quarter", 2), AFTER_Q3)
    assert line(h1, K.GENERAL) == (0, 0, 0, 0)
    assert line(h1, K.THEME_DAY) == (1, 0, 1, 0)  # June only
    [row] = missed_page(h1, 0, 10)
    assert row.missed == ["2026年6月未开展主题党日"]
    assert line(compliance(branch, Q3, AFTER_Q3), K.GENERAL) == (1, 0, 1, 0)


def test_a_later_founding_date_changes_what_is_owed(cast: Any) -> None:
    org = update_organization(
        actor=cast.county_admin,
        org=cast.branch,
        expected_version=cast.branch.version,
        values={"founded_on": dt.date(2026, 8, 1)},
    )
    assert line(compliance(org, Q3, AFTER_Q3), K.GENERAL) == (0, 0, 0, 0)
    assert line(compliance(org, Q3, AFTER_Q3), K.THEME_DAY) == (1, 0, 1, 0)


def test_committee_meetings_only_owed_by_branches_with_a_committee(cast: Any) -> None:
    month = Period(2026, "month", 9)
    assert line(compliance(cast.branch, month, AFTER_Q3), K.COMMITTEE) == (0, 0, 0, 0)
    for i in range(6):  # 李明 + 6 = 7 正式党员
        make_member(cast.county_admin, cast.branch, name=f"党员{i}")
    refresh_year(2026)
    assert line(compliance(cast.branch, month, AFTER_Q3), K.COMMITTEE) == (1, 0, 1, 0)


def test_groups_owe_group_meetings_and_committees_leadership_meetings(cast: Any) -> None:
    group = create_organization(
        actor=cast.county_admin,
        parent=cast.branch,
        kind=OrgKind.GROUP,
        values={"name": "第一党小组", "code": "100000000010"},
    )
    refresh_year(2026)
    meet(group, K.GROUP, dt.date(2026, 9, 1))
    info = compliance(cast.county, Q3, AFTER_Q3)
    assert line(info, K.GROUP) == (1, 0, 1, 0)  # July and August missed
    year = compliance(cast.county, Period(2026, "year"), dt.date(2027, 1, 5))
    assert line(year, K.LEADERSHIP)[0] == 3  # the county and its two townships


def test_a_subtree_move_keeps_the_tally_right(cast: Any) -> None:
    meet(cast.branch, K.GENERAL, dt.date(2026, 8, 3))
    town2 = Organization.objects.get(code="100000000004")
    move_organization(actor=cast.county_admin, org=cast.branch, new_parent=town2)
    assert line(compliance(cast.township, Q3, AFTER_Q3), K.GENERAL)[0] == 0
    assert line(compliance(town2, Q3, AFTER_Q3), K.GENERAL) == (2, 1, 1, 0)
    assert check_cadence_tally([2026]) == []


def test_org_view_lists_meetings_and_missing_periods(cast: Any) -> None:
    held = meet(cast.branch, K.THEME_DAY, dt.date(2026, 7, 10))
    reqs = {r.requirement.kind: r for r in org_cadence(cast.branch, Q3, AFTER_Q3)}
    assert K.LEADERSHIP not in reqs
    assert reqs[K.THEME_DAY].meetings == [held]
    assert [s.state for s in reqs[K.THEME_DAY].slots] == ["已达到", "未达到", "未达到"]


def _brute_force(top: Organization, period: Period, today: dt.date) -> dict[str, tuple[int, int]]:
    """Owing and missed per kind, straight from the meetings (every rule 1, no committees)."""
    held = {
        (m.org_id, m.kind, m.date.month)
        for m in Meeting.objects.filter(status=HELD, date__year=period.year)
    }
    months = range(period.first_month, period.last_month + 1)
    found: dict[str, tuple[int, int]] = {}
    for kind, unit, kinds in (
        (K.GENERAL, 3, {"branch"}),
        (K.THEME_DAY, 1, {"branch"}),
        (K.GROUP, 1, {"group"}),
        (K.LEADERSHIP, 12, {"committee"}),
    ):
        owing = missed = 0
        for org in Organization.objects.under(top).filter(kind__in=kinds):
            spans = [ms for ms in (list(months[i : i + unit]) for i in range(0, len(months), unit))]
            spans = [s for s in spans if len(s) == unit and dt.date(period.year, s[0], 1) <= today]
            if not spans:
                continue
            owing += 1
            ended = [s for s in spans if Period(period.year, "month", s[-1]).end < today]
            if any(not any((org.pk, kind, m) in held for m in s) for s in ended):
                missed += 1
        found[kind] = (owing, missed)
    return found


def test_counts_equal_a_recount_from_meetings_on_a_random_tree(cast: Any) -> None:
    rng = random.Random(14)
    parents = [cast.township, Organization.objects.get(code="100000000004")]
    orgs = [cast.branch, cast.other_branch]
    for i in range(6):
        branch = create_organization(
            actor=cast.county_admin,
            parent=rng.choice(parents),
            kind=OrgKind.BRANCH,
            values={"name": f"随机党支部{i}", "code": f"3000000000{i:02d}"},
        )
        orgs.append(branch)
        if rng.random() < 0.5:
            orgs.append(
                create_organization(
                    actor=cast.county_admin,
                    parent=branch,
                    kind=OrgKind.GROUP,
                    values={"name": f"党小组{i}", "code": f"3100000000{i:02d}"},
                )
            )
    orgs += [cast.county, *parents]
    refresh_year(2026)
    for _ in range(60):
        org = rng.choice(orgs)
        kind = {"branch": rng.choice([K.GENERAL, K.THEME_DAY]), "group": K.GROUP}.get(
            org.kind, K.LEADERSHIP
        )
        day = dt.date(2026, rng.randint(1, 12), rng.randint(1, 28))
        meet(org, kind, day, rng.choice([HELD, HELD, Meeting.Status.CANCELLED]))
    for period in (Period(2026, "year"), Q3, Period(2026, "quarter", 4), Period(2026, "month", 5)):
        for today in (dt.date(2026, 11, 20), dt.date(2027, 2, 1)):
            for top in (cast.county, cast.township):
                info = compliance(top, period, today)
                for kind, (owing, missed) in _brute_force(top, period, today).items():
                    got = next((x for x in info.lines if x.requirement.kind == kind), None)
                    assert ((got.owing, got.missed) if got else (0, 0)) == (owing, missed), (
                        period,
                        today,
                        kind,
                    )
    assert check_cadence_tally([2026]) == []


@pytest.mark.parametrize(
    ("text", "label"),
    [("2026", "2026年"), ("2026-Q3", "2026年第3季度"), ("2026-08", "2026年8月")],
)
def test_period_parse(text: str, label: str) -> None:
    assert Period.parse(text).label == label
    assert Period.parse(text).key == text


def test_check_command_finds_a_stale_row_and_rebuild_fixes_it(cast: Any) -> None:
    from django.core.management import CommandError, call_command

    meet(cast.branch, K.GENERAL, dt.date(2026, 8, 3))
    call_command("check_cadence_tally", year=[2026])
    CadenceTally.objects.filter(org=cast.branch, year=2026).update(m_general=0, gaps=0)
    with pytest.raises(CommandError, match="1 处不一致"):
        call_command("check_cadence_tally", year=[2026])
    call_command("rebuild_cadence_tally", year=[2026])
    assert check_cadence_tally([2026]) == []


def test_the_meeting_services_keep_the_tally_and_fulfil_the_plan(cast: Any) -> None:
    """End to end through meetings.services: scheduled (待召开) counts for nothing, the one-pass
    roll makes it held and met, a cancelled one never counts; the plan item it fulfils leaves
    the 工作台."""
    from dangjian.accounts.scope import scope_for
    from dangjian.meetings import services
    from dangjian.meetings.plans import ItemData, PlanItemsDue, add_item, create_plan

    plan = create_plan(actor=cast.secretary, org=cast.branch, year=2026)
    item = add_item(actor=cast.secretary, plan=plan, version=plan.version,
                    data=ItemData(K.GENERAL, dt.date(2026, 9, 28), "第三季度党员大会"))  # fmt: skip
    data = services.MeetingData(kind=K.GENERAL, title="第三季度党员大会",
                                date=dt.date(2026, 9, 30), plan_item=item)  # fmt: skip
    meeting = services.schedule_meeting(actor=cast.secretary, org=cast.branch, data=data)
    assert line(compliance(cast.branch, Q3, AFTER_Q3), K.GENERAL) == (1, 0, 1, 0)
    rows = [services.AttendanceRow(member_id=cast.member.pk, status="present")]
    meeting = services.record_attendance(
        actor=cast.secretary, meeting=meeting, rows=rows, version=meeting.version
    )
    assert line(compliance(cast.branch, Q3, AFTER_Q3), K.GENERAL) == (1, 1, 0, 0)
    bench = PlanItemsDue().items_for(cast.secretary, scope_for(cast.secretary), AFTER_Q3)
    assert list(bench) == []
    q2 = services.MeetingData(kind=K.GENERAL, title="第二季度党员大会", date=dt.date(2026, 6, 30))
    planned = services.schedule_meeting(actor=cast.secretary, org=cast.branch, data=q2)
    services.cancel_meeting(actor=cast.secretary, meeting=planned, reason="改期",
                            version=planned.version)  # fmt: skip
    q2_line = line(compliance(cast.branch, Period(2026, "quarter", 2), AFTER_Q3), K.GENERAL)
    assert q2_line == (1, 0, 1, 0)
    assert check_cadence_tally([2026]) == []
