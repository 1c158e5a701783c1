"""The annual appraisal through its steps: members, the 测评 in the 组织生活会, the grading with
its 优秀 cap, 预备党员 ungraded, the results on the members' records."""

from __future__ import annotations

import pytest

from dangjian.appraisal import services
from dangjian.appraisal.models import AppraisalResult, Disposition
from dangjian.appraisal.pdf import sheet_rows
from dangjian.appraisal.procedures import APPRAISAL
from dangjian.appraisal.tests.conftest import LIFE_DAY, RATE_DAY
from dangjian.appraisal.tests.helpers import counted, grades_for, started
from dangjian.core.exceptions import DomainError
from dangjian.core.procedures import NeedsConfirmation, StepRefused, steps_available, steps_of
from dangjian.meetings.models import MeetingKind, MeetingPoll

from .conftest import make_meeting


def test_mobilize_lists_every_member_and_the_probationary_one_ungraded(ap):
    appraisal = started(ap)
    entries = {e.name: e.graded for e in appraisal.entries.all()}
    assert len(entries) == 7
    assert entries["孙六"] is False
    assert all(graded for name, graded in entries.items() if name != "孙六")


def test_outsider_cannot_start_an_appraisal(ap):
    with pytest.raises(StepRefused):
        services.start_appraisal(actor=ap.outsider, org=ap.branch, year=2025, on=LIFE_DAY)
    assert not services.Appraisal.objects.exists()


def test_test_poll_is_linked_to_the_life_meeting_and_uses_its_attendance(ap, life):
    appraisal = counted(ap, life)
    poll = appraisal.poll
    assert MeetingPoll.objects.get(poll=poll).meeting == life
    present = set(poll.voters.filter(present=True).values_list("name", flat=True))
    assert present == {"李明", "王一", "张二", "刘三", "陈四"}  # 赵五 缺席; 孙六 has no vote
    assert poll.candidates.get(name="孙六").graded is False
    assert poll.result["quorum_met"] is True


def test_test_must_be_held_in_a_life_meeting_of_the_branch(ap):
    appraisal = started(ap)
    general = make_meeting(ap.branch, MeetingKind.GENERAL, LIFE_DAY)
    with pytest.raises(DomainError, match="组织生活会"):
        services.hold_test(actor=ap.secretary, appraisal=appraisal, meeting=general)


def test_excellent_exactly_at_the_cap_is_allowed(ap, life):
    appraisal = counted(ap, life)  # six graded: a third is two
    services.rate_members(actor=ap.secretary, appraisal=appraisal, grades=grades_for(ap, 2),
                          body="committee", on=RATE_DAY)  # fmt: skip
    appraisal.refresh_from_db()
    assert appraisal.status == "rated"
    assert appraisal.entries.filter(grade="excellent").count() == 2


def test_one_over_the_cap_needs_confirmation_with_a_reason(ap, life):
    appraisal = counted(ap, life)
    grades = grades_for(ap, 3)
    with pytest.raises(NeedsConfirmation, match="三分之一"):
        services.rate_members(actor=ap.secretary, appraisal=appraisal, grades=grades,
                              body="committee", on=RATE_DAY)  # fmt: skip
    with pytest.raises(DomainError, match="理由") as exc:
        services.rate_members(actor=ap.secretary, appraisal=appraisal, grades=grades,
                              body="committee", on=RATE_DAY, confirmed=True)  # fmt: skip
    assert exc.value.field == "reason"
    services.rate_members(actor=ap.secretary, appraisal=appraisal, grades=grades, body="committee",
                          on=RATE_DAY, confirmed=True, reason="三人均获上级表彰")  # fmt: skip
    rate = steps_of(APPRAISAL, appraisal)[-1]
    assert rate.note == "三人均获上级表彰" and rate.data["warnings"]


