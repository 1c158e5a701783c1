"""Stages A–C of 发展党员 (申请入党, 入党积极分子, 发展对象): every hard rule of the steps `apply`
… `training` and `terminate` on the day before and the day its limit is met, with the rule
value read in the test, the soft rules' warnings, the 1-year 培养考察期 under a revised rule
value, and the one-file-per-person identity rules."""

from __future__ import annotations

import datetime as dt

import pytest
from dateutil.relativedelta import relativedelta

from dangjian.core.exceptions import DomainError
from dangjian.core.models import ProcedureStep, RuleValue, rule_in_force, rule_value
from dangjian.core.procedures import NeedsConfirmation, StepRefused, steps_of
from dangjian.members.models import PartyProbation
from dangjian.recruitment.models import Applicant
from dangjian.recruitment.procedures import (
    CONTACTS_MAX,
    INTRODUCERS,
    LEAGUE_AGE,
    MIN_AGE,
    RECRUITMENT,
    TALK_MONTHS,
    TRAINING_DAYS,
    TRAINING_HOURS,
    TRAINING_MONTHS,
)
from dangjian.recruitment.services import take
from dangjian.recruitment.tests.helpers_a_c import (
    ALL_OPINIONS,
    add_people,
    apply,
    assess_every_half_year,
    step,
    to_activist,
    to_candidate,
)
from dangjian.testing import make_id_number, make_member

S = Applicant.Status
pytestmark = pytest.mark.django_db


@pytest.fixture
def rc(cast):
    return add_people(cast)


def _last_step(a: Applicant) -> ProcedureStep:
    return steps_of(RECRUITMENT, a)[-1]


# --- A. 申请入党 -------------------------------------------------------------------------------


def test_applicant_must_be_eighteen_on_the_day_of_application(rc):
    applied = dt.date(2024, 5, 10)
    years = int(rule_value(MIN_AGE, applied))
    assert years == 18
    with pytest.raises(StepRefused, match="未满18周岁"):
        apply(rc, applied=applied, born=applied - relativedelta(years=years) + dt.timedelta(days=1))
    assert not Applicant.objects.exists()  # nothing half-saved
    a = apply(rc, applied=applied, born=applied - relativedelta(years=years))
    assert a.status == S.APPLIED


def test_talk_within_a_month_warns_only_after_the_due_day(rc):
    applied = dt.date(2024, 1, 31)
    months = int(rule_value(TALK_MONTHS, applied))
    due = applied + relativedelta(months=months)
    assert due == dt.date(2024, 2, 29)  # the corresponding day, or the month's last
    on_time, late = apply(rc, applied=applied), apply(rc, applied=applied, name="吴明")
    step(rc, on_time, "talk", due)
    assert on_time.status == S.TALKED and "warnings" not in _last_step(on_time).data
    with pytest.raises(NeedsConfirmation, match="谈话期限已于 2024-02-29 届满"):
        step(rc, late, "talk", due + dt.timedelta(days=1))
    assert late.status == S.APPLIED
    step(rc, late, "talk", due + dt.timedelta(days=1), confirmed=True)
    taken = _last_step(late)
    assert late.status == S.TALKED and taken.due_date == due
    assert "属逾期办理" in taken.data["warnings"][0]


# --- B. 入党积极分子 ----------------------------------------------------------------------------


def test_activist_needs_a_recommendation_and_records_its_date(rc):
    a = apply(rc)
    step(rc, a, "talk", dt.date(2023, 1, 20))
    with pytest.raises(StepRefused, match="推荐方式"):
        step(rc, a, "confirm_activist", dt.date(2023, 3, 1), recommendation="")
    step(rc, a, "confirm_activist", dt.date(2023, 3, 1), recommendation="masses")
    a.refresh_from_db()
    assert a.status == S.ACTIVIST and a.activist_on == dt.date(2023, 3, 1)
    assert _last_step(a).data["recommendation"] == "masses"


