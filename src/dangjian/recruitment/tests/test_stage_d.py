"""Stage D of 发展党员 (预备党员的接收): 公示 on the working-day calendar, the 支部党员大会 vote on
the votes engine (quorum, majority, written opinions, 预备党员 not voting), the 上级党委's 谈话
and 审批 within its months, and the register and statistics following the approval."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from dateutil.relativedelta import relativedelta
from django.urls import reverse

from dangjian.audit.models import AuditEvent
from dangjian.core.exceptions import ConcurrentEditError, DomainError
from dangjian.core.procedures import NeedsConfirmation, StepRefused, steps_available, steps_of
from dangjian.meetings.models import Attendance
from dangjian.members.choices import MemberCategory
from dangjian.members.models import Member, MemberEvent
from dangjian.members.services import admit_recruit
from dangjian.recruitment import services
from dangjian.recruitment.models import Applicant
from dangjian.recruitment.procedures import RECRUITMENT
from dangjian.recruitment.testing import (
    approver_for,
    enter_totals,
    file_at,
    full_members,
    general_meeting,
)
from dangjian.stats.reports import developed_in
from dangjian.testing import make_member
from dangjian.votes import services as votes
from dangjian.votes.models import Poll

S = Applicant.Status
SEP_29 = dt.date(2026, 9, 29)  # a Tuesday; 10-01..10-07 are the National Day holiday
FIFTH_DAY = dt.date(2026, 10, 10)  # 9-29, 9-30, 10-08, 10-09, 10-10 (a 调休 Saturday)
FORM_DAY = dt.date(2026, 3, 2)  # the 入党志愿书 filled in
MEETING_DAY = dt.date(2026, 3, 5)  # the 支部党员大会


@pytest.fixture
def branch(cast: Any) -> Any:
    """东街社区党支部 with six 正式党员 (李明 and five more) and one 预备党员, 孙六."""
    cast.full = full_members(cast.secretary, cast.branch, 6)
    cast.prob = make_member(cast.county_admin, cast.branch, name="孙六",
                            join=dt.date(2025, 12, 1), full=None)  # fmt: skip
    cast.approver = approver_for(cast.branch)
    return cast


def step(name: str, actor: Any, a: Applicant, confirmed: bool = False, **d: Any) -> Any:
    a.refresh_from_db()
    return services.STEPS[name](actor, a, {"version": a.version, "note": "", **d}, confirmed)


def to_vote(cast: Any, a: Applicant, present: int, *, extra: tuple[Any, ...] = ()) -> Poll:
    """The 支部党员大会 on MEETING_DAY, the first `present` full members (and `extra`) there."""
    meeting = general_meeting(cast.branch, MEETING_DAY, present=[*cast.full[:present], *extra])
    step("put_to_vote", cast.secretary, a, meeting=meeting, method=Poll.Method.TOTALS)
    a.refresh_from_db()
    assert a.poll is not None
    return a.poll


def counted(cast: Any, a: Applicant, present: int, yes: int) -> Applicant:
    poll = to_vote(cast, a, present)
    enter_totals(cast.secretary, poll, yes, present - yes)
    services.count_vote(actor=cast.secretary, applicant=a)
    a.refresh_from_db()
    return a


def options(user: Any, a: Applicant) -> dict[str, Any]:
    return {o.name: o for o in steps_available(user, a, RECRUITMENT, on=MEETING_DAY)}


# --- 公示 ----------------------------------------------------------------------------------


def test_publicity_ends_after_five_working_days_not_on_the_fifth(branch: Any) -> None:
    a = file_at(S.PUBLICITY, branch.branch, on=SEP_29, secretary=branch.secretary)
    with pytest.raises(
        StepRefused, match=r"公示期至 2026-10-10 届满（发展对象公示期，依据各地发展党员公示制度"
    ):
        step("end_publicity", branch.secretary, a, on=FIFTH_DAY, objections=False)
    with pytest.raises(DomainError, match="反映的问题"):
        step("end_publicity", branch.secretary, a, on=FIFTH_DAY + dt.timedelta(days=1),
             objections=True)  # fmt: skip
    step("end_publicity", branch.secretary, a, on=FIFTH_DAY + dt.timedelta(days=1),
         objections=True, note="反映其工作作风问题，经核实不属实")  # fmt: skip
    a.refresh_from_db()
    assert a.status == S.PUBLICIZED


def test_vote_refused_while_the_publicity_runs(branch: Any) -> None:
    a = file_at(S.PUBLICITY, branch.branch, on=SEP_29, secretary=branch.secretary)
    assert "put_to_vote" not in options(branch.secretary, a)
    meeting = general_meeting(branch.branch, FIFTH_DAY)
    with pytest.raises(StepRefused, match=r"公示期至 2026-10-10 届满（发展对象公示期，依据各地"):
        step("put_to_vote", branch.secretary, a, meeting=meeting, method=Poll.Method.PAPER)
    assert not Poll.objects.exists()


def test_vote_refused_before_the_training_ended_allowed_on_its_last_day(branch: Any) -> None:
    a = file_at(S.FORM, branch.branch, on=FORM_DAY, secretary=branch.secretary,
                training_end=MEETING_DAY)  # fmt: skip
    early = general_meeting(branch.branch, MEETING_DAY - dt.timedelta(days=1))
    with pytest.raises(StepRefused, match=r"集中培训至 2026-03-05 结束.*细则第十七条"):
        step("put_to_vote", branch.secretary, a, meeting=early, method=Poll.Method.PAPER)
    assert not Poll.objects.exists()  # nothing half done
    to_vote(branch, a, 6)
    a.refresh_from_db()
    assert a.status == S.VOTING and a.poll.title == "关于接收王小明为中共预备党员的表决"
    assert a.meeting.date == MEETING_DAY


def test_vote_only_in_a_general_meeting_of_the_branch(branch: Any) -> None:
    a = file_at(S.FORM, branch.branch, on=FORM_DAY, secretary=branch.secretary)
    other = general_meeting(branch.other_branch, MEETING_DAY, present=[])
    with pytest.raises(DomainError, match="东街社区党支部的支部党员大会"):
        step("put_to_vote", branch.secretary, a, meeting=other, method=Poll.Method.PAPER)


# --- the 支部党员大会 ------------------------------------------------------------------------


@pytest.fixture
def form(branch: Any) -> Applicant:
    return file_at(S.FORM, branch.branch, on=FORM_DAY, secretary=branch.secretary)


def test_exactly_half_present_is_no_quorum(branch: Any, form: Applicant) -> None:
    a = counted(branch, form, present=3, yes=3)  # 3 of 6 due: not more than half
    assert a.poll.result["quorum_met"] is False
    option = options(branch.secretary, a)
    assert not option["admit"].allowed and "半数" in option["admit"].reason
    with pytest.raises(StepRefused, match="到会有表决权的党员未超过应到会人数的半数"):
        step("admit", branch.secretary, a)
    step("admit_failed", branch.secretary, a)
    a.refresh_from_db()
    assert a.status == S.CANDIDATE and a.resolution_on is None


def test_one_more_present_makes_the_quorum(branch: Any, form: Applicant) -> None:
    a = counted(branch, form, present=4, yes=4)
    assert a.poll.result["quorum_met"] is True
    step("admit", branch.secretary, a)
    a.refresh_from_db()
    assert a.status == S.VOTED and a.resolution_on == MEETING_DAY


def test_half_of_those_due_voting_yes_does_not_pass(branch: Any, form: Applicant) -> None:
    a = counted(branch, form, present=5, yes=3)  # 3 yes of 6 due
    assert a.poll.result["quorum_met"] and not a.poll.result["passed"]
    with pytest.raises(StepRefused, match="赞成票未超过应到会"):
        step("admit", branch.secretary, a)


def test_half_and_one_voting_yes_passes(branch: Any, form: Applicant) -> None:
    a = counted(branch, form, present=5, yes=4)
    assert a.poll.result["passed"]
    with pytest.raises(StepRefused, match="表决已通过"):
        step("admit_failed", branch.secretary, a)
    step("admit", branch.secretary, a)


def test_an_absent_members_written_opinion_counts_toward_yes(branch: Any, form: Applicant) -> None:
    poll = to_vote(branch, form, 4)  # 赞成 3 at the meeting: not enough alone
    absent = poll.voters.get(member=branch.full[5])
    votes.record_written_opinion(actor=branch.secretary, poll=poll, voter_id=absent.pk, vote="yes")
    enter_totals(branch.secretary, poll, 3, 1)
    services.count_vote(actor=branch.secretary, applicant=form)
    poll.refresh_from_db()
    assert poll.result["quorum_met"] and poll.result["passed"]
    step("admit", branch.secretary, form)


def test_a_probationary_member_attends_but_is_no_voter(branch: Any, form: Applicant) -> None:
    poll = to_vote(branch, form, 6, extra=(branch.prob,))
    assert poll.voters.count() == 6
    assert not poll.voters.filter(member=branch.prob).exists()
    assert Attendance.objects.filter(member=branch.prob, status="present").exists()


def test_count_needs_the_run_votes_ability(branch: Any, form: Applicant) -> None:
    poll = to_vote(branch, form, 6)
    enter_totals(branch.secretary, poll, 6)
    with pytest.raises(DomainError):
        services.count_vote(actor=branch.member_user, applicant=form)
    response = branch.client(branch.member_user).post(reverse("recruitment:count", args=[form.pk]))
    assert response.status_code in (403, 404)
    response = branch.client(branch.secretary).post(reverse("recruitment:count", args=[form.pk]))
    assert response.status_code == 302
    poll.refresh_from_db()
    assert poll.status == Poll.Status.CLOSED


# --- 上级党委谈话 and 审批 -------------------------------------------------------------------


@pytest.fixture
def voted(branch: Any, form: Applicant) -> Applicant:
    a = counted(branch, form, present=6, yes=6)
    step("admit", branch.secretary, a)
    a.refresh_from_db()
    return a


def talked(cast: Any, a: Applicant) -> Applicant:
    step("committee_talk", cast.approver, a, on=MEETING_DAY + dt.timedelta(days=10))
    a.refresh_from_db()
    return a


def test_approval_needs_the_committees_talk_first(branch: Any, voted: Applicant) -> None:
    on = MEETING_DAY + dt.timedelta(days=20)
    with pytest.raises(StepRefused, match=r"上级党委派人同发展对象谈话（细则第二十四条）"):
        step("approve", branch.approver, voted, on=on)
    with pytest.raises(StepRefused, match="审批发展党员"):  # the branch does not approve
        step("approve", branch.secretary, talked(branch, voted), on=on)
    assert not Member.objects.filter(name="王小明").exists()


def test_approval_after_three_months_asks_for_confirmation(branch: Any, voted: Applicant) -> None:
    a = talked(branch, voted)
    late = MEETING_DAY + relativedelta(months=3) + dt.timedelta(days=1)
    with pytest.raises(NeedsConfirmation, match="审批期限已于 2026-06-05 届满"):
        step("approve", branch.approver, a, on=late)
    step("approve", branch.approver, a, confirmed=True, on=late)
    a.refresh_from_db()
    assert a.status == S.PROBATIONARY


def test_approval_refused_after_six_months_allowed_on_the_day(
    branch: Any, voted: Applicant
) -> None:
    a = talked(branch, voted)
    six = MEETING_DAY + relativedelta(months=6)  # 2026-09-05
    with pytest.raises(StepRefused, match=r"审批最长不超过至 2026-09-05.*须重新履行程序"):
        step("approve", branch.approver, a, confirmed=True, on=six + dt.timedelta(days=1))
    step("approve", branch.approver, a, confirmed=True, on=six)
    a.refresh_from_db()
    assert a.status == S.PROBATIONARY


def test_approval_enters_the_register_once_at_the_meeting_date(
    branch: Any, voted: Applicant
) -> None:
    before_talk = voted.version
    a = talked(branch, voted)
    # A page opened before the 谈话 was recorded is stale: a concurrent edit, nothing written.
    with pytest.raises(ConcurrentEditError):
        services.STEPS["approve"](branch.approver, a, {"version": before_talk, "on": MEETING_DAY
                                                       + dt.timedelta(days=20)}, True)  # fmt: skip
    stale = a.version
    step("approve", branch.approver, a, on=MEETING_DAY + dt.timedelta(days=20))
    a.refresh_from_db()
    member = Member.objects.get(name="王小明")
    assert a.member == member and a.status == S.PROBATIONARY
    assert member.org == branch.branch and member.category == MemberCategory.PROBATIONARY
    assert member.join_date == MEETING_DAY and member.full_date is None
    events = list(member.events.values_list("kind", "effective_date"))
    assert events == [(MemberEvent.Kind.ADMIT, MEETING_DAY)]
    audit = AuditEvent.objects.get(action="members.admit_recruit")
    assert audit.actor == branch.approver and audit.target_id == str(member.pk)
    # Approving again (the same page submitted twice, or two approvers at once: the file's row
    # is locked, so the second finds the state moved on).
    again = MEETING_DAY + dt.timedelta(days=21)
    for version in (stale, a.version):
        with pytest.raises(StepRefused, match="当前状态为「预备党员」"):
            services.STEPS["approve"](branch.approver, a, {"version": version, "on": again}, True)
    assert Member.objects.filter(name="王小明").count() == 1


def test_the_new_member_is_in_the_branch_list_and_in_the_statistics(
    branch: Any, voted: Applicant
) -> None:
    a = talked(branch, voted)
    year = developed_in(branch.township, dt.date(2026, 1, 1), dt.date(2026, 12, 31))["total"]
    step("approve", branch.approver, a, on=MEETING_DAY + dt.timedelta(days=20))
    page = branch.client(branch.secretary).get(reverse("members:list"), {"org": branch.branch.pk})
    text = page.content.decode()
    assert "王小明" in text and "2026-03-05" in text
    first_half = developed_in(branch.township, dt.date(2026, 1, 1), dt.date(2026, 6, 30))
    assert first_half["total"] == 1 and first_half["under_35"] == 1  # 孙六 joined in 2025
    assert developed_in(branch.township, dt.date(2026, 1, 1), dt.date(2026, 12, 31))["total"] == (
        year + 1
    )
    assert developed_in(branch.township, dt.date(2026, 3, 6), dt.date(2026, 12, 31))["total"] == 0


def test_disapproval_needs_a_reason_and_closes_the_file(branch: Any, voted: Applicant) -> None:
    on = MEETING_DAY + dt.timedelta(days=20)
    with pytest.raises(StepRefused, match="须写明原因"):
        step("disapprove", branch.approver, voted, on=on, reason=" ")
    step("disapprove", branch.approver, voted, on=on, reason="群众反映问题尚未查清")
    voted.refresh_from_db()
    assert voted.status == S.CLOSED and voted.member is None


def test_pages_put_to_vote_count_and_admit(branch: Any, form: Applicant) -> None:
    meeting = general_meeting(branch.branch, MEETING_DAY)
    client = branch.client(branch.secretary)
    url = reverse("recruitment:step", args=[form.pk, "put_to_vote"])
    page = client.get(url)
    assert "2026-03-05 2026年03月支部党员大会" in page.content.decode()
    response = client.post(
        url, {"version": form.version, "meeting": meeting.pk, "method": "totals"}
    )
    assert response.status_code == 302
    form.refresh_from_db()
    assert form.status == S.VOTING and form.poll is not None
    assert "结束投票并计票" in client.get(reverse("recruitment:detail", args=[form.pk])).text
    enter_totals(branch.secretary, form.poll, 6)
    client.post(reverse("recruitment:count", args=[form.pk]))
    assert "表决通过" in client.get(reverse("recruitment:detail", args=[form.pk])).text
    form.refresh_from_db()
    url = reverse("recruitment:step", args=[form.pk, "admit"])
    assert client.post(url, {"version": form.version}).status_code == 302
    form.refresh_from_db()
    assert form.status == S.VOTED and form.resolution_on == MEETING_DAY
    assert "支部党员大会通过接收日期 2026-03-05" in client.get(form.get_absolute_url()).text


def test_an_online_vote_is_opened_in_the_meeting(branch: Any, form: Applicant) -> None:
    meeting = general_meeting(branch.branch, MEETING_DAY)
    step("put_to_vote", branch.secretary, form, meeting=meeting, method=Poll.Method.ONLINE)
    form.refresh_from_db()
    assert form.poll.method == Poll.Method.ONLINE and form.poll.status == Poll.Status.OPEN
    assert form.poll.voters.filter(present=True).count() == 6  # the meeting's roll


def test_the_register_service_wants_the_approval_ability_not_the_registers(
    branch: Any, voted: Applicant
) -> None:
    data = services._member_data(voted)
    with pytest.raises(DomainError, match="没有审批该党支部发展党员的权限"):
        admit_recruit(actor=branch.secretary, data=data, org=branch.branch, join_date=MEETING_DAY)
    assert not Member.objects.filter(name="王小明").exists()


def test_file_at_takes_a_file_to_probation_through_the_engine(cast: Any) -> None:
    approved_on = dt.date(2026, 4, 1)
    a = file_at(S.PROBATIONARY, cast.branch, on=approved_on, secretary=cast.secretary)
    assert a.status == S.PROBATIONARY and a.member is not None
    assert a.member.join_date == a.resolution_on == dt.date(2026, 3, 25)  # talked a week later
    steps = [s.step for s in steps_of(RECRUITMENT, a)]
    assert steps[0] == "apply" and steps[-1] == "approve" and len(steps) == 19
