"""表决与选举 pages: create, open, vote on the phone, turnout, close, result, paper entry."""

import datetime as dt

from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import reverse

from dangjian.core.schedules import enqueue_due
from dangjian.members.models import Member
from dangjian.testing import make_member
from dangjian.votes import services
from dangjian.votes.models import Envelope, Poll


def election(cast, voters, method=Poll.Method.ONLINE, **extra):
    draft = services.PollDraft(
        title="支部委员会选举",
        kind=Poll.Kind.ELECTION,
        method=method,
        preset="election",
        electorate_on=dt.date.today(),
        seats=2,
        candidates=voters[:3],
        **extra,
    )
    return services.create_poll(actor=cast.secretary, organization=cast.branch, draft=draft)


def opened(cast, poll):
    return services.open_poll(actor=cast.secretary, poll=poll)


def cast_online(user, poll, yes):
    marks = {str(c.pk): "yes" for c in poll.candidates.filter(name__in=yes)}
    services.cast_ballot(actor=user, poll=poll, choices={"marks": marks})


def vote_url(poll):
    return reverse("votes:vote", args=[poll.token])


def closed_with_votes(cast, voters):
    poll = opened(cast, election(cast, voters))
    for voter in voters:
        cast_online(voter.user, poll, ["王一", "张二"])
    cast_online(cast.member_user, poll, ["王一", "刘三"])
    return services.close_poll(actor=cast.secretary, poll=poll)


def test_manager_creates_contested_election_through_the_form(cast, voters):
    client = cast.client(cast.secretary)
    url = reverse("votes:create") + f"?org={cast.branch.pk}&kind=election"
    page = client.get(url)
    assert "王一" in page.content.decode()
    data = {"title": "支部委员会选举", "method": "online", "preset": "election", "secret": "on"}
    data |= {"seats": 3, "electorate_on": dt.date.today().isoformat()}
    data["candidates"] = [m.pk for m in voters]
    response = client.post(url, data)
    poll = Poll.objects.get()
    assert response.url == reverse("votes:detail", args=[poll.pk])
    assert (poll.seats, poll.contested, poll.candidates.count()) == (3, True, 4)


def test_too_few_contested_candidates_is_refused_in_chinese_and_nothing_saved(cast, voters):
    url = reverse("votes:create") + f"?org={cast.branch.pk}&kind=election"
    data = {"title": "选举", "method": "online", "preset": "election", "secret": "on"}
    data |= {"seats": 3, "electorate_on": dt.date.today().isoformat()}
    data["candidates"] = [m.pk for m in voters[:3]]
    response = cast.client(cast.secretary).post(url, data)
    assert response.status_code == 400
    assert "委员选举应当差额选举，候选人数应多于应选人数" in response.content.decode()
    assert not Poll.objects.exists()


def test_list_shows_polls_and_new_button_to_managers(cast, voters):
    election(cast, voters)
    page = cast.client(cast.secretary).get(reverse("votes:list")).content.decode()
    assert "支部委员会选举" in page and "新建表决" in page
    assert (
        "新建表决" not in cast.client(cast.member_user).get(reverse("votes:list")).content.decode()
    )


def test_opening_shows_the_qr_code_and_the_link(cast, voters):
    poll = election(cast, voters)
    client = cast.client(cast.secretary)
    response = client.post(
        reverse("votes:poll-open", args=[poll.pk]), {"version": poll.version, "confirmed": "1"}
    )
    page = client.get(response.url).content.decode()
    assert "投票中" in page and "<svg" in page
    assert f"http://testserver/votes/v/{poll.token}/" in page


def test_opening_with_a_stale_version_is_refused(cast, voters):
    poll = election(cast, voters)
    client = cast.client(cast.secretary)
    response = client.post(
        reverse("votes:poll-open", args=[poll.pk]),
        {"version": poll.version - 1, "confirmed": "1"},
        follow=True,
    )
    assert "已被他人修改" in response.content.decode()
    assert Poll.objects.get().status == Poll.Status.DRAFT


def test_voter_casts_on_the_phone_page_and_cannot_vote_twice(cast, voters):
    poll = opened(cast, election(cast, voters))
    client = cast.client(voters[3].user)
    assert "最多赞成 2 人" in client.get(vote_url(poll)).content.decode()
    yes = {f"c{c.pk}": "yes" for c in poll.candidates.all()[:2]} | {"confirmed": "1"}
    done = client.get(client.post(vote_url(poll), yes).url).content.decode()
    assert "您的选票已投出" in done and "王一" not in done
    again = client.post(vote_url(poll), yes)
    assert "已投过票" in again.content.decode() and Envelope.objects.count() == 1
    assert "您已投票" in client.get(vote_url(poll)).content.decode()


