"""工作台: 预备期将满 — probations ending within `reminder.probation_days` (30) or overdue, for
those who record the 转正, and for the 预备党员 themself."""

import datetime as dt

from django.contrib.auth import get_user_model
from django.urls import reverse

from dangjian.accounts.scope import scope_for
from dangjian.core.models import RuleValue
from dangjian.members.models import Member, MemberEvent
from dangjian.members.services import record_event
from dangjian.members.workbench import ProbationEnding
from dangjian.testing import make_member

JOIN = dt.date(2025, 11, 20)  # 预备期满之日 2026-11-20
END = dt.date(2026, 11, 20)


def probationary(cast, org=None, **kw):
    return make_member(
        cast.county_admin, org or cast.branch, name="周新", join=JOIN, full=None, **kw
    )


def items(user, today):
    return list(ProbationEnding().items_for(user, scope_for(user), today))


def test_replay_stores_the_end_of_probation(cast):
    member = probationary(cast)
    assert member.probation_end == END
    record_event(actor=cast.county_admin, member=member, kind=MemberEvent.Kind.EXTEND,
                 effective_date=END, months=6)  # fmt: skip
    member.refresh_from_db()
    assert member.probation_end == dt.date(2027, 5, 20)


def test_a_converted_member_has_no_probation_end(cast):
    member = probationary(cast)
    record_event(actor=cast.county_admin, member=member, kind=MemberEvent.Kind.CONVERT,
                 effective_date=END)  # fmt: skip
    member.refresh_from_db()
    assert member.probation_end is None
    assert items(cast.secretary, END) == []


def test_secretary_sees_a_probation_ending_in_30_days(cast):
    member = probationary(cast)
    [item] = items(cast.secretary, END - dt.timedelta(days=30))
    assert (item.due, item.overdue, item.kind) == (END, False, "预备期满")
    assert item.url == reverse("members:event-create", args=[member.pk]) + "?kind=convert"
    assert "周新" in item.subject and item.due_in_words(END - dt.timedelta(days=30)) == "还有 30 天"


def test_a_probation_ending_in_31_days_is_not_shown_yet(cast):
    probationary(cast)
    assert items(cast.secretary, END - dt.timedelta(days=31)) == []


def test_an_overdue_probation_is_shown_as_overdue(cast):
    probationary(cast)
    [item] = items(cast.county_admin, END + dt.timedelta(days=3))
    assert item.overdue and item.due_in_words(END + dt.timedelta(days=3)) == "已逾期 3 天"


def test_the_window_is_the_rule_value(cast):
    RuleValue.objects.filter(key="reminder.probation_days").update(value=45)
    probationary(cast)
    assert len(items(cast.secretary, END - dt.timedelta(days=45))) == 1


def test_outsider_and_other_branches_do_not_see_it(cast):
    probationary(cast)
    on = END - dt.timedelta(days=1)
    assert items(cast.outsider, on) == []
    assert items(cast.member_user, on) == []  # 李明 is no 预备党员 and manages nobody
    assert len(items(cast.township_admin, on)) == 1


def test_the_probationary_member_sees_their_own_probation(cast):
    member = probationary(cast)
    member.user = get_user_model().objects.create_user("zhouxin", password="x")
    member.save()
    [item] = items(member.user, END - dt.timedelta(days=10))
    assert item.url == reverse("members:detail", args=[member.pk])
    assert item.title == "我的预备期将满，请向党支部提出转正申请"
    assert items(member.user, END + dt.timedelta(days=1))[0].title.startswith("我的预备期已满")
    assert ProbationEnding().count_for(member.user, scope_for(member.user), END) == 1


def test_count_is_a_few_queries_whatever_the_rows(cast, django_assert_num_queries):
    for n in range(5):
        make_member(cast.county_admin, cast.branch, name=f"预备{n}", join=JOIN, full=None)
    scope = scope_for(cast.county_admin)
    with django_assert_num_queries(2):  # the rule value, the count
        assert ProbationEnding().count_for(cast.county_admin, scope, END) == 5


def test_backfill_sets_the_end_of_probation_of_existing_members(cast):
    import importlib

    from django.apps import apps

    member = probationary(cast)
    Member.objects.update(probation_end=None)
    migration = importlib.import_module("dangjian.members.migrations.0008_member_probation_end")
    migration.backfill(apps, None)
    member.refresh_from_db()
    cast.member.refresh_from_db()
    assert (member.probation_end, cast.member.probation_end) == (END, None)
