"""Demo polls: a counted paper election and an open online motion in the demo village branch,
so the votes pages have something to show and the demo member something to vote on."""

from __future__ import annotations

import datetime as dt
import random
from typing import Any

from dangjian.orgs.models import Organization
from dangjian.votes import services
from dangjian.votes.models import Poll
from dangjian.votes.selectors import electorate
from dangjian.votes.services import PollDraft

MARKS = ("yes", "yes", "yes", "no", "abstain")  # most voters back most candidates


def seed_polls(secretary: Any, branch: Organization, today: dt.date, rng: random.Random) -> None:
    """Through the real services, as the branch secretary would do it."""
    voters = list(electorate(branch, today))
    if len(voters) < 4:
        return  # too small a branch for a contested election of 3
    _counted_election(secretary, branch, today, rng, voters[:4])
    motion = services.create_poll(
        actor=secretary,
        organization=branch,
        draft=PollDraft(
            title="关于本支部2027年主题党日活动计划的表决",
            context="2026年第四季度支部党员大会",
            kind=Poll.Kind.MOTION,
            method=Poll.Method.ONLINE,
            preset="meeting",
            electorate_on=today,
        ),
    )
    services.open_poll(actor=secretary, poll=motion)


def _counted_election(
    secretary: Any, branch: Organization, today: dt.date, rng: random.Random, people: list[Any]
) -> None:
    poll = services.create_poll(
        actor=secretary,
        organization=branch,
        draft=PollDraft(
            title="支部委员会换届选举",
            context="支部党员大会（换届选举）",
            kind=Poll.Kind.ELECTION,
            method=Poll.Method.PAPER,
            preset="election",
            electorate_on=today - dt.timedelta(days=7),
            seats=3,
            post=Poll.Post.COMMITTEE,
            candidates=people,
        ),
    )
    poll = services.open_poll(actor=secretary, poll=poll)
    voter_ids = list(poll.voters.values_list("pk", flat=True))
    present = voter_ids[: max(1, len(voter_ids) * 9 // 10)]  # more than 4/5 attend
    services.mark_attendance(actor=secretary, poll=poll, present=present)
    services.record_paper_counts(actor=secretary, poll=poll, issued=len(present))
    candidates = list(poll.candidates.values_list("pk", flat=True))
    for _ in present:
        marks = {str(c): rng.choice(MARKS) for c in candidates}
        for extra in [c for c in candidates if marks[str(c)] == "yes"][3:]:
            marks[str(extra)] = "abstain"  # a valid ballot: at most 3 in favour
        services.record_paper_ballot(actor=secretary, poll=poll, choices={"marks": marks})
    services.close_poll(actor=secretary, poll=poll)
