"""One ballot per voter and none after the count, with many casts at once (PostgreSQL only:
SQLite has one writer at a time, so nothing there runs concurrently)."""

from __future__ import annotations

import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
from django.db import connection
from django.utils import timezone

from dangjian.accounts.scope import scope_for
from dangjian.conftest import Cast
from dangjian.core.exceptions import DomainError
from dangjian.testing import make_voter
from dangjian.votes.models import Ballot, Envelope, Poll
from dangjian.votes.services import (
    PollDraft,
    cast_ballot,
    close_poll,
    create_poll,
    open_poll,
    recount_poll,
)

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="needs PostgreSQL: concurrent casts need concurrent writers (SQLite has one)",
    ),
]
VOTERS = 30
WORKERS = 24  # below with-postgres's max_connections (50)


def motion(cast: Cast, voters: int) -> tuple[Poll, list[Any]]:
    """An open motion in cast.branch with `voters` more members with logins (and 李明)."""
    users = []
    for i in range(voters):
        member = make_voter(
            cast.county_admin, cast.branch, name=f"党员{i:02d}", username=f"voter{i}"
        )
        users.append(member.user)
        scope_for(member.user)  # computed once here, as it would be per request
    draft = PollDraft(
        title="接收预备党员",
        kind="motion",
        method="online",
        preset="meeting",
        electorate_on=timezone.localdate(),
    )
    poll = create_poll(actor=cast.secretary, organization=cast.branch, draft=draft)
    return open_poll(actor=cast.secretary, poll=poll), users


def in_threads(tasks: list[Callable[[], str]], workers: int = WORKERS) -> list[str]:
    """Run the tasks on `workers` threads, started together; each task on its own connection,
    closed when it ends."""
    go = threading.Event()

    def run(task: Callable[[], str]) -> str:
        go.wait()
        try:
            return task()
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=workers) as pool:
        futures = [pool.submit(run, task) for task in tasks]
        go.set()
        return [f.result(timeout=30) for f in futures]


def casting(user: Any, poll: Poll) -> Callable[[], str]:
    def task() -> str:
        try:
            cast_ballot(actor=user, poll=poll, choices={"vote": "yes"})
        except DomainError as exc:
            return exc.message
        return "ok"

    return task


def test_simultaneous_double_submissions_store_exactly_one_ballot_per_voter(cast: Cast) -> None:
    poll, users = motion(cast, VOTERS)
    outcomes = in_threads([casting(user, poll) for user in users for _ in range(4)])
    assert outcomes.count("ok") == VOTERS
    refusals = [o for o in outcomes if o != "ok"]
    assert len(refusals) == 3 * VOTERS and all("已投过票" in o for o in refusals)
    assert Envelope.objects.filter(poll=poll).count() == VOTERS
    assert poll.voters.filter(voted=True).count() == VOTERS
    assert set(poll.voters.filter(voted=False).values_list("name", flat=True)) == {"李明"}


def test_closing_while_ballots_are_cast_stores_none_after_the_count(cast: Cast) -> None:
    poll, users = motion(cast, VOTERS)

    closed = threading.Event()

    def closing() -> str:
        close_poll(actor=cast.secretary, poll=poll)
        closed.set()
        return "closed"

    def after_close(task: Callable[[], str]) -> Callable[[], str]:
        def run() -> str:
            closed.wait(30)
            return task()

        return run

    # Ten threads: the close starts with about nine casts in flight (they race it); the last
    # five casts wait until it has committed, so some are always refused however the threads
    # are scheduled on a busy machine (before, all casts could finish before the close began).
    tasks = [casting(user, poll) for user in users]
    late = [after_close(t) for t in tasks[-5:]]
    outcomes = in_threads([*tasks[:-5], closing, *late], workers=10)
    poll.refresh_from_db()
    stored = Ballot.objects.filter(poll=poll).count()
    assert poll.status == "closed" and stored == outcomes.count("ok")
    assert poll.result["valid"] + poll.result["invalid"] == stored
    assert set(outcomes) - {"ok", "closed"} == {"投票未在进行中。"}
    assert recount_poll(actor=cast.secretary, poll=poll).ok
