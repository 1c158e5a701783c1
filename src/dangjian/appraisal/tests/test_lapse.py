"""自行脱党 candidates (党章第九条: 连续六个月不参加组织生活), from the meetings' attendance.

A month counts as absent when the member was expected at a held meeting that month and was 缺席
from all of them, and came to none anywhere (a 流动党员 at the destination did come). 请假 is a
good reason. A month with no meeting the member was expected at ends the run (no absence on
record): the rule value is read as `appraisal.lapse_months`."""

from __future__ import annotations

import datetime as dt

import pytest

from dangjian.appraisal import services
from dangjian.appraisal.models import Disposition
from dangjian.appraisal.selectors import lapse_candidates
from dangjian.appraisal.tests.conftest import attend, make_meeting
from dangjian.core.exceptions import DomainError
from dangjian.core.models import RuleValue
from dangjian.meetings.models import Attendance, MeetingKind

TODAY = dt.date(2026, 7, 15)
A = Attendance.Status


def monthly(cast, months, status_of):
    """A 主题党日 on the 10th of each month (2026-01 onwards) with 赵五's attendance."""
    who = cast.full[5]
    for month in range(1, months + 1):
        meeting = make_meeting(cast.branch, MeetingKind.THEME_DAY, dt.date(2026, month, 10))
        attend(meeting, who, status_of(month))
    return who


def flagged(cast):
    return [c.member.name for c in lapse_candidates((cast.branch.path,), TODAY)]


def test_rule_value_is_six_months_from_the_constitution(db):
    row = RuleValue.objects.get(key="appraisal.lapse_months")
    assert row.value == 6 and "第九条" in row.source


def test_six_absent_months_are_flagged(ap):
    monthly(ap, 6, lambda m: A.ABSENT)
    assert flagged(ap) == ["赵五"]
    assert lapse_candidates((ap.branch.path,), TODAY)[0].span == "2026年01月至2026年06月"


def test_five_absent_months_are_not(ap):
    monthly(ap, 6, lambda m: A.PRESENT if m == 1 else A.ABSENT)
    assert flagged(ap) == []


def test_a_month_on_leave_breaks_the_run(ap):
    monthly(ap, 6, lambda m: A.LEAVE if m == 3 else A.ABSENT)
    assert flagged(ap) == []


def test_attendance_at_the_destination_breaks_the_run(ap):
    who = monthly(ap, 6, lambda m: A.ABSENT)
    away = make_meeting(ap.far_branch, MeetingKind.THEME_DAY, dt.date(2026, 4, 20))
    attend(away, who, A.PRESENT, expected=False)
    assert flagged(ap) == []


def test_a_month_without_a_meeting_is_not_absence(ap):
    monthly(ap, 6, lambda m: A.ABSENT)
    Attendance.objects.filter(meeting__date__month=2).delete()
    ap.branch.meetings.filter(date__month=2).delete()
    assert flagged(ap) == []  # Jan, then Mar–Jun: four and one, never six in a row


def test_removal_is_proposed_only_for_a_candidate(ap):
    with pytest.raises(DomainError, match="自行脱党"):
        services.propose_removal(actor=ap.secretary, member=ap.full[5], on=TODAY)
    who = monthly(ap, 6, lambda m: A.ABSENT)
    disposition = services.propose_removal(actor=ap.secretary, member=who, on=TODAY)
    assert disposition.status == Disposition.Status.PROPOSED
    assert disposition.measure == Disposition.Measure.REMOVE


def test_participation_reported_from_a_destination_outside_breaks_the_run(ap):
    from dangjian.mobile.services import record_participation, register_stay
    from dangjian.mobile.tests.conftest import stay_data

    who = monthly(ap, 6, lambda m: A.ABSENT)
    data = stay_data(start_on=dt.date(2025, 12, 20), destination_text="某商会党支部")
    stay = register_stay(actor=ap.secretary, member=who, data=data)
    record_participation(actor=ap.secretary, stay=stay, on=dt.date(2026, 4, 20), kind="dues")
    assert flagged(ap) == ["赵五"]  # 交纳党费 is not 组织生活
    record_participation(actor=ap.secretary, stay=stay, on=dt.date(2026, 4, 21), kind="theme_day")
    assert flagged(ap) == []
