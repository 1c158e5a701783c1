"""四议两公开: step order, the village check, 一肩挑 merging, the 两委 counts, the notice days."""

from __future__ import annotations

import pytest

from dangjian.core.exceptions import ConcurrentEditError, DomainError
from dangjian.core.models import RuleValue
from dangjian.core.procedures import StepRefused, steps_available
from dangjian.deliberations import services
from dangjian.deliberations.models import MatterStatus as S
from dangjian.deliberations.procedures import FOUR_TWO
from dangjian.deliberations.tests.conftest import consult, convene, days_ago, propose, send


def test_only_a_village_organization_may_propose(cast):
    with pytest.raises(DomainError, match="所在单位不是村"):
        propose(cast)


def test_proposing_starts_the_matter(village):
    m = propose(village)
    assert m.status == S.PROPOSED
    assert m.org == village.branch and m.created_by == village.secretary


def test_a_member_without_the_ability_may_not_propose(village):
    draft = services.MatterDraft(title="x", category="other", content="y", proposed_on=days_ago(1))
    with pytest.raises(StepRefused, match="组织会议和组织生活"):
        services.propose_matter(actor=village.member_user, org=village.branch, draft=draft)


def test_the_plan_is_not_sent_before_the_two_committees_consult(village):
    m = propose(village)
    with pytest.raises(StepRefused, match="须先召开“两委”会议商议"):
        send(village, m)


def test_the_meeting_is_not_convened_before_the_plan_is_sent(village):
    m = propose(village)
    consult(village, m)
    with pytest.raises(StepRefused, match="当前状态为「已商议，待送达党员」，不能召开党员大会"):
        convene(village, m)


def test_one_person_in_both_posts_may_merge_proposal_and_consultation(village):
    m = propose(village, one_person_both_posts=True, merge_reason="书记兼任村委会主任")
    send(village, m)
    assert m.status == S.NOTIFIED
    step = FOUR_TWO.step("send_plan")
    assert step.name in {s.step for s in m_steps(m)}
    assert m_steps(m)[-1].data["merged"] == "提议与商议合并（一肩挑）书记兼任村委会主任"


def m_steps(m):
    from dangjian.core.procedures import steps_of

    return steps_of(FOUR_TWO, m)


def test_merging_is_refused_where_the_local_rule_forbids_it(village):
    RuleValue.objects.filter(key="fourtwo.merge_when_one_person").update(value=0)
    m = propose(village, one_person_both_posts=True)
    with pytest.raises(StepRefused, match="本地规定不允许提议与商议合并"):
        send(village, m)


def test_one_person_in_both_posts_may_still_consult_first(village):
    m = propose(village, one_person_both_posts=True)
    consult(village, m)
    send(village, m)
    assert m.status == S.NOTIFIED and "merged" not in m_steps(m)[-1].data


def test_the_two_committees_disagreeing_ends_the_matter(village):
    m = propose(village)
    consult(village, m, outcome="rejected", note="资金来源不明")
    assert m.status == S.ENDED
    assert steps_available(village.secretary, m, FOUR_TWO) == []


def test_the_vote_count_must_agree_with_the_outcome(village):
    m = propose(village)
    with pytest.raises(DomainError, match="与商议结果“同意”不一致"):
        consult(village, m, yes=3, no=3, abstain=0)
    consult(village, m, outcome="amended", yes=4, no=3, abstain=0)
    assert m.status == S.CONSULTED and m.consult_yes == 4


def test_a_step_may_not_be_dated_before_the_one_before_it(village):
    m = propose(village, on=days_ago(5))
    with pytest.raises(StepRefused, match="不能早于上一步骤的日期"):
        consult(village, m, on=days_ago(6))


def test_a_stale_form_is_refused(village):
    m = propose(village)
    c = services.Consultation(on=days_ago(9), participants="张书记", outcome="agreed")
    with pytest.raises(ConcurrentEditError):
        services.record_consultation(actor=village.secretary, matter=m, version=m.version - 1, c=c)


def test_the_meeting_is_refused_the_day_before_the_notice_days_are_met(village):
    m = propose(village)
    consult(village, m)
    send(village, m, on=days_ago(8))
    with pytest.raises(StepRefused, match=r"党员大会最早于 .* 召开"):
        convene(village, m, on=days_ago(6))  # 2 days after sending: one short of 3


def test_the_meeting_is_allowed_the_day_the_notice_days_are_met(village):
    m = propose(village)
    consult(village, m)
    send(village, m, on=days_ago(8))
    convene(village, m, on=days_ago(5))  # 3 days after sending
    assert m.status == S.CONVENED and m.meeting.kind == "general" and m.poll is not None


def test_the_notice_rule_is_a_local_rule_with_its_source(village):
    row = RuleValue.objects.get(key="fourtwo.member_notice_days")
    assert row.value == 3 and row.basis == "local" and "四议两公开" in row.source


def test_a_meeting_registered_ahead_gets_its_poll_on_the_day(village):
    from dangjian.deliberations.tests.conftest import days_ago as ago

    m = propose(village, on=ago(4))
    consult(village, m, on=ago(4))
    send(village, m, on=ago(1))
    future = ago(-2)
    convene(village, m, on=future)
    assert m.poll is None and m.meeting.date == future
    with pytest.raises(DomainError, match="当天才能创建表决"):
        services.prepare_review_poll(actor=village.secretary, matter=m)


def test_a_village_party_committee_may_not_propose_here(village):
    village.branch.kind = "committee"
    village.branch.save(update_fields=["kind"])
    with pytest.raises(DomainError, match="只有正常状态的村党支部、党总支可以提议"):
        propose(village)
