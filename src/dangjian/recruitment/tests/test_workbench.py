"""工作台 of 发展党员: the branch's things due (within `reminder.recruitment_days` or overdue),
what awaits the 党委, and the 培养联系人's 思想汇报 and 考察; the daily reminder run notifies."""

import datetime as dt

from dateutil.relativedelta import relativedelta

from dangjian.accounts.reminders import send_due_reminders
from dangjian.accounts.scope import scope_for
from dangjian.core.dates import today
from dangjian.core.models import Notification
from dangjian.recruitment import deadlines
from dangjian.recruitment.models import Report
from dangjian.recruitment.tests.worklist_helpers import (
    activist,
    apply,
    months_ago,
    party_committee,
    record_steps,
)
from dangjian.recruitment.workbench import BranchDue, CommitteeAwaits, ContactDue


def items(provider, user, on=None):
    return list(provider.items_for(user, scope_for(user), on or today()))


def count(provider, user, on=None):
    return provider.count_for(user, scope_for(user), on or today())


def test_the_branch_sees_a_talk_due_within_seven_days_not_eight(cast):
    applied = dt.date(2026, 3, 10)  # talk due 2026-04-10
    apply(cast, on=applied)
    assert count(BranchDue(), cast.secretary, dt.date(2026, 4, 2)) == 0
    [item] = items(BranchDue(), cast.secretary, dt.date(2026, 4, 3))
    assert (item.due, item.overdue, item.title) == (
        dt.date(2026, 4, 10),
        False,
        "派人谈话（入党申请人（待谈话））",
    )
    [item] = items(BranchDue(), cast.secretary, dt.date(2026, 4, 11))
    assert item.overdue and "刘洋" in item.subject


def test_another_branch_and_another_county_see_nothing(cast):
    apply(cast, on=months_ago(2))
    assert count(BranchDue(), cast.secretary) == 1
    assert count(BranchDue(), cast.outsider) == 0
    assert items(BranchDue(), cast.outsider) == []


def test_a_candidate_date_reached_is_not_overdue(cast):
    a = activist(cast, months_ago(12))
    Report.objects.create(applicant=a, submitted_on=today())
    a.assessments.create(kind="activist", assessed_on=today(), opinion="好")
    deadlines.refresh(a)
    [item] = items(BranchDue(), cast.secretary)
    assert item.overdue is False and "可确定为发展对象" in item.title


def test_the_committee_sees_filings_reviews_and_approvals_of_its_subtree(cast):
    committee = party_committee(cast)
    activist(cast, months_ago(2), name="待备案")
    voted = months_ago(3, days=1)
    a = record_steps(apply(cast, name="待审批", on=months_ago(30)), ("talk", months_ago(29)),
                     ("confirm_activist", months_ago(28)), ("file_activist", months_ago(28)),
                     ("confirm_candidate", months_ago(10)), ("file_candidate", months_ago(10)),
                     ("admit", voted), ("committee_talk", voted))  # fmt: skip
    found = {i.subject.split("（")[0]: i for i in items(CommitteeAwaits(), committee)}
    assert found["待备案"].title.startswith("入党积极分子备案")
    assert found["待审批"].title.startswith("审批") and found["待审批"].overdue
    assert found["待审批"].due == voted + relativedelta(months=3)
    assert count(CommitteeAwaits(), committee) == 2 and a.status == "voted"


def test_the_committee_sees_a_talk_before_approval_and_nothing_elsewhere(cast):
    committee = party_committee(cast)
    record_steps(apply(cast, on=months_ago(30)), ("talk", months_ago(29)),
                 ("admit", today()))  # fmt: skip
    [item] = items(CommitteeAwaits(), committee)
    assert item.title.startswith("谈话") and not item.overdue
    far = party_committee(cast, cast.far_county, "farcomm")
    assert count(CommitteeAwaits(), far) == 0
    assert count(CommitteeAwaits(), cast.secretary) == 0  # the branch does not approve


def test_the_committee_count_is_one_query(cast, django_assert_num_queries):
    committee = party_committee(cast)
    activist(cast, months_ago(2))
    scope = scope_for(committee)
    scope.paths("view_members")  # the scope is read once per request
    with django_assert_num_queries(1):
        assert CommitteeAwaits().count_for(committee, scope, today()) == 1


def test_a_contact_sees_only_their_activists_reports(cast):
    mine = activist(cast, months_ago(3, days=-3), name="联系对象")
    other = activist(cast, months_ago(3, days=-3), name="别人的")
    mine.contacts.add(cast.member)
    other.contacts.add(cast.neighbour)
    [item] = items(ContactDue(), cast.member_user)
    assert "联系对象" in item.subject and "思想汇报" in item.title
    assert count(ContactDue(), cast.member_user) == 1
    assert count(ContactDue(), cast.secretary) == 0  # no member record of their own


def test_the_daily_reminder_run_notifies_the_contact_and_the_secretary(cast):
    a = activist(cast, months_ago(3, days=-3), name="联系对象")
    a.contacts.add(cast.member)
    send_due_reminders(today())
    mine = Notification.objects.filter(recipient=cast.member_user)
    assert [n.title for n in mine] == ["培养联系人：联系对象（东街社区党支部）"]
    assert Notification.objects.filter(
        recipient=cast.secretary, title__contains="联系对象"
    ).exists()
    assert send_due_reminders(today()) == 0  # once per item and phase


# --- through every step of the engine (recruitment.testing.file_at) -----------------------------


def test_a_vote_four_months_old_is_an_overdue_approval_for_the_committee(cast):
    from dangjian.recruitment.testing import approver_for, file_at

    voted = months_ago(3, days=1)
    a = file_at("voted", cast.branch, on=voted + dt.timedelta(days=7), secretary=cast.secretary)
    committee = approver_for(cast.branch)
    [item] = [i for i in items(CommitteeAwaits(), committee) if a.name in i.subject]
    assert item.title.startswith("审批") and item.overdue
    assert item.due == voted + relativedelta(months=3)
    # the branch is reminded of its own things (no 思想汇报 recorded yet), not of the 审批
    assert [i.title for i in items(BranchDue(), cast.secretary)] == ["思想汇报（待上级党委审批）"]


def test_a_new_probationary_member_is_due_the_oath_within_a_month(cast):
    from dangjian.recruitment.testing import file_at

    approved = today() - dt.timedelta(days=25)
    a = file_at("probationary", cast.branch, on=approved, secretary=cast.secretary)
    Report.objects.create(applicant=a, submitted_on=today())
    deadlines.refresh(a)
    assert (a.due_label, a.due_on) == ("入党宣誓", approved + relativedelta(months=1))
    [item] = items(BranchDue(), cast.secretary)
    assert item.title.startswith("入党宣誓") and not item.overdue
