"""发展党员 work lists: what is due next on a file (`deadlines`), the daily refresh, the 工作清单
page, the list's filters, the applicant's own progress and linking their login."""

import datetime as dt

import pytest
from dateutil.relativedelta import relativedelta
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from dangjian.core.dates import today
from dangjian.core.schedules import registered
from dangjian.recruitment import deadlines
from dangjian.recruitment.models import Applicant, Assessment, Report
from dangjian.recruitment.services import record_report, take
from dangjian.recruitment.tests.worklist_helpers import (
    activist,
    apply,
    months_ago,
    party_committee,
    record_steps,
)

# --- deadlines ----------------------------------------------------------------------------------


def test_a_new_application_is_due_a_talk_within_one_month(cast):
    a = apply(cast, on=dt.date(2026, 1, 31))
    assert (a.due_label, a.due_on) == ("派人谈话", dt.date(2026, 2, 28))  # 民法典第二百零二条


def test_the_talk_is_overdue_the_day_after_its_last_day_not_on_it(cast):
    a = apply(cast, on=dt.date(2026, 3, 10))
    assert not deadlines.is_overdue(a, dt.date(2026, 4, 10))
    assert deadlines.is_overdue(a, dt.date(2026, 4, 11))


def test_the_talk_taken_through_the_service_moves_the_file_on(cast):
    a = apply(cast, on=today() - dt.timedelta(days=3))
    take(cast.secretary, a, "talk", on=today(), version=a.version)
    a.refresh_from_db()
    assert a.status == "talked" and (a.due_on, a.due_label) == (None, "")


def test_an_activist_owes_a_report_every_three_months_from_the_latest(cast):
    since = months_ago(2)
    a = activist(cast, since)
    assert (a.due_label, a.due_on) == ("思想汇报", since + relativedelta(months=3))
    Report.objects.create(applicant=a, submitted_on=today())
    deadlines.refresh(a)
    assert (a.due_label, a.due_on) == ("思想汇报", today() + relativedelta(months=3))
    # a report today and one in the month before the 考察: the half-yearly 考察 comes first
    Report.objects.create(applicant=a, submitted_on=today() + relativedelta(months=3))
    deadlines.refresh(a)
    assert (a.due_label, a.due_on) == ("培养考察", since + relativedelta(months=6))


def test_the_assessment_counts_from_the_latest_assessment(cast):
    since = months_ago(5)
    a = activist(cast, since)
    Report.objects.create(applicant=a, submitted_on=today())
    Assessment.objects.create(applicant=a, kind="activist", assessed_on=today(), opinion="好")
    deadlines.refresh(a)
    assert a.due_label == "思想汇报" and a.due_on == today() + relativedelta(months=3)


def test_one_year_after_activist_it_may_now_become_a_candidate_not_overdue(cast):
    since = months_ago(12)
    a = activist(cast, since)
    Report.objects.create(applicant=a, submitted_on=today())
    Assessment.objects.create(applicant=a, kind="activist", assessed_on=today(), opinion="好")
    deadlines.refresh(a, today=today())
    assert (a.due_label, a.due_on) == ("可确定为发展对象", today())
    assert not deadlines.is_overdue(a, today() + dt.timedelta(days=5))
    # the day after, the date gives way to the next deadline
    deadlines.refresh(a, today=today() + dt.timedelta(days=1))
    assert a.due_label == "思想汇报"


def test_the_day_before_a_year_the_candidate_date_is_still_ahead(cast):
    a = activist(cast, months_ago(12) + dt.timedelta(days=1))
    Report.objects.create(applicant=a, submitted_on=today())
    Assessment.objects.create(applicant=a, kind="activist", assessed_on=today(), opinion="好")
    deadlines.refresh(a)
    assert (a.due_label, a.due_on) == ("可确定为发展对象", today() + dt.timedelta(days=1))


def test_approval_is_due_three_months_after_the_branch_meeting(cast):
    a = activist(cast, months_ago(20))
    voted = months_ago(1)
    a = record_steps(a, ("confirm_candidate", months_ago(6)), ("committee_review", months_ago(3)),
                     ("pre_review", months_ago(2)), ("publish", months_ago(2)),
                     ("end_publicity", months_ago(2)), ("fill_form", months_ago(2)),
                     ("put_to_vote", voted), ("admit", voted))  # fmt: skip
    Report.objects.create(applicant=a, submitted_on=today())
    deadlines.refresh(a)
    assert (a.status, a.due_label, a.due_on) == (
        "voted",
        "上级党委审批",
        voted + relativedelta(months=3),
    )