def test_probationary_member_gets_no_grade(ap, life):
    appraisal = counted(ap, life)
    grades = {**grades_for(ap), ap.prob.pk: "qualified"}
    with pytest.raises(StepRefused, match="预备党员"):
        services.rate_members(actor=ap.secretary, appraisal=appraisal, grades=grades,
                              body="committee", on=RATE_DAY)  # fmt: skip
    services.rate_members(actor=ap.secretary, appraisal=appraisal, grades=grades_for(ap),
                          body="committee", on=RATE_DAY)  # fmt: skip
    assert appraisal.entries.get(member=ap.prob).grade == "ungraded"


def test_every_full_member_must_be_graded(ap, life):
    appraisal = counted(ap, life)
    grades = grades_for(ap)
    del grades[ap.member.pk]
    with pytest.raises(StepRefused, match="李明"):
        services.rate_members(actor=ap.secretary, appraisal=appraisal, grades=grades,
                              body="committee", on=RATE_DAY)  # fmt: skip


def test_rating_waits_for_the_counted_test(ap, life):
    appraisal = started(ap)
    services.hold_test(actor=ap.secretary, appraisal=appraisal, meeting=life)
    option = {o.name: o for o in steps_available(ap.secretary, appraisal, APPRAISAL)}
    assert not option["record_test"].allowed and "计票" in option["record_test"].reason


def test_results_go_on_the_records_and_unqualified_gets_a_disposition(ap, life):
    appraisal = counted(ap, life)
    services.rate_members(actor=ap.secretary, appraisal=appraisal,
                          grades=grades_for(ap, 1, unqualified=("赵五",)), body="committee",
                          on=RATE_DAY)  # fmt: skip
    services.publish_results(actor=ap.secretary, appraisal=appraisal, on=RATE_DAY)
    services.apply_results(actor=ap.secretary, appraisal=appraisal, on=RATE_DAY)
    results = dict(AppraisalResult.objects.values_list("member__name", "grade"))
    assert results["李明"] == "excellent" and results["孙六"] == "ungraded"
    assert results["赵五"] == "unqualified"
    disposition = Disposition.objects.get()
    assert disposition.member.name == "赵五" and disposition.approver == ap.township


def test_branch_member_without_ability_is_not_offered_steps(ap, life):
    appraisal = started(ap)
    assert steps_available(ap.member_user, appraisal, APPRAISAL) == []
    assert steps_available(ap.outsider, appraisal, APPRAISAL) == []
    assert [o.name for o in steps_available(ap.secretary, appraisal, APPRAISAL)] == ["hold_test"]


def test_result_sheet_marks_the_probationary_member_and_counts(ap, life):
    appraisal = counted(ap, life)
    services.rate_members(actor=ap.secretary, appraisal=appraisal, grades=grades_for(ap, 1),
                          body="committee", on=RATE_DAY)  # fmt: skip
    rows = {row[1]: row for row in sheet_rows(appraisal)}
    assert rows["孙六"][2:] == ["预备党员", "—", "—", "—", "—", "不评定等次", ""]
    assert rows["李明"][2:] == ["正式党员", "0", "5", "0", "0", "优秀", ""]  # 5 ballots: 合格


def test_test_count_over_the_cap_needs_the_chairs_confirmation(ap, life):
    from dangjian.votes.services import OverCap

    from .helpers import paper_totals

    appraisal = started(ap)
    poll = services.hold_test(actor=ap.secretary, appraisal=appraisal, meeting=life,
                              method="totals")  # fmt: skip
    graded = list(poll.candidates.filter(graded=True))
    paper_totals(ap, poll, {str(c.pk): {"excellent" if i < 3 else "qualified": 5}
                            for i, c in enumerate(graded)}, 5)  # fmt: skip
    with pytest.raises(OverCap):
        services.count_test(actor=ap.secretary, appraisal=appraisal)
    services.count_test(actor=ap.secretary, appraisal=appraisal, confirm_over_cap=True)
    appraisal.poll.refresh_from_db()
    assert appraisal.poll.status == "closed"