@pytest.mark.parametrize("days_to_birthday, warned", [(1, True), (0, False)])
def test_league_member_up_to_28_should_be_recommended_by_the_league(rc, days_to_birthday, warned):
    """28周岁以下 includes 28 (以下含本数): the day before the 29th birthday warns, the
    birthday does not."""
    on = dt.date(2024, 3, 1)
    limit = int(rule_value(LEAGUE_AGE, on))
    assert limit == 28
    born = on - relativedelta(years=limit + 1) + dt.timedelta(days=days_to_birthday)
    a = apply(rc, applied=dt.date(2024, 1, 10), born=born, league=True)
    step(rc, a, "talk", dt.date(2024, 1, 20))
    if warned:
        with pytest.raises(NeedsConfirmation, match="团组织推优"):
            step(rc, a, "confirm_activist", on, recommendation="members")
        step(rc, a, "confirm_activist", on, recommendation="members", confirmed=True)
        assert "依据细则第八条" in _last_step(a).data["warnings"][0]
    else:
        step(rc, a, "confirm_activist", on, recommendation="members")
    assert a.status == S.ACTIVIST


def test_a_league_recommendation_raises_no_warning(rc):
    on = dt.date(2024, 3, 1)
    a = apply(rc, applied=dt.date(2024, 1, 10), born=dt.date(2000, 1, 1), league=True)
    step(rc, a, "talk", dt.date(2024, 1, 20))
    step(rc, a, "confirm_activist", on, recommendation="league")
    assert "warnings" not in _last_step(a).data


def test_contacts_are_one_or_two_full_members(rc):
    on = dt.date(2023, 3, 1)
    most = int(rule_value(CONTACTS_MAX, on))
    assert most == 2
    a = apply(rc)
    step(rc, a, "talk", dt.date(2023, 1, 20))
    step(rc, a, "confirm_activist", on, recommendation="members")
    for wrong in ([], rc.full[: most + 1]):
        with pytest.raises(StepRefused, match=f"1至{most}名正式党员"):
            step(rc, a, "assign_contacts", on, contacts=wrong)
    with pytest.raises(StepRefused, match="孙六不是正式党员"):
        step(rc, a, "assign_contacts", on, contacts=[rc.full[1], rc.prob])
    assert not a.contacts.exists()
    step(rc, a, "assign_contacts", on, contacts=rc.full[1:2])
    assert list(a.contacts.all()) == [rc.full[1]]
    step(rc, a, "assign_contacts", on, contacts=rc.full[2 : 2 + most])  # replaces the choice
    assert set(a.contacts.all()) == set(rc.full[2 : 2 + most])
    assert a.status == S.ACTIVIST


def test_a_contact_under_party_probation_is_refused_until_its_end(rc):
    end = dt.date(2023, 3, 10)
    PartyProbation.objects.create(
        member=rc.full[1], start_date=dt.date(2022, 3, 10), end_date=end, document_no="纪发2号"
    )
    a = apply(rc)
    step(rc, a, "talk", dt.date(2023, 1, 20))
    step(rc, a, "confirm_activist", dt.date(2023, 3, 1), recommendation="members")
    with pytest.raises(StepRefused, match="王一正在留党察看期间，不能担任培养联系人"):
        step(rc, a, "assign_contacts", end - dt.timedelta(days=1), contacts=rc.full[1:2])
    step(rc, a, "assign_contacts", end, contacts=rc.full[1:2])
    assert list(a.contacts.all()) == [rc.full[1]]


def test_a_step_may_not_be_dated_before_the_last_one_or_after_today(rc):
    from django.utils import timezone

    a = apply(rc, applied=dt.date(2023, 1, 10))
    with pytest.raises(StepRefused, match="不能早于上一步（2023-01-10）"):
        step(rc, a, "talk", dt.date(2023, 1, 9))
    with pytest.raises(StepRefused, match="不能晚于今天"):
        step(rc, a, "talk", timezone.localdate() + dt.timedelta(days=1))
    step(rc, a, "talk", dt.date(2023, 1, 10))  # the same day as the step before
    assert a.status == S.TALKED


# --- C. 发展对象 ---------------------------------------------------------------------------------


def test_candidate_waits_one_year_of_training_refused_the_day_before(rc):
    activist = dt.date(2023, 3, 1)
    months = int(rule_value(TRAINING_MONTHS, activist))
    anniversary = activist + relativedelta(months=months)
    assert anniversary == dt.date(2024, 3, 1)
    a = apply(rc)
    to_activist(rc, a, activist)
    assess_every_half_year(a, anniversary)
    with pytest.raises(StepRefused) as refused:
        step(rc, a, "confirm_candidate", anniversary - dt.timedelta(days=1),
             opinions_heard=ALL_OPINIONS)  # fmt: skip
    assert "培养考察期至 2024-02-29 届满" in refused.value.message
    assert "依据细则第十三条" in refused.value.message
    assert "须在 2024-03-01 及以后办理" in refused.value.message
    step(rc, a, "confirm_candidate", anniversary, opinions_heard=ALL_OPINIONS)
    a.refresh_from_db()
    assert a.status == S.CANDIDATE and a.candidate_on == anniversary
    assert "warnings" not in _last_step(a).data


