"""The election and meeting rules of issue 11: 差额 by post, 书面意见, 另行选举, the runoff's
majority, 民主评议's 优秀 cap and 预备党员, 另选他人, the quorum warning, the electorate date."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from dangjian.core.crypto import open_envelope
from dangjian.core.exceptions import DomainError
from dangjian.testing import make_member
from dangjian.votes import services
from dangjian.votes.models import Poll, WrittenOpinion
from dangjian.votes.selectors import poll_report, stored_ballots
from dangjian.votes.serializers import PollCreateSerializer
from dangjian.votes.tests.test_services import NAMES, TODAY, Branch, branch, draft, yes

__all__ = ["branch"]  # the fixture, shared with test_services
pytestmark = pytest.mark.django_db
Post = Poll.Post


def api(user: Any) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def create(b: Branch, **values: Any) -> Poll:
    return services.create_poll(
        actor=b.cast.secretary, organization=b.cast.branch, draft=draft(**values)
    )


def opened(b: Branch, **values: Any) -> Poll:
    return services.open_poll(actor=b.cast.secretary, poll=create(b, **values))


def closed(b: Branch, poll: Poll, **kw: Any) -> Poll:
    return services.close_poll(actor=b.cast.secretary, poll=poll, **kw)


def cast_all(b: Branch, poll: Poll, ballots: list[dict[str, Any]]) -> None:
    for user, choices in zip(b.users, ballots, strict=False):
        services.cast_ballot(actor=user, poll=poll, choices=choices)


# ---- 1. 差额 is the rule of the post ----------------------------------------------------------


def test_a_committee_election_of_five_for_five_is_refused_by_the_api(branch: Branch) -> None:
    payload = {"organization": branch.cast.branch.pk, "title": "支委会换届", "kind": "election"}
    payload |= {"method": "online", "preset": "election", "electorate_on": TODAY.isoformat()}
    payload |= {"seats": 5, "candidates": [m.pk for m in branch.members[:5]]}
    response = api(branch.cast.secretary).post(reverse("poll-list"), payload, format="json")
    assert response.status_code == 400
    assert "委员选举应当差额选举" in response.content.decode()
    assert not Poll.objects.exists()
    payload["candidates"] = [m.pk for m in branch.members[:6]]  # 5 + 20% = 6: the day it is met
    created = api(branch.cast.secretary).post(reverse("poll-list"), payload, format="json")
    assert created.status_code == 201 and created.json()["contested"] is True


def test_the_api_takes_no_contested_checkbox() -> None:
    fields = PollCreateSerializer().fields
    assert "contested" not in fields and "post" in fields


def test_a_secretary_may_be_elected_uncontested(branch: Branch) -> None:
    poll = opened(branch, seats=1, post=Post.SECRETARY, candidates=branch.members[:1])
    assert (poll.status, poll.contested, poll.post) == (Poll.Status.OPEN, False, Post.SECRETARY)


def test_an_uncontested_committee_draft_is_refused_at_open(branch: Branch) -> None:
    poll = create(branch, seats=3, candidates=branch.members[:4])
    poll.candidates.order_by("-position").first().delete()  # e.g. a draft stored before the rule
    with pytest.raises(DomainError, match="候选人至少 4 人，现有 3 人"):
        services.open_poll(actor=branch.cast.secretary, poll=poll)
    assert Poll.objects.get().status == Poll.Status.DRAFT


# ---- 2. written opinions ----------------------------------------------------------------------


def motion(b: Branch) -> Poll:
    return opened(b, kind=Poll.Kind.MOTION, title="接收王芳为预备党员")


def opinion(b: Branch, poll: Poll, index: int, vote: str = "yes") -> WrittenOpinion:
    voter = poll.voters.get(member=b.members[index])
    return services.record_written_opinion(
        actor=b.cast.secretary, poll=poll, voter_id=voter.pk, vote=vote
    )


def test_a_written_opinion_counts_toward_the_motion_but_not_toward_the_quorum(
    branch: Branch,
) -> None:
    poll = motion(branch)  # 8 entitled: quorum more than 4 present, passes with more than 4 yes
    cast_all(branch, poll, [{"vote": "yes"}] * 4)
    opinion(branch, poll, 6)
    assert not poll.voters.get(member=branch.members[6]).present
    result = closed(branch, poll).result
    assert (result["quorum_met"], result["passed"], result["written"]["yes"]) == (False, False, 1)


def test_a_written_yes_carries_a_motion_a_meeting_with_a_quorum_decides(branch: Branch) -> None:
    poll = motion(branch)
    cast_all(branch, poll, [{"vote": "yes"}] * 4 + [{"vote": "no"}])  # 5 present, 4 yes of 8
    opinion(branch, poll, 6)
    result = closed(branch, poll).result
    assert (result["quorum_met"], result["passed"], result["options"][0]["counts"]["yes"]) == (
        True,
        True,
        5,
    )
    assert services.recount_poll(actor=branch.cast.secretary, poll=Poll.objects.get()).ok


def test_one_written_opinion_per_absent_voter_and_none_for_elections(branch: Branch) -> None:
    poll = motion(branch)
    opinion(branch, poll, 6)
    with pytest.raises(DomainError, match="每人只能表决一次"):
        opinion(branch, poll, 6, "no")
    with pytest.raises(DomainError, match="您已投过票"):  # nor cast on the phone afterwards
        services.cast_ballot(actor=branch.users[6], poll=poll, choices={"vote": "no"})
    cast_all(branch, poll, [{"vote": "yes"}])
    with pytest.raises(DomainError, match="已登记到会"):
        opinion(branch, poll, 0)
    election = opened(branch, seats=1, candidates=branch.members[:2])
    with pytest.raises(DomainError, match="选举和评议不接受书面意见"):
        opinion(branch, election, 6)


def test_the_chair_enters_a_written_opinion_through_the_api(branch: Branch) -> None:
    poll = motion(branch)
    voter = poll.voters.get(member=branch.members[2])
    url = reverse("poll-written-opinions", args=[poll.pk])
    body = {"voter": voter.pk, "vote": "no"}
    assert api(branch.users[0]).post(url, body, format="json").status_code == 403
    response = api(branch.cast.secretary).post(url, body, format="json")
    assert (response.status_code, response.json()) == (201, {"opinions": 1})


# ---- 3. 另行选举 and 4. the runoff ----------------------------------------------------------


def test_unfilled_seats_go_to_a_linked_further_election_of_the_not_elected(branch: Branch) -> None:
    poll = opened(branch, seats=3, candidates=branch.members[:4])
    cast_all(branch, poll, [yes(poll, "王芳")] * 8)  # only 王芳 has more than half
    first = closed(branch, poll)
    assert (first.result["elected"], first.result["unfilled"]) == (
        [first.candidates.get(name="王芳").pk],
        2,
    )
    new = services.start_next_round(actor=branch.cast.secretary, poll=first)
    assert (new.previous, new.round_no, new.round_kind, new.seats) == (first, 2, "further", 2)
    names = set(new.candidates.values_list("name", flat=True))
    assert names == {"李强", "马红", "刘洋"}  # 差额 again: 2 seats need 3 candidates
    page = branch.cast.client(branch.cast.secretary).get(reverse("votes:detail", args=[new.pk]))
    assert "各轮投票" in page.content.decode() and "另行选举" in page.content.decode()


def test_an_elected_candidate_is_refused_in_the_further_election(branch: Branch) -> None:
    poll = opened(branch, seats=3, candidates=branch.members[:4])
    cast_all(branch, poll, [yes(poll, "王芳")] * 8)
    first = closed(branch, poll)
    chosen = [branch.members[0].pk, branch.members[1].pk, branch.members[2].pk]
    with pytest.raises(DomainError, match="王芳 已在上一轮当选"):
        services.start_next_round(actor=branch.cast.secretary, poll=first, candidates=chosen)
    outsider = [branch.members[5].pk]  # never a candidate
    with pytest.raises(DomainError, match="上一轮未当选的候选人"):
        services.start_next_round(actor=branch.cast.secretary, poll=first, candidates=outsider)


def test_the_runoff_among_the_tied_elects_the_most_votes_without_a_new_majority(
    branch: Branch,
) -> None:
    runoff = services.start_next_round(actor=branch.cast.secretary, poll=_tied_poll(branch))
    assert (runoff.round_kind, runoff.seats, runoff.candidates.count()) == ("runoff", 1, 2)
    runoff = services.open_poll(actor=branch.cast.secretary, poll=runoff)
    runoff.voters.update(present=True)
    ids = {c.name: str(c.pk) for c in runoff.candidates.all()}
    counts = {ids["李强"]: {"yes": 3, "abstain": 5}, ids["马红"]: {"yes": 2, "abstain": 6}}
    services.record_paper_counts(
        actor=branch.cast.secretary,
        poll=runoff,
        issued=8,
        returned=8,
        totals={"invalid": 0, "counts": counts},
    )
    result = closed(branch, runoff).result  # 3 of 8 present is not over half: elected anyway
    assert (result["elected"], result["unfilled"]) == ([int(ids["李强"])], 0)


def _tied_poll(b: Branch) -> Poll:
    """A closed paper election (totals) of 2 seats where 2 of 3 candidates tie for the last."""
    poll = opened(b, seats=2, candidates=b.members[:3], method=Poll.Method.TOTALS, title="两委")
    poll.voters.update(present=True)
    ids = {c.name: str(c.pk) for c in poll.candidates.all()}
    totals = {
        "invalid": 0,
        "counts": {
            ids["王芳"]: {"yes": 6, "no": 2},
            ids["李强"]: {"yes": 5, "no": 3},
            ids["马红"]: {"yes": 5, "no": 3},
        },
    }
    services.record_paper_counts(
        actor=b.cast.secretary, poll=poll, issued=8, returned=8, totals=totals
    )
    done = closed(b, poll)
    assert done.result["runoff"] and done.result["runoff_seats"] == 1
    return done


# ---- 5. 民主评议 --------------------------------------------------------------------------------


def evaluation(b: Branch, people: list[Any]) -> Poll:
    return opened(b, kind=Poll.Kind.GRADE, preset="evaluation", candidates=people, title="民主评议")


def test_probationary_members_take_part_without_a_grade(branch: Branch) -> None:
    cast = branch.cast
    probationer = make_member(cast.county_admin, cast.branch, name="赵新", full=None)
    poll = evaluation(branch, [*branch.members[:2], probationer])
    row = poll.candidates.get(name="赵新")
    assert row.graded is False
    with pytest.raises(DomainError, match="不在本轮名单中"):
        services.cast_ballot(
            actor=branch.users[0], poll=poll, choices={"grades": {str(row.pk): "qualified"}}
        )
    closed(branch, poll)
    rows = (
        {r.name: r.outcome for r in poll_report(Poll.objects.get())}
        if False
        else {r.name: r.outcome for r in poll_report(Poll.objects.get()).rows}
    )
    assert rows["赵新"] == "参加评议、不评定等次"


def _grade_all(b: Branch, poll: Poll, excellent: int) -> None:
    ids = [str(c.pk) for c in poll.candidates.order_by("position")]
    grades = {pk: ("excellent" if i < excellent else "qualified") for i, pk in enumerate(ids)}
    cast_all(b, poll, [{"grades": grades}] * 8)


def test_a_third_graded_excellent_is_within_the_cap(branch: Branch) -> None:
    poll = evaluation(branch, branch.members[:6])
    _grade_all(branch, poll, excellent=2)  # 2 of 6: exactly the cap
    assert closed(branch, poll).status == Poll.Status.CLOSED


def test_more_excellent_than_a_third_needs_the_chairs_confirmation(branch: Branch) -> None:
    poll = evaluation(branch, branch.members[:6])
    _grade_all(branch, poll, excellent=3)  # 3 of 6: one over
    with pytest.raises(
        services.OverCap, match="评定为优秀 3 人，超过评定等次人数 6 人的 1/3（2 人）"
    ):
        closed(branch, poll)
    assert Poll.objects.get().status == Poll.Status.OPEN
    assert closed(branch, Poll.objects.get(), confirm_over_cap=True).status == Poll.Status.CLOSED


# ---- 6. 另选他人 -------------------------------------------------------------------------


def test_a_write_in_on_the_phone_counts_and_can_elect(branch: Branch) -> None:
    poll = opened(branch, seats=2, candidates=branch.members[:3])
    other = branch.members[5].pk  # 丁一, not a candidate
    ballot = yes(poll, "王芳") | {"others": [other]}
    cast_all(branch, poll, [ballot] * 5 + [yes(poll, "李强", "马红")] * 3)
    result = closed(branch, poll).result
    assert result["elected_others"] == [other]
    assert poll_report(Poll.objects.get()).elected == ["王芳", "丁一"]


def test_a_write_in_of_someone_without_the_right_to_stand_is_refused(branch: Branch) -> None:
    cast = branch.cast
    probationer = make_member(cast.county_admin, cast.branch, name="赵新", full=None)
    poll = opened(branch, seats=2, candidates=branch.members[:3])
    for person in (probationer.pk, branch.members[0].pk):  # no 被选举权; a candidate already
        with pytest.raises(DomainError, match="另选他人须为本组织有被选举权的党员"):
            services.cast_ballot(
                actor=branch.users[0], poll=poll, choices={"marks": {}, "others": [person]}
            )


def test_tellers_enter_a_written_in_name_from_a_paper_ballot(branch: Branch) -> None:
    poll = opened(branch, seats=2, candidates=branch.members[:3], method=Poll.Method.PAPER)
    client = branch.cast.client(branch.cast.secretary)
    page = client.get(reverse("votes:detail", args=[poll.pk])).content.decode()
    assert "另选他人 1" in page and "丁一" in page
    url = reverse("votes:paper-ballot", args=[poll.pk])
    client.post(url, {"other_1": str(branch.members[5].pk)})
    assert sealed_choices(poll) == [{"marks": {}, "others": [branch.members[5].pk]}]


def sealed_choices(poll: Poll) -> list[dict[str, Any]]:
    """What the envelopes of an open poll hold (a test may use the key; decision 22)."""
    return [
        json.loads(open_envelope(poll.pk, sealed))["choices"]
        for sealed in poll.envelopes.values_list("sealed", flat=True)
    ]


# ---- 7. the quorum warning ------------------------------------------------------------------


def test_the_chair_is_warned_while_attendance_is_below_the_quorum(branch: Branch) -> None:
    poll = opened(branch, seats=1, candidates=branch.members[:2], method=Poll.Method.PAPER)
    client = branch.cast.client(branch.cast.secretary)
    page = client.get(reverse("votes:detail", args=[poll.pk])).content.decode()
    assert "到会人数不足：实到会 0 人" in page and "至少 7 人" in page  # more than 4/5 of 8
    detail = api(branch.cast.secretary).get(reverse("poll-detail", args=[poll.pk])).json()
    assert "到会人数不足" in detail["quorum_warning"]
    ids = list(poll.voters.values_list("pk", flat=True))
    services.mark_attendance(actor=branch.cast.secretary, poll=poll, present=ids[:6])
    assert "至少 7 人" in client.get(reverse("votes:turnout", args=[poll.pk])).content.decode()
    services.mark_attendance(actor=branch.cast.secretary, poll=poll, present=ids[:7])
    assert (
        "到会人数不足" not in client.get(reverse("votes:turnout", args=[poll.pk])).content.decode()
    )
    assert (
        api(branch.cast.secretary)
        .get(reverse("poll-detail", args=[poll.pk]))
        .json()["quorum_warning"]
        == ""
    )


# ---- 8. the electorate date -----------------------------------------------------------------


def test_an_electorate_date_of_9999_is_refused_in_chinese_by_the_api(branch: Branch) -> None:
    payload = {"organization": branch.cast.branch.pk, "title": "表决", "kind": "motion"}
    payload |= {"method": "online", "preset": "meeting", "electorate_on": "9999-12-31"}
    response = api(branch.cast.secretary).post(reverse("poll-list"), payload, format="json")
    assert response.status_code == 400
    assert "表决权确认日期不能晚于投票日期" in response.content.decode()


def test_the_electorate_date_may_be_the_vote_day_but_not_the_day_after(branch: Branch) -> None:
    today = timezone.localdate()
    create(branch, kind=Poll.Kind.MOTION, electorate_on=today)
    with pytest.raises(DomainError, match="不能晚于投票日期"):
        create(branch, kind=Poll.Kind.MOTION, electorate_on=today + dt.timedelta(days=1))
    later = timezone.now() + dt.timedelta(days=2)
    on = timezone.localdate(later)
    create(branch, kind=Poll.Kind.MOTION, electorate_on=on, opens_at=later)  # a scheduled vote
    with pytest.raises(DomainError, match="不能早于1921年07月01日"):
        create(branch, kind=Poll.Kind.MOTION, electorate_on=dt.date(1921, 6, 30))


def test_the_form_refuses_a_far_future_electorate_date(branch: Branch) -> None:
    url = reverse("votes:create") + f"?org={branch.cast.branch.pk}&kind=motion"
    data = {"title": "表决", "method": "online", "preset": "meeting", "secret": "on"}
    data["electorate_on"] = "9999-12-31"
    response = branch.cast.client(branch.cast.secretary).post(url, data)
    assert (
        response.status_code == 400
        and "表决权确认日期不能晚于投票日期" in response.content.decode()
    )
    assert 'max="' in response.content.decode()


# ---- 9. confirmation before irreversible steps ----------------------------------------------


def test_opening_asks_for_confirmation_first(branch: Branch) -> None:
    poll = create(branch, seats=1, candidates=branch.members[:2])
    client = branch.cast.client(branch.cast.secretary)
    url = reverse("votes:poll-open", args=[poll.pk])
    page = client.post(url, {"version": poll.version}).content.decode()
    assert "确认开始投票" in page and Poll.objects.get().status == Poll.Status.DRAFT
    client.post(url, {"version": poll.version, "confirmed": "1"})
    assert Poll.objects.get().status == Poll.Status.OPEN


def test_casting_shows_the_ballot_for_confirmation_first(branch: Branch) -> None:
    poll = opened(branch, seats=1, candidates=branch.members[:2])
    client = branch.cast.client(branch.users[0])
    url = reverse("votes:vote", args=[poll.token])
    mark = {f"c{poll.candidates.get(name='王芳').pk}": "yes"}
    page = client.post(url, mark).content.decode()
    assert "请确认您的选票" in page and "王芳" in page and not stored_ballots(poll)
    client.post(url, mark | {"confirmed": "1"})
    assert stored_ballots(poll) == 1


def test_the_poll_page_needs_no_inline_script_to_confirm(branch: Branch) -> None:
    poll = opened(branch, seats=1, candidates=branch.members[:2])
    page = branch.cast.client(branch.cast.secretary).get(reverse("votes:detail", args=[poll.pk]))
    assert "onsubmit" not in page.content.decode()


def test_names_are_the_branch_fixture() -> None:
    assert NAMES[5] == "丁一"


def test_the_chair_enters_a_written_opinion_on_the_poll_page(branch: Branch) -> None:
    poll = motion(branch)
    client = branch.cast.client(branch.cast.secretary)
    page = client.get(reverse("votes:detail", args=[poll.pk])).content.decode()
    assert "录入书面意见" in page and "不计入到会人数" in page
    voter = poll.voters.get(member=branch.members[3])
    url = reverse("votes:written-opinion", args=[poll.pk])
    done = client.post(url, {"voter": voter.pk, "vote": "yes"}, follow=True).content.decode()
    assert "已录入 刘洋 的书面意见" in done
    assert WrittenOpinion.objects.get().voter == voter and not voter.present


def test_the_voter_can_go_back_and_change_the_ballot_before_casting(branch: Branch) -> None:
    poll = opened(branch, seats=1, candidates=branch.members[:2])
    client = branch.cast.client(branch.users[0])
    url = reverse("votes:vote", args=[poll.token])
    key = f"c{poll.candidates.get(name='王芳').pk}"
    page = client.post(url, {key: "yes", "back": "1"}).content.decode()
    assert 'value="yes" checked' in page and not stored_ballots(poll)


def test_a_ballot_over_the_seats_is_refused_before_the_confirmation(branch: Branch) -> None:
    poll = opened(branch, seats=1, candidates=branch.members[:2])
    marks = {f"c{c.pk}": "yes" for c in poll.candidates.all()}
    response = branch.cast.client(branch.users[0]).post(
        reverse("votes:vote", args=[poll.token]), marks
    )
    assert response.status_code == 400 and "赞成人数超过应选人数" in response.content.decode()
