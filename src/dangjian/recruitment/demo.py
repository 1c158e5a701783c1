"""Demo 发展党员 files in the demo village, every step taken through the step services (the
engine checks each rule and period, with past dates), never by writing a status:

- 刘晓雨: an 入党申请人 whose 谈话 is due within the month;
- 孙浩然: an 入党积极分子 of nine months, with two 培养联系人, 思想汇报 and a 考察;
- 周梦琪: a 发展对象 in 公示 (published two days ago);
- 吴建国: a 预备党员 whose probation ends in ten days, 转正申请 handed in.

Each file is made in its own transaction: one the rules refuse (say the demo is loaded on a
date whose working-day calendar is unknown) leaves nothing half made and the others stand."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from dateutil.relativedelta import relativedelta
from django.db import transaction
from stdnum.cn import ric

from dangjian.core.exceptions import DomainError
from dangjian.meetings import services as meetings
from dangjian.meetings.models import Attendance, MeetingKind
from dangjian.members.choices import MemberCategory, MemberStatus
from dangjian.members.models import Member
from dangjian.orgs.models import Organization
from dangjian.recruitment import services
from dangjian.recruitment.models import Applicant, Assessment
from dangjian.votes import services as votes
from dangjian.votes.models import Poll

AREA = "130534"  # 河北省清河县, as the demo county's members


@dataclass
class Cast:
    """Who acts in the demo: the village's secretary and the township's 党委 (审批发展党员)."""

    secretary: Any
    approver: Any
    village: Organization
    today: dt.date

    def ago(self, **delta: int) -> dt.date:
        return self.today - relativedelta(**delta)  # type: ignore[arg-type]


def seed_demo(*, secretary: Any, approver: Any, village: Organization, today: dt.date) -> int:
    """The demo files of the village; returns how many were made."""
    cast = Cast(secretary, approver, village, today)
    made = 0
    for plan in (_awaiting_talk, _activist, _in_publicity, _probationary):
        try:
            with transaction.atomic():
                plan(cast)
        except DomainError:
            continue
        made += 1
    return made


# --- one file each ---------------------------------------------------------------------------


def _awaiting_talk(cast: Cast) -> None:
    _register(cast, "刘晓雨", "F", dt.date(2003, 9, 12), cast.ago(days=10), league=True,
              post="张庄村村委会文书", seq=902)  # fmt: skip


def _activist(cast: Cast) -> None:
    applied = cast.ago(months=10)
    a = _register(cast, "孙浩然", "M", dt.date(1994, 5, 20), applied, post="村种植合作社技术员",
                  seq=903)  # fmt: skip
    start = _to_activist(cast, a, applied)
    for months in (3, 6):
        _report(cast, a, start + relativedelta(months=months))
    _assess(cast, a, start + relativedelta(months=6))


def _in_publicity(cast: Cast) -> None:
    applied = cast.ago(months=30)
    a = _register(cast, "周梦琪", "F", dt.date(1996, 11, 3), applied, post="张庄村小学教师",
                  seq=904)  # fmt: skip
    _to_candidate(cast, a, applied, publish=cast.ago(days=2))


def _probationary(cast: Cast) -> None:
    """Admitted by the 支部党员大会 a year ago less ten days: 转正 is discussed when it ends."""
    voted = cast.today - relativedelta(years=1) + relativedelta(days=10)
    applied = voted - relativedelta(months=30)
    a = _register(cast, "吴建国", "M", dt.date(1990, 2, 8), applied, post="张庄村会计", seq=907)
    _to_candidate(cast, a, applied, publish=voted - relativedelta(days=20))  # 5 工作日 in 18 days
    _step(cast, a, "end_publicity", voted - relativedelta(days=2), objections=False)
    _step(cast, a, "fill_form", voted - relativedelta(days=1))
    _vote(cast, a, voted)
    _step(cast, a, "admit", voted)
    _step(cast, a, "committee_talk", voted + relativedelta(days=20), by=cast.approver)
    _step(cast, a, "approve", voted + relativedelta(days=30), by=cast.approver)
    _step(cast, a, "file_upper", voted + relativedelta(days=35), by=cast.approver)
    _step(cast, a, "oath", voted + relativedelta(days=40))
    for months in (3, 6, 9):
        _report(cast, a, voted + relativedelta(months=months))
        _assess(cast, a, voted + relativedelta(months=months), kind=Assessment.Kind.PROBATION)
    _step(cast, a, "apply_full", cast.ago(days=3))


# --- the stages --------------------------------------------------------------------------------


def _to_activist(cast: Cast, a: Applicant, applied: dt.date) -> dt.date:
    """谈话 two weeks after the application, 入党积极分子 a month after it, 备案, 联系人."""
    _step(cast, a, "talk", applied + relativedelta(days=14))
    start = applied + relativedelta(months=1)
    _step(cast, a, "confirm_activist", start, recommendation="members")
    _step(cast, a, "file_activist", start + relativedelta(days=7), by=cast.approver)
    _step(cast, a, "assign_contacts", start + relativedelta(days=7), contacts=_members(cast, 0, 2))
    return start


def _to_candidate(cast: Cast, a: Applicant, applied: dt.date, *, publish: dt.date) -> None:
    """From the application to the 公示 published on `publish`: a year and a month as activist
    with a 考察 every half year, then the 发展对象's steps in the weeks before the 公示."""
    start = _to_activist(cast, a, applied)
    for months in (6, 12):
        _assess(cast, a, start + relativedelta(months=months))
    # 思想汇报 every quarter up to the 公示, as a diligent branch keeps them (no overdue item
    # on the demo's work list from a gap the demo itself left)
    quarter = start + relativedelta(months=3)
    while quarter < publish:
        _report(cast, a, quarter)
        quarter += relativedelta(months=3)
    chosen = start + relativedelta(months=13)
    _step(cast, a, "confirm_candidate", chosen,
          opinions_heard=["group", "contacts", "members", "masses"])  # fmt: skip
    _step(cast, a, "file_candidate", chosen + relativedelta(days=7), by=cast.approver)
    _step(cast, a, "set_introducers", chosen + relativedelta(days=7),
          introducers=_members(cast, 0, 2))  # fmt: skip
    reviewed = publish - relativedelta(days=30)
    _step(cast, a, "political_review", reviewed - relativedelta(days=20), conclusion="passed")
    _training(cast, a, reviewed - relativedelta(days=12))
    _step(cast, a, "committee_review", reviewed)
    _step(cast, a, "pre_review", reviewed + relativedelta(days=14), by=cast.approver)
    _step(cast, a, "publish", publish)