def test_a_revised_training_period_applies_only_to_activists_confirmed_after_it(rc):
    """Hypothetical revision (18 months from 2025-05-01): a file whose activist date is before
    it still waits 12 months; one confirmed on the day it takes effect waits 18, and the
    refusal cites the revision's source."""
    revised = dt.date(2025, 5, 1)
    RuleValue.objects.create(
        key=TRAINING_MONTHS, value=18, unit="月", effective_from=revised,
        source="假设的修订细则第十三条（测试）", description="培养教育和考察时间一年半以上",
    )  # fmt: skip
    assert int(rule_value(TRAINING_MONTHS, revised - dt.timedelta(days=1))) == 12
    old, new = apply(rc), apply(rc, name="吴明")
    to_activist(rc, old, revised - dt.timedelta(days=1))  # 2025-04-30
    to_activist(rc, new, revised)
    for a in (old, new):
        assess_every_half_year(a, dt.date(2026, 11, 1))
    # The old file: 12 months, even though the 18-month row is in force on the day it is taken.
    with pytest.raises(StepRefused, match="细则第十三条"):
        step(rc, old, "confirm_candidate", dt.date(2026, 4, 29), opinions_heard=ALL_OPINIONS)
    step(rc, old, "confirm_candidate", dt.date(2026, 4, 30), opinions_heard=ALL_OPINIONS)
    assert old.status == S.CANDIDATE
    # The new file: 18 months, refused on its 12-month anniversary and the day before 18.
    for day in (dt.date(2026, 5, 1), dt.date(2026, 10, 31)):
        with pytest.raises(StepRefused) as refused:
            step(rc, new, "confirm_candidate", day, opinions_heard=ALL_OPINIONS)
        assert "假设的修订细则第十三条（测试）" in refused.value.message
        assert "须在 2026-11-01 及以后办理" in refused.value.message
    step(rc, new, "confirm_candidate", dt.date(2026, 11, 1), opinions_heard=ALL_OPINIONS)
    assert new.status == S.CANDIDATE


def test_candidate_needs_contacts_and_all_four_opinions(rc):
    activist = dt.date(2023, 3, 1)
    a = apply(rc)
    step(rc, a, "talk", dt.date(2023, 1, 20))
    step(rc, a, "confirm_activist", activist, recommendation="members")
    step(rc, a, "file_activist", activist)
    assess_every_half_year(a, dt.date(2024, 3, 1))
    with pytest.raises(StepRefused, match="须指定培养联系人"):
        step(rc, a, "confirm_candidate", dt.date(2024, 3, 1), opinions_heard=ALL_OPINIONS)
    step(rc, a, "assign_contacts", activist, contacts=rc.full[1:2])
    with pytest.raises(StepRefused, match="尚未听取：群众的意见"):
        step(rc, a, "confirm_candidate", dt.date(2024, 3, 1), opinions_heard=ALL_OPINIONS[:3])
    step(rc, a, "confirm_candidate", dt.date(2024, 3, 1), opinions_heard=ALL_OPINIONS)
    assert a.status == S.CANDIDATE


def test_candidate_warns_without_filing_or_a_half_yearly_assessment(rc):
    activist = dt.date(2023, 3, 1)
    a = apply(rc)
    step(rc, a, "talk", dt.date(2023, 1, 20))
    step(rc, a, "confirm_activist", activist, recommendation="members")
    step(rc, a, "assign_contacts", activist, contacts=rc.full[1:2])
    with pytest.raises(NeedsConfirmation) as warned:
        step(rc, a, "confirm_candidate", dt.date(2024, 3, 1), opinions_heard=ALL_OPINIONS)
    assert "先报上级党委备案" in warned.value.message
    assert "2023-03-01 之后超过半年没有培养考察记录" in warned.value.message
    step(rc, a, "confirm_candidate", dt.date(2024, 3, 1), opinions_heard=ALL_OPINIONS,
         confirmed=True)  # fmt: skip
    assert len(_last_step(a).data["warnings"]) == 2


