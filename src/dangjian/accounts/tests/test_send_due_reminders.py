"""提醒: send_due_reminders(today) tells each user of their 工作台 items once — when an item comes
into its window and once more when it becomes overdue — and never outside their scope."""

import datetime as dt

from dateutil.relativedelta import relativedelta

from dangjian.accounts.reminders import send_due_reminders
from dangjian.core.models import Notification
from dangjian.testing import make_member

END = dt.date(2026, 11, 20)  # 周新's 预备期满之日


def probation(cast):
    return make_member(cast.county_admin, cast.branch, name="周新", join=END.replace(year=2025),
                       full=None)  # fmt: skip


def told(user):
    return list(Notification.objects.filter(recipient=user).values_list("title", flat=True))


def test_those_in_scope_are_told_once(cast):
    probation(cast)
    assert send_due_reminders(END - dt.timedelta(days=30)) == 3  # county, township, secretary
    assert send_due_reminders(END - dt.timedelta(days=29)) == 0
    assert told(cast.secretary) == ["预备期满：周新（东街社区党支部）"]


def test_nobody_is_told_before_the_window(cast):
    probation(cast)
    assert send_due_reminders(END - dt.timedelta(days=31)) == 0


def test_becoming_overdue_is_told_once_more(cast):
    probation(cast)
    send_due_reminders(END)
    send_due_reminders(END + dt.timedelta(days=1))
    send_due_reminders(END + dt.timedelta(days=2))
    assert len(told(cast.secretary)) == 2
    assert "已逾期 1 天" in Notification.objects.filter(recipient=cast.secretary).first().body


def test_outsider_and_other_members_are_not_told(cast):
    probation(cast)
    send_due_reminders(END)
    assert told(cast.outsider) == [] and told(cast.member_user) == []


def test_todays_run_uses_the_local_date(cast):
    from django.utils import timezone

    from dangjian.accounts.reminders import send_todays_reminders

    end = timezone.localdate()
    make_member(cast.county_admin, cast.branch, name="周新", join=end - relativedelta(years=1),
                full=None)  # fmt: skip
    assert send_todays_reminders() == 3
