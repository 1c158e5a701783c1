"""工作台: 待我投票 — open online polls whose electorate holds my member record, until I vote."""

import datetime as dt

from django.urls import reverse

from dangjian.accounts.scope import scope_for
from dangjian.votes.models import Poll
from dangjian.votes.services import PollDraft, cast_ballot, create_poll, open_poll
from dangjian.votes.workbench import PollsOpenForMe

TODAY = dt.date(2026, 12, 6)


def motion(cast, method=Poll.Method.ONLINE, org=None):
    draft = PollDraft(title="关于党费使用的表决", kind=Poll.Kind.MOTION, method=method,
                      preset="meeting", electorate_on=dt.date(2026, 12, 1))  # fmt: skip
    poll = create_poll(actor=cast.secretary, organization=org or cast.branch, draft=draft)
    return open_poll(actor=cast.secretary, poll=poll)


def items(user):
    return list(PollsOpenForMe().items_for(user, scope_for(user), TODAY))


def test_a_voter_sees_an_open_poll_with_the_link_to_the_ballot(cast):
    poll = motion(cast)
    [item] = items(cast.member_user)
    assert item.url == reverse("votes:vote", args=[poll.token])
    assert item.subject == "东街社区党支部" and item.title == "关于党费使用的表决"


def test_after_voting_the_poll_is_no_longer_shown(cast):
    poll = motion(cast)
    cast_ballot(actor=cast.member_user, poll=poll, choices={"vote": "yes"})
    assert items(cast.member_user) == []


def test_paper_polls_and_closed_polls_are_not_shown(cast):
    motion(cast, method=Poll.Method.PAPER)
    Poll.objects.update(status=Poll.Status.CLOSED)
    assert items(cast.member_user) == []


def test_managers_without_a_vote_and_the_outsider_see_nothing(cast):
    motion(cast)
    for user in (cast.secretary, cast.county_admin, cast.outsider):
        assert items(user) == []
        assert PollsOpenForMe().count_for(user, scope_for(user), TODAY) == 0
