"""工作台: the registry, the page and GET /api/workbench/ — each user's items, in scope."""

import datetime as dt

from dateutil.relativedelta import relativedelta
from django.urls import reverse
from django.utils import timezone

from dangjian.accounts.scope import scope_for
from dangjian.core import workbench
from dangjian.core.workbench import WorkItem
from dangjian.orgs.models import Organization
from dangjian.testing import make_member

TODAY = dt.date(2026, 12, 6)


def due_probation(cast, days):
    """周新 in 东街社区党支部, whose 预备期 ends `days` from today (negative: overdue)."""
    end = timezone.localdate() + dt.timedelta(days=days)
    join = end - relativedelta(years=1)
    return make_member(cast.county_admin, cast.branch, name="周新", join=join, full=None)


def test_due_in_words():
    item = WorkItem(key="k", kind="k", title="t", subject="s", url="/", due=TODAY)
    assert item.due_in_words(TODAY - dt.timedelta(days=12)) == "还有 12 天"
    assert item.due_in_words(TODAY) == "今天到期"
    assert item.due_in_words(TODAY + dt.timedelta(days=3)) == "已逾期 3 天"


def test_every_app_registered_its_provider():
    keys = {p.key for p in workbench.providers()}
    assert keys >= {"members.probation", "orgs.term", "votes.open", "rosters.ready"}


def test_registering_again_replaces_by_key():
    before = len(workbench.providers())
    workbench.register(next(p for p in workbench.providers() if p.key == "orgs.term"))
    assert len(workbench.providers()) == before


def test_the_page_shows_the_item_with_its_due_date_in_words_and_link(cast):
    member = due_probation(cast, -3)
    body = cast.client(cast.secretary).get(reverse("core:home")).content.decode()
    assert "预备期将满" in body and "周新" in body and "已逾期 3 天" in body
    assert reverse("members:event-create", args=[member.pk]) + "?kind=convert" in body


def test_the_page_shows_a_term_ending_soon(cast):
    end = timezone.localdate() + dt.timedelta(days=12)
    Organization.objects.filter(pk=cast.branch.pk).update(term_end=end)
    body = cast.client(cast.township_admin).get(reverse("core:home")).content.decode()
    assert "任期届满，应换届" in body and "还有 12 天" in body


def test_outsider_sees_nothing_of_another_county(cast):
    due_probation(cast, 5)
    Organization.objects.filter(pk=cast.branch.pk).update(term_end=timezone.localdate())
    client = cast.client(cast.outsider)
    body = client.get(reverse("core:home")).content.decode()
    assert "周新" not in body and "东街社区党支部" not in body
    assert client.get(reverse("workbench")).json() == []


def test_a_member_gets_a_workbench_of_their_own_not_a_redirect(cast):
    response = cast.client(cast.member_user).get(reverse("core:home"))
    assert response.status_code == 200
    assert reverse("members:detail", args=[cast.member.pk]) in response.content.decode()


def test_api_returns_my_items(cast):
    member = due_probation(cast, 12)
    [row] = cast.client(cast.secretary).get(reverse("workbench")).json()
    assert row["group"] == "预备期将满" and row["due_in_words"] == "还有 12 天"
    assert row["overdue"] is False
    assert row["url"] == reverse("members:event-create", args=[member.pk]) + "?kind=convert"


def test_api_needs_a_login(client, cast):
    assert client.get(reverse("workbench")).status_code in (401, 403)


def test_counting_for_a_county_is_a_fixed_number_of_queries(cast, django_assert_num_queries):
    for n in range(4):
        due_probation(cast, n)
    scope = scope_for(cast.county_admin)
    # members and transfers: 10; mobile members: 2 (one read of its rule values and one question
    # for its four kinds: is any stay due at all? none is here); the branch-life apps of issue 14:
    # 12 (会议 and 民主评议 7: 自行脱党 asks no more once nobody was absent often enough;
    # 四议两公开 3, 年度计划事项 2: its reminder window and one count); 发展党员 2 (the branch's
    # reminder window and one count; the 党委 and 培养联系人 counts ask nothing of an admin)
    with django_assert_num_queries(26):
        counts = workbench.count_for(cast.county_admin, scope, timezone.localdate())
    assert counts["members.probation"] == 4


def test_the_page_lists_the_first_items_of_a_long_group_and_says_how_many_more(cast, monkeypatch):
    from dangjian.home import views

    for n in range(3):
        due_probation(cast, n)
    monkeypatch.setattr(views, "HOME_ITEMS", 2)
    body = cast.client(cast.secretary).get(reverse("core:home")).content.decode()
    assert "另有 1 项未列出" in body and "今天到期" in body


def test_shared_is_computed_once_per_pass_and_each_time_outside(cast):
    asked = []

    def ask() -> int:
        asked.append(1)
        return len(asked)

    assert workbench.shared("k", ask) == 1 and workbench.shared("k", ask) == 2
    with workbench._one_pass():
        assert workbench.shared("k", ask) == 3 and workbench.shared("k", ask) == 3
        assert workbench.shared("other", ask) == 4
    with workbench._one_pass():  # the next user's pass starts empty
        assert workbench.shared("k", ask) == 5