def test_a_probationary_member_is_due_the_oath_then_the_quarterly_review(cast):
    a = activist(cast, months_ago(20))
    approved = today() - dt.timedelta(days=10)
    a = record_steps(a, ("confirm_candidate", months_ago(6)), ("committee_review", months_ago(3)),
                     ("admit", months_ago(1)), ("approve", approved))  # fmt: skip
    Report.objects.create(applicant=a, submitted_on=today())
    deadlines.refresh(a)
    assert (a.due_label, a.due_on) == ("入党宣誓", approved + relativedelta(months=1))
    a = record_steps(a, ("oath", today()))
    assert (a.due_label, a.due_on) == ("预备党员考察", approved + relativedelta(months=3))


def test_a_conversion_awaiting_approval_is_due_three_months_after_the_resolution(cast):
    a = activist(cast, months_ago(30))
    resolved = today() - dt.timedelta(days=4)
    a = record_steps(a, ("approve", months_ago(13)), ("put_conversion_to_vote", resolved),
                     ("resolve_convert", resolved))  # fmt: skip
    Report.objects.create(applicant=a, submitted_on=today())
    deadlines.refresh(a)
    assert (a.due_label, a.due_on) == ("上级党委审批转正", resolved + relativedelta(months=3))


def test_a_closed_file_owes_nothing(cast):
    a = apply(cast, on=today())
    a = record_steps(a, ("terminate", today()))
    assert (a.status, a.due_on, a.due_label) == ("closed", None, "")


def test_the_daily_run_refreshes_only_files_whose_day_has_passed(cast):
    a = activist(cast, months_ago(12))
    Report.objects.create(applicant=a, submitted_on=today())
    Assessment.objects.create(applicant=a, kind="activist", assessed_on=today(), opinion="好")
    deadlines.refresh(a)
    assert deadlines.refresh_passed(today()) == 0
    assert deadlines.refresh_passed(today() + dt.timedelta(days=1)) == 1
    a.refresh_from_db()
    assert a.due_label == "思想汇报"
    assert "recruitment.refresh_due" in registered()


def test_refresh_leaves_the_version_alone(cast):
    a = apply(cast, on=today())
    version = a.version
    Applicant.objects.filter(pk=a.pk).update(due_on=None, due_label="")
    a.refresh_from_db()
    deadlines.refresh(a)
    a.refresh_from_db()
    assert a.version == version and a.due_label == "派人谈话"


# --- the 工作清单 page --------------------------------------------------------------------------


def _page(client, **params):
    return client.get(reverse("recruitment:worklist"), params)


def test_the_worklist_counts_files_per_stage_for_the_branch(cast):
    apply(cast, name="刘洋", on=today())
    activist(cast, months_ago(2), name="陈晨")
    apply(cast, org=cast.other_branch, name="外支部", on=today())
    response = _page(cast.client(cast.secretary))
    counts = {c.stage: c.count for c in response.context["counts"]}
    assert counts["A"] == 1 and counts["B"] == 1 and counts["C"] == 0
    body = response.content.decode()
    assert "刘洋" in body and "陈晨" in body and "外支部" not in body


def test_the_worklist_lists_what_is_due_this_week_and_overdue(cast):
    apply(cast, name="逾期", on=months_ago(1, days=2))
    apply(cast, name="下周后", on=today())
    response = _page(cast.client(cast.secretary))
    due = {r.a.name: r.overdue for r in response.context["due"]}
    assert due == {"逾期": True}


def test_the_worklist_filters_by_stage_and_organization(cast):
    apply(cast, name="刘洋", on=today())
    activist(cast, months_ago(2), name="陈晨")
    apply(cast, org=cast.other_branch, name="河口", on=today())
    client = cast.client(cast.county_admin)
    names = [r.a.name for r in _page(client, stage="B").context["rows"]]
    assert names == ["陈晨"]
    names = [r.a.name for r in _page(client, org=cast.other_branch.pk).context["rows"]]
    assert names == ["河口"]
    assert "data-autosubmit" in _page(client).content.decode()


def test_the_worklist_refuses_an_organization_outside_the_scope(cast):
    assert _page(cast.client(cast.secretary), org=cast.far_branch.pk).status_code == 404


def test_the_committee_sees_what_awaits_its_action(cast):
    committee = party_committee(cast)
    a = activist(cast, months_ago(2), name="待备案")
    b = record_steps(apply(cast, name="待预审", on=months_ago(20)), ("talk", months_ago(19)),
                     ("confirm_activist", months_ago(18)), ("confirm_candidate", months_ago(5)),
                     ("committee_review", months_ago(1)))  # fmt: skip
    record_steps(a, ("file_activist", today()))
    rows = {r.a.name: r.action for r in _page(cast.client(committee)).context["committee"]}
    assert rows == {"待预审": "预审"} and b.status == "reviewed"


def test_a_member_without_a_managing_role_is_refused_the_worklist(cast):
    assert _page(cast.client(cast.member_user)).status_code == 403


def test_an_outsider_sees_none_of_the_county_s_files(cast):
    apply(cast, name="刘洋", on=today())
    response = _page(cast.client(cast.outsider))
    assert "刘洋" not in response.content.decode()
    assert all(c.count == 0 for c in response.context["counts"])