@pytest.fixture
def candidate(rc):
    return to_candidate(rc, apply(rc), dt.date(2023, 3, 1), dt.date(2024, 3, 1))


def test_introducers_are_two_full_members(rc, candidate):
    on = dt.date(2024, 3, 5)
    need = int(rule_value(INTRODUCERS, on))
    assert need == 2
    for wrong in (rc.full[:1], rc.full[:3]):
        with pytest.raises(StepRefused, match=f"须为{need}名正式党员"):
            step(rc, candidate, "set_introducers", on, introducers=wrong)
    with pytest.raises(StepRefused, match="孙六不是正式党员，不能担任入党介绍人"):
        step(rc, candidate, "set_introducers", on, introducers=[rc.full[0], rc.prob])
    step(rc, candidate, "set_introducers", on, introducers=rc.full[:2])
    assert set(candidate.introducers.all()) == set(rc.full[:2])


def test_an_introducer_under_party_probation_is_refused_until_its_end(rc, candidate):
    """留党察看 from its start to the day before its end date (rights come back that day)."""
    end = dt.date(2024, 4, 1)
    PartyProbation.objects.create(
        member=rc.full[1], start_date=dt.date(2023, 4, 1), end_date=end, document_no="纪发1号"
    )
    with pytest.raises(StepRefused, match="王一正在留党察看期间"):
        step(rc, candidate, "set_introducers", end - dt.timedelta(days=1), introducers=rc.full[:2])
    step(rc, candidate, "set_introducers", end, introducers=rc.full[:2])
    assert candidate.introducers.count() == 2


def _training(rc, a, *, days, hours, end=dt.date(2024, 4, 3)):
    return step(rc, a, "training", end, organizer="城关镇党委", start=end - dt.timedelta(days=2),
                end=end, days=days, hours=hours)  # fmt: skip


def test_training_needs_three_days_or_twenty_four_hours(rc, candidate):
    on = dt.date(2024, 4, 3)
    min_days, min_hours = int(rule_value(TRAINING_DAYS, on)), int(rule_value(TRAINING_HOURS, on))
    assert (min_days, min_hours) == (3, 24)
    # 一般不少于: a shorter training asks for confirmation (个别特殊情况), and the warning is kept
    with pytest.raises(NeedsConfirmation, match="不少于3天或不少于24个学时"):
        _training(rc, candidate, days=min_days - 1, hours=min_hours - 1)
    candidate.refresh_from_db()
    step(rc, candidate, "training", dt.date(2024, 4, 3), organizer="城关镇党委", confirmed=True,
         start=dt.date(2024, 4, 2), end=dt.date(2024, 4, 3), days=2, hours=16)  # fmt: skip
    assert "不少于3天" in _last_step(candidate).data["warnings"][0]
    candidate.refresh_from_db()
    _training(rc, candidate, days=min_days, hours=0)
    _training(rc, candidate, days=min_days - 1, hours=min_hours)
    kept = _last_step(candidate).data
    assert kept == {"organizer": "城关镇党委", "start": "2024-04-01", "end": "2024-04-03",
                    "days": 2, "hours": 24}  # fmt: skip


def _ready(rc, a, conclusion):
    step(rc, a, "set_introducers", dt.date(2024, 3, 5), introducers=rc.full[:2])
    step(rc, a, "political_review", dt.date(2024, 3, 20), conclusion=conclusion, note="函调")
    _training(rc, a, days=3, hours=24)


def test_a_failed_political_review_blocks_the_committee_review(rc, candidate):
    _ready(rc, candidate, "failed")
    review = [s for s in steps_of(RECRUITMENT, candidate) if s.step == "political_review"]
    assert review[-1].outcome == "failed" and review[-1].data == {}  # nothing but the conclusion
    with pytest.raises(StepRefused, match="政治审查结论为不合格的，不能发展"):
        take(rc.secretary, candidate, "committee_review", on=dt.date(2024, 4, 10))
    step(rc, candidate, "political_review", dt.date(2024, 4, 10), conclusion="passed")
    take(rc.secretary, candidate, "committee_review", on=dt.date(2024, 4, 10))
    assert candidate.status == S.REVIEWED