def test_an_error_report_of_the_vote_page_hides_the_ballot(cast, voters):
    poll = opened(cast, election(cast, voters))
    yes = {f"c{c.pk}": "yes" for c in poll.candidates.all()[:2]}
    response = cast.client(voters[0].user).post(vote_url(poll), yes)
    assert response.wsgi_request.sensitive_post_parameters == "__ALL__"


def test_vote_page_needs_a_login(cast, voters):
    poll = opened(cast, election(cast, voters))
    response = Client().get(vote_url(poll))
    assert response.status_code == 302 and "next=" in response.url


def test_too_many_yes_marks_are_refused_so_the_voter_can_correct(cast, voters):
    poll = opened(cast, election(cast, voters))
    yes = {f"c{c.pk}": "yes" for c in poll.candidates.all()}
    response = cast.client(voters[0].user).post(vote_url(poll), yes)
    assert "赞成人数超过应选人数" in response.content.decode()
    assert not Envelope.objects.exists()


def test_member_not_in_the_electorate_cannot_cast(cast, voters):
    poll = opened(cast, election(cast, voters))
    probationer = make_member(cast.county_admin, cast.branch, name="周五", full=None)
    probationer.user = get_user_model().objects.create_user("prob", password="x")
    probationer.save()
    client = cast.client(probationer.user)
    assert client.get(vote_url(poll)).status_code == 404
    client.post(vote_url(poll), {"c1": "yes"})
    assert not Envelope.objects.exists()


def test_turnout_names_who_has_not_voted_to_the_manager_but_no_choices(cast, voters):
    poll = opened(cast, election(cast, voters))
    cast_online(voters[0].user, poll, ["王一"])
    url = reverse("votes:turnout", args=[poll.pk])
    page = cast.client(cast.secretary).get(url).content.decode()
    assert "尚未投票（4 人）" in page and "李明" in page and "赞成" not in page
    own = cast.client(voters[1].user).get(url).content.decode()
    assert "尚未投票" not in own and "李明" not in own


def test_outsider_gets_404_on_every_poll_page_and_action(cast, voters):
    poll = opened(cast, election(cast, voters))
    client = cast.client(cast.outsider)
    for name in ("detail", "turnout", "record-pdf"):
        assert client.get(reverse(f"votes:{name}", args=[poll.pk])).status_code == 404
    for name in ("poll-open", "poll-close", "attendance", "paper-ballot", "paper-counts"):
        assert client.post(reverse(f"votes:{name}", args=[poll.pk])).status_code == 404
    for name in ("recount", "next-round"):
        assert client.post(reverse(f"votes:{name}", args=[poll.pk])).status_code == 404
    assert client.get(vote_url(poll)).status_code == 404


def test_voter_may_see_the_poll_but_not_run_it(cast, voters):
    poll = opened(cast, election(cast, voters))
    client = cast.client(cast.member_user)
    assert "去投票" in client.get(reverse("votes:detail", args=[poll.pk])).content.decode()
    close = client.post(
        reverse("votes:poll-close", args=[poll.pk]), {"version": poll.version, "confirmed": "1"}
    )
    assert close.status_code == 403


def test_closing_shows_the_result_with_elected_and_digest(cast, voters):
    poll = opened(cast, election(cast, voters))
    for user in [cast.member_user, *(v.user for v in voters)]:
        cast_online(user, poll, ["王一", "张二"])
    client = cast.client(cast.secretary)
    url = reverse("votes:poll-close", args=[poll.pk])
    page = client.post(
        url, {"version": poll.version, "confirmed": "1"}, follow=True
    ).content.decode()
    assert "计票结果" in page and "当选：</strong>王一、张二" in page
    assert "选票摘要（SHA-256）" in page and Poll.objects.get().ballots_digest in page
    assert 'data-chart="result"' in page


def test_voter_sees_the_result_once_closed(cast, voters):
    poll = closed_with_votes(cast, voters)
    page = cast.client(cast.member_user).get(reverse("votes:detail", args=[poll.pk]))
    assert "计票结果" in page.content.decode() and "复核" not in page.content.decode()


def test_recount_page_shows_ok(cast, voters):
    poll = closed_with_votes(cast, voters)
    page = cast.client(cast.secretary).post(reverse("votes:recount", args=[poll.pk]))
    assert "复核无误" in page.content.decode()


def test_attendance_is_recorded(cast, voters):
    poll = opened(cast, election(cast, voters))
    ids = list(poll.voters.values_list("pk", flat=True)[:3])
    client = cast.client(cast.secretary)
    page = client.post(reverse("votes:attendance", args=[poll.pk]), {"present": ids}, follow=True)
    assert "实到会 3 人" in page.content.decode()