# --- the list: stage filter and search -----------------------------------------------------------


def test_the_list_searches_by_name_and_pinyin_and_filters_by_stage(cast):
    apply(cast, name="刘洋", on=today())
    activist(cast, months_ago(2), name="陈晨")
    client = cast.client(cast.secretary)
    url = reverse("recruitment:list")

    def names(**params):
        return [a.name for a, _ in client.get(url, params).context["applicants"]]

    assert names(q="刘") == ["刘洋"]
    assert names(q="chen") == ["陈晨"]
    assert names(stage="B") == ["陈晨"]
    assert "入党积极分子" in client.get(url).content.decode()


# --- 我的入党进度 and linking the login ---------------------------------------------------------


@pytest.fixture
def applicant_user(django_user_model):
    return django_user_model.objects.create_user("liuyang", password="x", first_name="刘洋")


def test_the_branch_links_a_login_and_the_applicant_sees_only_their_progress(cast, applicant_user):
    a = activist(cast, months_ago(2), name="刘洋")
    apply(cast, name="别人", on=today())
    response = cast.client(cast.secretary).post(
        reverse("recruitment:link-account", args=[a.pk]), {"username": "liuyang"}
    )
    assert response.status_code == 302
    body = cast.client(applicant_user).get(reverse("recruitment:mine")).content.decode()
    assert "刘洋" in body and "入党积极分子" in body and "思想汇报" in body
    assert "别人" not in body and reverse("recruitment:mine") in body  # the nav link


def test_my_progress_shows_the_day_each_stage_was_reached(cast, applicant_user):
    since = months_ago(2)
    a = activist(cast, since, name="刘洋")
    Applicant.objects.filter(pk=a.pk).update(user=applicant_user)
    stages = cast.client(applicant_user).get(reverse("recruitment:mine")).context["stages"]
    assert [s.on for s in stages[:3]] == [since - relativedelta(months=1), since, None]
    assert [s.current for s in stages] == [False, True, False, False, False, False]


def test_a_login_without_a_file_sees_a_short_note(cast):
    response = cast.client(cast.member_user).get(reverse("recruitment:mine"))
    assert response.status_code == 200 and "没有关联发展党员档案" in response.content.decode()


def test_an_administrator_or_a_member_s_account_cannot_be_linked(cast):
    a = apply(cast, on=today())
    client = cast.client(cast.secretary)
    url = reverse("recruitment:link-account", args=[a.pk])
    body = client.post(url, {"username": cast.sysadmin.username}).content.decode()
    assert "管理员账号不能关联" in body
    body = client.post(url, {"username": cast.member_user.username}).content.decode()
    assert "已关联党员档案" in body
    a.refresh_from_db()
    assert a.user_id is None


def test_the_committee_may_not_link_a_login(cast):
    committee = party_committee(cast)
    a = apply(cast, on=today())
    url = reverse("recruitment:link-account", args=[a.pk])
    assert cast.client(committee).post(url, {"username": "x"}).status_code == 403


def test_the_worklist_page_asks_as_many_queries_for_four_files_as_for_one(
    cast, django_assert_max_num_queries
):
    committee = party_committee(cast)
    activist(cast, months_ago(2), name="甲")
    client = cast.client(committee)
    with CaptureQueriesContext(connection) as one:
        _page(client)
    for name in ("乙", "丙", "丁"):
        activist(cast, months_ago(2), name=name)
    with django_assert_max_num_queries(len(one)):
        assert len(_page(client).context["committee"]) == 4


def test_the_file_page_offers_the_branch_to_link_a_login(cast):
    a = apply(cast, on=today())
    url = reverse("recruitment:detail", args=[a.pk])
    assert "link-account" in cast.client(cast.secretary).get(url).content.decode()
    assert "link-account" not in cast.client(party_committee(cast)).get(url).content.decode()


def test_a_report_recorded_through_the_service_moves_the_next_report_on(cast):
    a = activist(cast, months_ago(2))
    record_report(actor=cast.secretary, applicant=a, submitted_on=today())
    a.refresh_from_db()
    assert (a.due_label, a.due_on) == ("思想汇报", today() + relativedelta(months=3))


def test_the_applicant_reads_their_file_without_the_branch_s_notes(cast, applicant_user):
    a = apply(cast, name="刘洋", on=today() - dt.timedelta(days=1))
    take(cast.secretary, a, "talk", on=today(), version=a.version, note="家庭情况需进一步了解")
    Applicant.objects.filter(pk=a.pk).update(user=applicant_user)
    body = cast.client(applicant_user).get(reverse("recruitment:detail", args=[a.pk]))
    assert "派人谈话" in body.content.decode() and "家庭情况" not in body.content.decode()
    secretary = cast.client(cast.secretary).get(reverse("recruitment:detail", args=[a.pk]))
    assert "家庭情况" in secretary.content.decode()