def test_committee_review_warns_when_the_candidate_was_not_filed(rc):
    a = apply(rc)
    to_activist(rc, a, dt.date(2023, 3, 1))
    assess_every_half_year(a, dt.date(2024, 3, 1))
    step(rc, a, "confirm_candidate", dt.date(2024, 3, 1), opinions_heard=ALL_OPINIONS)
    _ready(rc, a, "passed")
    with pytest.raises(NeedsConfirmation, match="发展对象一般应先报上级党委备案"):
        take(rc.secretary, a, "committee_review", on=dt.date(2024, 4, 10))
    take(rc.secretary, a, "committee_review", on=dt.date(2024, 4, 10), confirmed=True)
    assert a.status == S.REVIEWED


def test_committee_review_needs_introducers_review_and_training(rc, candidate):
    with pytest.raises(StepRefused, match="确定入党介绍人、政治审查、集中培训"):
        take(rc.secretary, candidate, "committee_review", on=dt.date(2024, 4, 10))


def test_terminate_needs_a_reason(rc):
    a = apply(rc)
    with pytest.raises(StepRefused, match="终止培养须写明原因"):
        step(rc, a, "terminate", dt.date(2023, 2, 1), reason="  ")
    step(rc, a, "terminate", dt.date(2023, 2, 1), reason="本人申请撤回")
    assert a.status == S.CLOSED and _last_step(a).note == "本人申请撤回"


# --- identity: one person, one file -------------------------------------------------------------


def test_the_same_id_number_cannot_get_a_second_file(rc):
    number = make_id_number(dt.date(1990, 4, 5), "F")
    apply(rc, id_number=number)
    with pytest.raises(DomainError, match="已有发展党员档案") as refused:
        apply(rc, id_number=number, name="周青青")
    assert refused.value.field == "id_number"
    assert Applicant.objects.count() == 1


def test_a_party_members_id_number_is_refused(rc):
    born = dt.date(1988, 8, 8)
    number = make_id_number(born, "F")
    make_member(rc.county_admin, rc.branch, name="钱七", gender="F", birth=born, id_number=number)
    with pytest.raises(DomainError, match="已在党员名册中登记"):
        apply(rc, id_number=number, born=born)
    assert not Applicant.objects.exists()


def test_a_terminated_file_reopens_on_a_new_application(rc):
    number = make_id_number(dt.date(1990, 4, 5), "F")
    first = apply(rc, id_number=number, applied=dt.date(2021, 1, 10))
    a = to_candidate(rc, first, dt.date(2021, 3, 1), dt.date(2022, 3, 1))
    _ready(rc, a, "passed")  # introducers, 政审 and 培训 of the first case (2024 dates)
    step(rc, a, "terminate", dt.date(2024, 4, 5), reason="本人申请")
    again = apply(rc, id_number=number, applied=dt.date(2024, 5, 6))
    assert again.pk == a.pk and again.status == S.APPLIED
    assert again.applied_on == dt.date(2024, 5, 6)
    assert not again.contacts.exists() and not again.introducers.exists()
    assert again.activist_on is None and again.candidate_on is None
    names = [s.step for s in steps_of(RECRUITMENT, again)]
    assert names.count("apply") == 2 and "terminate" in names  # history kept
    # The first case's 介绍人, 政审 and 培训 do not count for the second.
    to_candidate(rc, again, dt.date(2024, 6, 1), dt.date(2025, 6, 1))
    with pytest.raises(StepRefused, match="确定入党介绍人、政治审查、集中培训"):
        take(rc.secretary, again, "committee_review", on=dt.date(2025, 6, 2))


def test_a_terminated_file_reopens_from_its_own_page_service(rc):
    a = apply(rc)
    step(rc, a, "terminate", dt.date(2023, 2, 1), reason="本人申请")
    with pytest.raises(StepRefused, match="不能早于上一步"):
        step(rc, a, "apply", dt.date(2023, 1, 31))
    step(rc, a, "apply", dt.date(2023, 9, 1))
    a.refresh_from_db()
    assert a.status == S.APPLIED and a.applied_on == dt.date(2023, 9, 1)
    assert _last_step(a).data == {"reapplied": True}


def test_reapplying_checks_the_age_again(rc):
    applied = dt.date(2024, 5, 10)
    a = apply(rc, applied=applied, born=dt.date(2006, 5, 10))
    step(rc, a, "terminate", applied, reason="本人申请")
    assert rule_in_force(MIN_AGE, applied).value == 18
    step(rc, a, "apply", applied)  # still 18
    assert a.status == S.APPLIED
