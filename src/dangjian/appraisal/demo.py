"""Demo 民主评议 in the demo village, through the real services: last year's appraisal finished
(学习动员 → 个人自评 → 互评 → 民主测评 in the 组织生活会 → 组织评定 → 反馈公示 → 结果运用), so
the member pages show a grade and the results sheet prints. The 测评 is held in the village's
组织生活会 of that year from the demo meetings (or one entered through the meetings services)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction

from dangjian.appraisal import services
from dangjian.appraisal.selectors import test_outcomes
from dangjian.core.exceptions import DomainError
from dangjian.meetings import services as meetings
from dangjian.meetings.models import Attendance, Meeting, MeetingKind
from dangjian.orgs.models import Organization
from dangjian.votes import services as votes
from dangjian.votes.models import Poll


def _life_meeting(secretary: Any, village: Organization, year: int, today: dt.date) -> Meeting:
    """The village's 组织生活会 of `year` from the demo meetings, or one held on 12-10 with
    everyone present, entered through the meetings services."""
    found = (
        Meeting.objects.filter(
            org=village, kind=MeetingKind.LIFE, date__year=year, status=Meeting.Status.HELD
        )
        .order_by("date")
        .first()
    )
    if found is not None and found.date <= today:
        return found
    data = meetings.MeetingData(
        kind=MeetingKind.LIFE,
        title=f"{year}年度组织生活会暨民主评议党员大会",
        date=dt.date(year, 12, 10),
        topics="对照检查、批评和自我批评\n民主评议党员",
    )
    meeting = meetings.schedule_meeting(actor=secretary, org=village, data=data)
    rows = [
        meetings.AttendanceRow(member_id=a.member_id, status=Attendance.Status.PRESENT)
        for a in meetings.expected_rows(meeting)
    ]
    return meetings.record_attendance(
        actor=secretary, meeting=meeting, rows=rows, version=meeting.version
    )


def seed_demo(*, secretary: Any, village: Organization, today: dt.date) -> int:
    """Last year's appraisal of the village, finished; 1 made, 0 when its history refuses."""
    year = today.year - 1
    try:
        with transaction.atomic():  # a refusal leaves nothing half made
            _finish(secretary, village, year, today)
    except DomainError:
        return 0
    return 1


def _finish(secretary: Any, village: Organization, year: int, today: dt.date) -> None:
    appraisal = services.start_appraisal(
        actor=secretary, org=village, year=year, on=dt.date(year, 11, 5)
    )
    meeting = _life_meeting(secretary, village, year, today)
    day = meeting.date
    services.start_peer_review(actor=secretary, appraisal=appraisal, on=day)
    poll = services.hold_test(
        actor=secretary, appraisal=appraisal, meeting=meeting, method=Poll.Method.TOTALS
    )
    present = len(services.present_voter_ids(poll, meeting))
    graded = list(poll.candidates.filter(graded=True).order_by("position"))
    top = len(graded) // 4  # a quarter 优秀: within the cap of one third
    counts = {
        str(c.pk): {"excellent" if i < top else "qualified": present} for i, c in enumerate(graded)
    }
    votes.record_paper_counts(actor=secretary, poll=poll, issued=present, returned=present,
                              totals={"invalid": 0, "counts": counts})  # fmt: skip
    services.count_test(actor=secretary, appraisal=appraisal)
    services.record_test(actor=secretary, appraisal=appraisal, on=day)
    grades = {m: g for m, g in test_outcomes(appraisal).items() if g}
    rated = min(day + dt.timedelta(days=3), today)
    services.rate_members(actor=secretary, appraisal=appraisal, grades=grades,
                          body="committee", on=rated)  # fmt: skip
    services.publish_results(actor=secretary, appraisal=appraisal, on=rated)
    services.apply_results(actor=secretary, appraisal=appraisal, on=rated)
