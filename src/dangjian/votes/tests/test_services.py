"""The votes services: who may vote and stand, one ballot each, secrecy, count, re-count."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import pytest
from django.utils import timezone

from dangjian.core.exceptions import DomainError
from dangjian.core.models import RuleValue
from dangjian.members.models import Member, PartyProbation
from dangjian.testing import make_member, make_voter
from dangjian.votes import services
from dangjian.votes.models import Ballot, Poll
from dangjian.votes.selectors import electorate, stored_ballots
from dangjian.votes.services import PollDraft

pytestmark = pytest.mark.django_db
TODAY = dt.date(2026, 11, 20)
NAMES = ["王芳", "李强", "马红", "刘洋", "张伟", "丁一", "陈静"]


@dataclass
class Branch:
    cast: Any
    members: list[Member]  # full members with logins, in NAMES order
    users: list[Any]  # their logins, then 李明's (the eighth voter)


@pytest.fixture
def branch(cast: Any) -> Branch:
    """东街社区党支部 with seven more full members, each with a login."""
    users, members = [], []
    for i, name in enumerate(NAMES):
        member = make_voter(cast.county_admin, cast.branch, name=name, username=f"voter{i}")
        users.append(member.user)
        members.append(member)
    return Branch(cast, members, [*users, cast.member_user])


def draft(kind: str = Poll.Kind.ELECTION, **values: Any) -> PollDraft:
    defaults: dict[str, Any] = {
        "title": "支部委员会换届选举",
        "method": Poll.Method.ONLINE,
        "preset": "election" if kind == Poll.Kind.ELECTION else "meeting",
        "electorate_on": TODAY,
    }
    return PollDraft(kind=kind, **{**defaults, **values})


def election(b: Branch, seats: int = 3, n: int = 4, **values: Any) -> Poll:
    poll = services.create_poll(
        actor=b.cast.secretary,
        organization=b.cast.branch,
        draft=draft(**{"seats": seats, "candidates": b.members[:n], **values}),
    )
    return services.open_poll(actor=b.cast.secretary, poll=poll)


def yes(poll: Poll, *names: str) -> dict[str, Any]:
    """An election ballot marking 赞成 for `names` (the others unmarked: 弃权)."""
    ids = {c.name: c.pk for c in poll.candidates.all()}
    return {"marks": {str(ids[n]): "yes" for n in names}}


def test_the_electorate_is_full_members_not_under_party_probation(branch: Branch) -> None:
    cast = branch.cast
    prob = make_member(cast.county_admin, cast.branch, name="赵新", full=None)
    PartyProbation.objects.create(
        member=branch.members[0], start_date=dt.date(2026, 1, 1), document_no="纪发〔2026〕1号"
    )
    voters = set(electorate(cast.branch, TODAY))
    assert prob not in voters and branch.members[0] not in voters
    assert set(branch.members[1:]) <= voters and cast.member in voters


def test_a_contested_election_needs_a_fifth_more_candidates(branch: Branch) -> None:
    with pytest.raises(DomainError, match="候选人至少 6 人"):
        services.create_poll(
            actor=branch.cast.secretary,
            organization=branch.cast.branch,
            draft=draft(seats=5, candidates=branch.members[:5]),
        )
    assert not Poll.objects.exists()


def test_an_election_is_secret_and_its_candidates_may_stand(branch: Branch) -> None:
    cast = branch.cast
    with pytest.raises(DomainError, match="无记名"):
        services.create_poll(
            actor=cast.secretary, organization=cast.branch, draft=draft(secret=False)
        )
    prob = make_member(cast.county_admin, cast.branch, name="赵新", full=None)
    with pytest.raises(DomainError, match="赵新 没有被选举权"):
        services.create_poll(
            actor=cast.secretary,
            organization=cast.branch,
            draft=draft(seats=1, candidates=[prob, branch.members[0]]),
        )


def test_candidates_are_listed_by_surname_strokes(branch: Branch) -> None:
    poll = election(branch, seats=5, n=7)
    names = list(poll.candidates.values_list("name", flat=True))
    assert names == ["丁一", "马红", "王芳", "刘洋", "陈静", "李强", "张伟"]


def test_opening_snapshots_the_electorate(branch: Branch) -> None:
    poll = election(branch)
    late = make_member(branch.cast.county_admin, branch.cast.branch, name="新来")
    voters = set(poll.voters.values_list("member_id", flat=True))
    assert len(voters) == 8 and late.pk not in voters  # seven + 李明


def test_a_secret_ballot_names_no_voter_and_no_time(branch: Branch) -> None:
    poll = election(branch)
    services.cast_ballot(actor=branch.users[0], poll=poll, choices=yes(poll, "王芳"))
    services.close_poll(actor=branch.cast.secretary, poll=poll)
    ballot = Ballot.objects.get(poll=poll)
    assert ballot.voter is None
    assert not {f.name for f in Ballot._meta.fields} & {"created_at", "cast_at", "member"}
    assert poll.voters.get(member=branch.members[0]).voted


def test_a_named_ballot_points_at_its_voter(branch: Branch) -> None:
    poll = services.create_poll(
        actor=branch.cast.secretary,
        organization=branch.cast.branch,
        draft=draft(Poll.Kind.MOTION, secret=False, title="接收王某为预备党员"),
    )
    services.open_poll(actor=branch.cast.secretary, poll=poll)
    services.cast_ballot(actor=branch.users[1], poll=poll, choices={"vote": "yes"})
    services.close_poll(actor=branch.cast.secretary, poll=poll)
    assert Ballot.objects.get(poll=poll).voter.member == branch.members[1]


def test_a_voter_votes_once(branch: Branch) -> None:
    poll = election(branch)
    services.cast_ballot(actor=branch.users[0], poll=poll, choices=yes(poll, "王芳"))
    with pytest.raises(DomainError, match="已投过票"):
        services.cast_ballot(actor=branch.users[0], poll=poll, choices=yes(poll, "李强"))
    assert stored_ballots(poll) == 1


def test_an_over_marked_ballot_is_refused_online(branch: Branch) -> None:
    poll = election(branch, seats=3, n=4)
    with pytest.raises(DomainError, match="超过应选人数"):
        services.cast_ballot(
            actor=branch.users[0], poll=poll, choices=yes(poll, "王芳", "李强", "马红", "刘洋")
        )
    assert not stored_ballots(poll) and not poll.voters.filter(voted=True).exists()


def test_an_outsider_of_the_electorate_cannot_vote(branch: Branch) -> None:
    poll = election(branch)
    with pytest.raises(DomainError, match="不在本次表决"):
        services.cast_ballot(actor=branch.cast.county_admin, poll=poll, choices={})


def _vote_all(b: Branch, poll: Poll, choose: list[tuple[str, ...]]) -> None:
    for user, names in zip(b.users, choose, strict=False):
        services.cast_ballot(actor=user, poll=poll, choices=yes(poll, *names))


def test_closing_counts_and_a_recount_agrees(branch: Branch) -> None:
    poll = election(branch, seats=3, n=4)
    _vote_all(branch, poll, [("王芳", "李强", "马红")] * 5 + [("刘洋",)] * 2)
    poll = services.close_poll(actor=branch.cast.secretary, poll=poll)
    assert poll.result is not None and poll.status == Poll.Status.CLOSED
    assert sorted(poll.result["elected"]) == sorted(
        poll.candidates.filter(name__in=["王芳", "李强", "马红"]).values_list("pk", flat=True)
    )  # 5 votes of 7 present: more than half
    assert services.recount_poll(actor=branch.cast.county_admin, poll=poll).ok
    with pytest.raises(DomainError, match="投票未在进行中"):
        services.cast_ballot(actor=branch.users[7], poll=poll, choices={})


def test_a_ballot_changed_after_the_count_is_detected(branch: Branch) -> None:
    poll = election(branch)
    _vote_all(branch, poll, [("王芳",)] * 6)
    poll = services.close_poll(actor=branch.cast.secretary, poll=poll)
    ballot = poll.ballots.first()
    assert ballot is not None
    Ballot.objects.filter(pk=ballot.pk).update(choices=yes(poll, "刘洋"))
    recount = services.recount_poll(actor=branch.cast.county_admin, poll=poll)
    assert not recount.ok and any("校验码不符" in p for p in recount.problems)


def test_more_paper_ballots_back_than_issued_voids_the_round(branch: Branch) -> None:
    poll = election(branch, method=Poll.Method.PAPER)
    services.mark_attendance(
        actor=branch.cast.secretary, poll=poll, present=poll.voters.values_list("pk", flat=True)
    )
    services.record_paper_counts(actor=branch.cast.secretary, poll=poll, issued=2)
    for _ in range(3):
        services.record_paper_ballot(actor=branch.cast.secretary, poll=poll, choices=yes(poll))
    poll = services.close_poll(actor=branch.cast.secretary, poll=poll)
    assert poll.result is not None and poll.result["void"] and not poll.result["elected"]


def test_too_few_over_half_leaves_the_seat_open(branch: Branch) -> None:
    poll = election(branch, seats=1, n=2)
    _vote_all(branch, poll, [("王芳",)] * 4 + [("李强",)] * 4)  # 8 present: 4 is not over half
    poll = services.close_poll(actor=branch.cast.secretary, poll=poll)
    assert poll.result is not None
    assert (poll.result["elected"], poll.result["unfilled"]) == ([], 1)


def test_a_tie_across_the_last_seat_goes_to_another_round(branch: Branch) -> None:
    poll = election(branch, seats=2, n=3)
    pairs = [("王芳", "李强")] * 3 + [("王芳", "马红")] * 3 + [("李强", "马红")] * 2
    _vote_all(branch, poll, pairs)  # 王芳 6, 李强 5, 马红 5: all over half of 8
    poll = services.close_poll(actor=branch.cast.secretary, poll=poll)
    assert poll.result is not None and poll.result["runoff_seats"] == 1
    second = services.start_next_round(actor=branch.cast.secretary, poll=poll)
    assert second.round_no == 2 and second.previous == poll and second.seats == 1
    assert set(second.candidates.values_list("name", flat=True)) == {"李强", "马红"}


def test_the_schedule_opens_and_closes_a_poll(branch: Branch) -> None:
    now = timezone.now()
    poll = services.create_poll(
        actor=branch.cast.secretary,
        organization=branch.cast.branch,
        draft=draft(
            Poll.Kind.MOTION,
            opens_at=now - dt.timedelta(minutes=5),
            closes_at=now + dt.timedelta(minutes=30),
        ),
    )
    assert services.run_schedule(now) == 1
    poll.refresh_from_db()
    assert poll.status == Poll.Status.OPEN and poll.voters.count() == 8
    assert services.run_schedule(now + dt.timedelta(hours=1)) == 1
    poll.refresh_from_db()
    assert poll.status == Poll.Status.CLOSED


def test_a_scheduled_poll_that_cannot_open_stays_and_says_why(branch: Branch) -> None:
    now = timezone.now()
    poll = services.create_poll(
        actor=branch.cast.secretary,
        organization=branch.cast.branch,
        draft=draft(
            Poll.Kind.MOTION,
            preset="election",
            electorate_on=dt.date(2000, 1, 1),  # nobody had joined by then
            opens_at=now - dt.timedelta(1),
        ),
    )
    assert services.run_schedule(now) == 0
    scheduled = services.apply_schedule(poll, now)
    assert scheduled.poll.status == Poll.Status.DRAFT
    assert scheduled.problem is not None and "没有有表决权" in scheduled.problem


def test_a_date_before_any_rule_value_is_refused_in_chinese(branch: Branch) -> None:
    with pytest.raises(DomainError, match=r"尚无规则参数“meeting\.quorum”") as refused:
        services.create_poll(
            actor=branch.cast.secretary,
            organization=branch.cast.branch,
            draft=draft(Poll.Kind.MOTION, electorate_on=dt.date(2000, 1, 1)),
        )
    assert refused.value.field == "electorate_on" and not Poll.objects.exists()


def test_the_rules_in_force_on_the_electorate_date_apply(branch: Branch) -> None:
    RuleValue.objects.create(
        key="election.quorum",
        value=Decimal("0.75"),
        effective_from=dt.date(2026, 10, 1),
        source="假设的修订条例",
    )
    before = services.create_poll(
        actor=branch.cast.secretary,
        organization=branch.cast.branch,
        draft=draft(electorate_on=dt.date(2026, 9, 1), seats=1, candidates=branch.members[:2]),
    )
    after = services.create_poll(
        actor=branch.cast.secretary,
        organization=branch.cast.branch,
        draft=draft(seats=1, candidates=branch.members[:2]),
    )
    assert (before.quorum, after.quorum) == ("4/5", "3/4")


def test_only_managers_run_a_poll(branch: Branch) -> None:
    poll = election(branch)
    for user in (branch.users[0], branch.cast.outsider):
        with pytest.raises(DomainError, match="管理范围"):
            services.close_poll(actor=user, poll=poll)
        with pytest.raises(DomainError, match="管理范围"):
            services.recount_poll(actor=user, poll=poll)
