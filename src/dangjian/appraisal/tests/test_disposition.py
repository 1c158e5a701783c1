"""组织处置 of a member graded 不合格 (党章第九条): 限期改正, then 劝其退党 or 除名 by a 支部党员
大会 decision (the votes engine counts quorum and majority) and the 基层党委's approval."""

from __future__ import annotations

import datetime as dt

import pytest

from dangjian.appraisal import services
from dangjian.appraisal.models import Disposition
from dangjian.appraisal.procedures import DISPOSITION
from dangjian.appraisal.tests.conftest import RATE_DAY, attend, make_meeting
from dangjian.appraisal.tests.helpers import counted, grades_for, paper_totals
from dangjian.core.procedures import StepRefused, steps_available
from dangjian.meetings.models import Attendance, MeetingKind
from dangjian.members.models import Member
from dangjian.votes.models import Poll

DEADLINE = dt.date(2026, 3, 31)
GENERAL_DAY = dt.date(2026, 4, 8)
M = Disposition.Measure


def unqualified(cast, life):
    """赵五 graded 不合格 and given until 2026-03-31 to correct."""
    appraisal = counted(cast, life)
    services.rate_members(actor=cast.secretary, appraisal=appraisal,
                          grades=grades_for(cast, unqualified=("赵五",)), body="committee",
                          on=RATE_DAY)  # fmt: skip
    services.publish_results(actor=cast.secretary, appraisal=appraisal, on=RATE_DAY)
    services.apply_results(actor=cast.secretary, appraisal=appraisal, on=RATE_DAY)
    disposition = Disposition.objects.get()
    services.set_deadline(actor=cast.secretary, disposition=disposition, deadline=DEADLINE,
                          on=RATE_DAY)  # fmt: skip
    return disposition


def voted(cast, disposition, present: int, yes: int):
    """A 支部党员大会 where the first `present` full members came, and its count."""
    meeting = make_meeting(cast.branch, MeetingKind.GENERAL, GENERAL_DAY)
    for i, m in enumerate(cast.full):
        attend(meeting, m, Attendance.Status.PRESENT if i < present else Attendance.Status.ABSENT)
    poll = services.put_to_vote(actor=cast.secretary, disposition=disposition, meeting=meeting,
                                method=Poll.Method.TOTALS)  # fmt: skip
    paper_totals(cast, poll, {"vote": {"yes": yes, "no": present - yes}}, present)
    services.count_decision(actor=cast.secretary, disposition=disposition)
    disposition.refresh_from_db()
    return disposition


@pytest.fixture
def proposed(ap, life):
    disposition = unqualified(ap, life)
    services.propose_measure(actor=ap.secretary, disposition=disposition, measure=M.ADVISE,
                             on=DEADLINE)  # fmt: skip
    services.hear_member(actor=ap.secretary, disposition=disposition, view="本人表示接受组织处理",
                         on=DEADLINE)  # fmt: skip
    return disposition


def test_correction_is_judged_on_the_deadline_not_before(ap, life):
    disposition = unqualified(ap, life)
    with pytest.raises(StepRefused, match="改正期限"):
        services.record_corrected(actor=ap.secretary, disposition=disposition,
                                  on=DEADLINE - dt.timedelta(days=1))  # fmt: skip
    services.record_corrected(actor=ap.secretary, disposition=disposition, on=DEADLINE)
    assert disposition.status == Disposition.Status.CORRECTED


def test_vote_needs_the_member_heard_first(ap, life):
    disposition = unqualified(ap, life)
    services.propose_measure(actor=ap.secretary, disposition=disposition, measure=M.REMOVE,
                             on=DEADLINE)  # fmt: skip
    meeting = make_meeting(ap.branch, MeetingKind.GENERAL, GENERAL_DAY)
    with pytest.raises(StepRefused, match="本人意见"):
        services.put_to_vote(actor=ap.secretary, disposition=disposition, meeting=meeting)


def test_decision_with_just_over_half_present_passes(ap, proposed):
    disposition = voted(ap, proposed, present=4, yes=4)  # 4 of 6: more than half
    services.record_decision(actor=ap.secretary, disposition=disposition, on=GENERAL_DAY)
    assert disposition.status == Disposition.Status.DECIDED


def test_decision_with_exactly_half_present_fails_quorum(ap, proposed):
    disposition = voted(ap, proposed, present=3, yes=3)  # 3 of 6: not more than half
    assert disposition.poll.result["quorum_met"] is False
    option = {o.name: o for o in steps_available(ap.secretary, disposition, DISPOSITION)}
    assert not option["decide"].allowed and "半数" in option["decide"].reason
    services.record_decision(actor=ap.secretary, disposition=disposition, on=GENERAL_DAY)
    assert disposition.status == Disposition.Status.PROPOSED  # 表决未通过: back to the branch


def test_higher_approval_refused_for_the_secretary_allowed_for_the_committee(ap, proposed):
    disposition = voted(ap, proposed, present=5, yes=5)
    services.record_decision(actor=ap.secretary, disposition=disposition, on=GENERAL_DAY)
    with pytest.raises(StepRefused, match="审批组织处置"):
        services.approve_disposition(actor=ap.secretary, disposition=disposition, approved=True,
                                     on=GENERAL_DAY)  # fmt: skip
    services.approve_disposition(actor=ap.approver, disposition=disposition, approved=True,
                                 on=GENERAL_DAY)  # fmt: skip
    services.record_exit(actor=ap.secretary, disposition=disposition, on=GENERAL_DAY)
    assert Member.objects.get(name="赵五").status == "exited"
    assert disposition.status == Disposition.Status.EXITED


def test_advice_refused_by_the_member_goes_on_to_removal(ap, proposed):
    disposition = voted(ap, proposed, present=5, yes=5)
    services.record_decision(actor=ap.secretary, disposition=disposition, on=GENERAL_DAY)
    services.approve_disposition(actor=ap.approver, disposition=disposition, approved=True,
                                 on=GENERAL_DAY)  # fmt: skip
    services.record_refusal_to_leave(actor=ap.secretary, disposition=disposition, on=GENERAL_DAY,
                                     note="本人坚持不愿退党")  # fmt: skip
    assert disposition.status == Disposition.Status.PROPOSED
    assert disposition.measure == M.REMOVE and disposition.poll is None


def test_outsider_sees_no_steps(ap, proposed):
    assert steps_available(ap.outsider, proposed, DISPOSITION) == []
    assert steps_available(ap.member_user, proposed, DISPOSITION) == []