def test_paper_ballots_are_entered_one_by_one_and_counted(cast, voters):
    poll = opened(cast, election(cast, voters, method=Poll.Method.PAPER))
    client = cast.client(cast.secretary)
    ids = list(poll.voters.values_list("pk", flat=True))
    client.post(reverse("votes:attendance", args=[poll.pk]), {"present": ids})
    first = poll.candidates.first()
    for _ in range(4):
        client.post(reverse("votes:paper-ballot", args=[poll.pk]), {f"c{first.pk}": "yes"})
    client.post(reverse("votes:paper-ballot", args=[poll.pk]), {"invalid": "1"})
    client.post(reverse("votes:paper-counts", args=[poll.pk]), {"issued": 5})
    client.post(reverse("votes:poll-close", args=[poll.pk]), {"version": 2, "confirmed": "1"})
    result = Poll.objects.get().result
    assert (result["valid"], result["invalid"], result["elected"]) == (4, 1, [first.pk])


def test_totals_are_entered_and_refused_when_they_do_not_add_up(cast, voters):
    poll = opened(cast, election(cast, voters, method=Poll.Method.TOTALS))
    client = cast.client(cast.secretary)
    a, b, c = poll.candidates.all()
    counts = {f"t_{a.pk}_yes": 5, f"t_{b.pk}_yes": 4, f"t_{b.pk}_no": 1, f"t_{c.pk}_no": 5}
    data = {"issued": 5, "returned": 5, "invalid": 0, **counts}
    bad = client.post(reverse("votes:paper-counts", args=[poll.pk]), data | {"invalid": 1})
    import re

    print(re.findall(r"msg[^>]*>[^<]*|errorlist[^<]*<li>[^<]*", bad.content.decode()))
    assert bad.status_code == 400 and "应等于有效票数" in bad.content.decode()
    client.post(reverse("votes:paper-counts", args=[poll.pk]), data)
    assert Poll.objects.get().totals["counts"][str(a.pk)]["yes"] == 5


def test_a_scheduled_poll_is_opened_by_the_worker_not_by_viewing_its_page(cast, voters):
    past = dt.datetime.now(dt.UTC) - dt.timedelta(minutes=1)
    poll = election(cast, voters, opens_at=past)
    client = cast.client(cast.secretary)
    page = client.get(reverse("votes:detail", args=[poll.pk])).content.decode()
    assert "等待系统处理" in page and Poll.objects.get().status == Poll.Status.DRAFT
    assert client.get(reverse("poll-detail", args=[poll.pk])).json()["status"] == "draft"
    assert Poll.objects.get().status == Poll.Status.DRAFT  # the API did not move it either
    assert "votes.run_schedule" in enqueue_due()  # the worker's periodic run
    page = client.get(reverse("votes:detail", args=[poll.pk])).content.decode()
    assert "投票中" in page and "等待系统处理" not in page


def test_motion_is_voted_and_passes(cast, voters):
    draft = services.PollDraft(
        title="接收张某为预备党员",
        kind=Poll.Kind.MOTION,
        method=Poll.Method.ONLINE,
        preset="meeting",
        electorate_on=dt.date.today(),
    )
    poll = services.create_poll(actor=cast.secretary, organization=cast.branch, draft=draft)
    opened(cast, poll)
    for member in Member.objects.filter(user__isnull=False):
        cast.client(member.user).post(vote_url(poll), {"vote": "yes", "confirmed": "1"})
    page = cast.client(cast.secretary).post(
        reverse("votes:poll-close", args=[poll.pk]), {"version": 2, "confirmed": "1"}, follow=True
    )
    assert "表决结果：</strong>通过" in page.content.decode()


def test_a_member_who_scans_a_poll_before_it_opens_is_told_it_has_not_begun(cast, voters):
    poll = election(cast, voters)
    page = cast.client(cast.member_user).get(vote_url(poll))
    assert page.status_code == 200 and "投票尚未开始" in page.content.decode()
    far = get_user_model().objects.create_user("far", password="x")
    cast.far_member.user = far
    cast.far_member.save()
    assert cast.client(far).get(vote_url(poll)).status_code == 404


def test_manager_puts_candidates_in_order_by_hand_before_opening(cast, voters):
    poll = election(cast, voters)
    page = cast.client(cast.secretary).get(reverse("votes:detail", args=[poll.pk]))
    assert "调整选票顺序" in page.content.decode()
    ids = {c.name: c.pk for c in poll.candidates.all()}
    data = {f"pos_{ids['王一']}": "1", f"pos_{ids['张二']}": "2", f"pos_{ids['刘三']}": "3"}
    cast.client(cast.secretary).post(reverse("votes:reorder", args=[poll.pk]), data)
    assert list(poll.candidates.values_list("name", flat=True)) == ["王一", "张二", "刘三"]
    data[f"pos_{ids['刘三']}"] = "第三"
    page = cast.client(cast.secretary).post(
        reverse("votes:reorder", args=[poll.pk]), data, follow=True
    )
    assert "请为 刘三 填写序号" in page.content.decode()