def _training(cast: Cast, a: Applicant, end: dt.date) -> None:
    start = end - relativedelta(days=2)
    _step(cast, a, "training", end, organizer="中共城关镇委员会党校", start=start, end=end,
          days=3, hours=24)  # fmt: skip


def _vote(cast: Cast, a: Applicant, day: dt.date) -> None:
    """The 支部党员大会 of `day` (补录 with everyone present), the motion put to it, counted on
    paper: every voter present votes yes."""
    data = meetings.MeetingData(
        kind=MeetingKind.GENERAL,
        title=f"讨论接收{a.name}为预备党员的支部党员大会",
        date=day,
        topics=f"讨论接收{a.name}为中共预备党员",
    )
    meeting = meetings.schedule_meeting(actor=cast.secretary, org=cast.village, data=data)
    rows = [
        meetings.AttendanceRow(member_id=r.member_id, status=Attendance.Status.PRESENT)
        for r in meetings.expected_rows(meeting)
    ]
    meeting = meetings.record_attendance(
        actor=cast.secretary, meeting=meeting, rows=rows, version=meeting.version
    )
    _step(cast, a, "put_to_vote", day, meeting=meeting, method=Poll.Method.TOTALS)
    a.refresh_from_db()
    poll = a.poll
    assert poll is not None
    present = poll.voters.filter(present=True).count()
    totals = {"invalid": 0, "counts": {"vote": {"yes": present}}}
    votes.record_paper_counts(
        actor=cast.secretary, poll=poll, issued=present, returned=present, totals=totals
    )
    services.count_vote(actor=cast.secretary, applicant=a)


# --- helpers -----------------------------------------------------------------------------------


def _register(
    cast: Cast, name: str, gender: str, birth: dt.date, applied: dt.date, *, post: str, seq: int,
    league: bool = False,
) -> Applicant:  # fmt: skip
    body = f"{AREA}{birth:%Y%m%d}{seq:03d}"  # the 17th digit: odd for men, even for women
    data = services.ApplicantData(
        name=name, gender=gender, ethnicity="01", birth_date=birth,
        id_number=body + ric.calc_check_digit(body + "0"), education="co" if league else "ba",
        person_category="farmer" if "村" in post else "prof", applied_on=applied,
        work_unit_post=post, league_member=league, native_place="河北清河",
    )  # fmt: skip
    return services.register_applicant(
        actor=cast.secretary, org=cast.village, data=data, confirmed=True
    )


def _members(cast: Cast, first: int, count: int) -> list[Member]:
    """正式党员 of the village (培养联系人, 入党介绍人), in a fixed order."""
    found = Member.objects.filter(
        org=cast.village, status=MemberStatus.ACTIVE, category=MemberCategory.FULL
    ).order_by("pk")[first : first + count]
    people = list(found)
    if len(people) < count:
        raise DomainError("演示村党支部的正式党员不足。")
    return people


def _step(cast: Cast, a: Applicant, name: str, on: dt.date, by: Any = None, **fields: Any) -> None:
    """One step through its service, as the step page calls it (cleaned data, confirmed)."""
    a.refresh_from_db()
    service: Callable[..., Any] = services.STEPS[name]
    service(by or cast.secretary, a, {"on": on, "version": a.version, "note": "", **fields}, True)


def _report(cast: Cast, a: Applicant, on: dt.date) -> None:
    if on <= cast.today:
        summary = "学习党章和党的创新理论的体会"
        services.record_report(actor=cast.secretary, applicant=a, submitted_on=on, summary=summary)


def _assess(cast: Cast, a: Applicant, on: dt.date, kind: str = Assessment.Kind.ACTIVIST) -> None:
    if on <= cast.today:
        services.record_assessment(
            actor=cast.secretary, applicant=a, kind=kind, assessed_on=on,
            opinion="政治立场坚定，工作积极主动，能按时递交思想汇报。", by="培养联系人",
        )  # fmt: skip
