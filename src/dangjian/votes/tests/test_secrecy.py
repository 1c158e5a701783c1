"""Ballot secrecy against the administrator (decision 22): someone who can read every table —
a DBA, whoever holds a backup — tries each way of joining a secret poll's ballots to its voters
that the stored rows offer, on the database the suite runs on (SQLite and PostgreSQL stages).

Every voter casts a ballot whose content is distinct and known to the test, so each guess "this
ballot is that voter's" can be scored. A join that carries no information pairs ballots with
voters by a random permutation, whose number of correct pairs (fixed points) is about
Poisson(1): P(≥ 8 of 36) ≈ 1.0e-5. No test scores more than six joins, so "no join links more
than CHANCE = 7 ballots" fails falsely with probability below 1e-4 (union bound); before the
sealed envelopes (decision 22) the order and xmin joins linked 36 of 36.
"""

from __future__ import annotations

import importlib
import itertools
import json
import logging
import random
from collections.abc import Iterable, Sequence
from typing import Any

import pytest
from django.db import connection, models
from django.utils import timezone

from dangjian.audit.models import AuditEvent
from dangjian.conftest import Cast
from dangjian.testing import make_voter
from dangjian.votes import services
from dangjian.votes.models import Ballot, Poll, Voter

pytestmark = pytest.mark.django_db(transaction=True)  # one transaction per cast, as in use
VOTERS = 36
CHANCE = 7  # see the module docstring
CANDIDATES, SEATS = 5, 2
POSTGRES = connection.vendor == "postgresql"


def _key(choices: Any) -> str:
    return json.dumps(choices, sort_keys=True)


def distinct_ballots(candidates: Sequence[int], n: int) -> list[dict[str, Any]]:
    """n different valid election ballots (at most SEATS 赞成): the content names the ballot."""
    marks = [
        combo
        for combo in itertools.product(("yes", "no", "abstain"), repeat=len(candidates))
        if combo.count("yes") <= SEATS
    ]
    random.Random(11).shuffle(marks)
    return [{"marks": dict(zip(map(str, candidates), m, strict=True))} for m in marks[:n]]


def secret_election(cast: Cast, method: str = Poll.Method.ONLINE) -> tuple[Poll, list[Any]]:
    users = [
        make_voter(cast.county_admin, cast.branch, name=f"党员{i:02d}", username=f"v{i}").user
        for i in range(VOTERS)
    ]
    draft = services.PollDraft(
        title="支部委员会换届选举",
        kind=Poll.Kind.ELECTION,
        method=method,
        preset="election",
        electorate_on=timezone.localdate(),
        seats=SEATS,
        candidates=[u.member for u in users[:CANDIDATES]],
    )
    poll = services.create_poll(actor=cast.secretary, organization=cast.branch, draft=draft)
    return services.open_poll(actor=cast.secretary, poll=poll), users


def cast_all(cast: Cast) -> tuple[Poll, dict[int, str]]:
    """Every voter but 李明 casts, in an order unrelated to the voter list; the truth: voter
    id → what they voted."""
    poll, users = secret_election(cast)
    ballots = distinct_ballots(list(poll.candidates.values_list("pk", flat=True)), VOTERS)
    random.Random(7).shuffle(users)
    voter_of = dict(poll.voters.values_list("member__user_id", "pk"))
    truth = {}
    for user, choices in zip(users, ballots, strict=True):
        services.cast_ballot(actor=user, poll=poll, choices=choices)
        truth[voter_of[user.pk]] = _key(choices)
    return services.close_poll(actor=cast.secretary, poll=poll), truth


def rows(sql: str, params: Iterable[Any]) -> list[tuple[Any, ...]]:
    with connection.cursor() as cursor:
        cursor.execute(sql, list(params))
        return list(cursor.fetchall())


def stored_ballots(poll: Poll) -> list[tuple[str, str, str]]:
    """(content, id, transaction id or '') of the poll's ballots in storage order: the order of
    a dump, a backup or a table scan (rowid on SQLite, ctid on PostgreSQL)."""
    table = Ballot._meta.db_table
    if POSTGRES:
        found = rows(
            f"SELECT choices::text, id::text, xmin::text FROM {table} "
            "WHERE poll_id = %s ORDER BY ctid",
            [poll.pk],
        )
    else:
        found = rows(
            f"SELECT choices, id, '' FROM {table} WHERE poll_id = %s ORDER BY rowid", [poll.pk]
        )
    return [(_key(json.loads(c)), str(i), x) for c, i, x in found]


def audit_casts(poll: Poll) -> list[tuple[int, str]]:
    """(voter id, transaction id or '') of the poll's 投票 audit entries, in the log's order."""
    voter_of = dict(poll.voters.values_list("member__user_id", "pk"))
    xmin = "xmin::text" if POSTGRES else "''"
    found = rows(
        f"SELECT actor_id, {xmin} FROM {AuditEvent._meta.db_table} "
        "WHERE action = %s AND target_type = 'votes.poll' AND target_id = %s ORDER BY id",
        ["votes.cast_ballot", str(poll.pk)],
    )
    return [(voter_of[actor], x) for actor, x in found]


def voter_rows(poll: Poll) -> list[tuple[int, str]]:
    """(voter id, transaction id or '') in storage order; on PostgreSQL an UPDATE moves a row,
    so this is the order in which the voters were marked as having voted."""
    table = Voter._meta.db_table
    if POSTGRES:
        return rows(
            f"SELECT id, xmin::text FROM {table} WHERE poll_id = %s AND voted ORDER BY ctid",
            [poll.pk],
        )
    return rows(
        f"SELECT id, '' FROM {table} WHERE poll_id = %s AND voted ORDER BY rowid", [poll.pk]
    )


def linked(guesses: Iterable[tuple[int, str]], truth: dict[int, str]) -> int:
    """How many (voter, ballot content) guesses are right."""
    return sum(truth.get(voter) == content for voter, content in guesses)


def by_order(voters: Sequence[int], contents: Sequence[str]) -> list[tuple[int, str]]:
    return list(zip(voters, contents, strict=False))


def by_transaction(
    voters: Sequence[tuple[int, str]], ballots: Sequence[tuple[str, str, str]]
) -> list[tuple[int, str]]:
    """Pair each ballot with a voter written in the same transaction (same xmin)."""
    voter_in = {xid: voter for voter, xid in voters}
    return [(voter_in[xid], content) for content, _, xid in ballots if xid in voter_in]


def test_no_stored_trace_joins_a_secret_ballot_to_its_voter(cast: Cast, caplog: Any) -> None:
    caplog.set_level(logging.DEBUG)
    poll, truth = cast_all(cast)
    ballots, casts, voters = stored_ballots(poll), audit_casts(poll), voter_rows(poll)
    assert len(ballots) == len(casts) == len(voters) == VOTERS
    contents = [content for content, _, _ in ballots]
    by_id = [content for content, _, _ in sorted(ballots, key=lambda b: b[1])]
    joins = {
        "storage order ~ audit log order": by_order([v for v, _ in casts], contents),
        "storage order ~ voter rows' storage order": by_order([v for v, _ in voters], contents),
        "storage order ~ voter list (id) order": by_order(sorted(truth), contents),
        "ballot id order ~ audit log order": by_order([v for v, _ in casts], by_id),
    }
    if POSTGRES:
        joins["ballot xmin = voter row xmin"] = by_transaction(voters, ballots)
        joins["ballot xmin = audit row xmin"] = by_transaction(casts, ballots)
    scores = {name: linked(guesses, truth) for name, guesses in joins.items()}
    assert all(score <= CHANCE for score in scores.values()), scores
    # Nothing else to join on: no time on a ballot, nothing of its content in the audit or logs.
    times = (models.DateField, models.TimeField)  # DateTimeField is a DateField
    assert not [f.name for f in Ballot._meta.get_fields() if isinstance(f, times)]
    ballots = ("votes.cast_ballot", "votes.record_paper_ballot")
    details = AuditEvent.objects.filter(action__in=ballots, target_id=str(poll.pk))
    assert all(set(d) <= {"step"} for d in details.values_list("detail", flat=True))
    logged = "\n".join(r.getMessage() for r in caplog.records)
    assert "marks" not in logged and not any(content in logged for content in contents)
    assert services.recount_poll(actor=cast.secretary, poll=poll).ok


def test_paper_ballots_are_not_stored_in_the_order_the_tellers_entered_them(cast: Cast) -> None:
    """Paper ballots name no voter, but the order they come out of the box can follow the order
    people put them in: entry order must not survive the count either."""
    poll, _ = secret_election(cast, Poll.Method.PAPER)
    ballots = distinct_ballots(list(poll.candidates.values_list("pk", flat=True)), VOTERS)
    services.record_paper_counts(actor=cast.secretary, poll=poll, issued=VOTERS)
    for choices in ballots:
        services.record_paper_ballot(actor=cast.secretary, poll=poll, choices=choices)
    poll = services.close_poll(actor=cast.secretary, poll=poll)
    stored = [content for content, _, _ in stored_ballots(poll)]
    entered = [_key(b) for b in ballots]
    assert sorted(stored) == sorted(entered)
    assert sum(s == e for s, e in zip(stored, entered, strict=True)) <= CHANCE
    assert services.recount_poll(actor=cast.secretary, poll=poll).ok


def test_while_the_poll_is_open_nothing_beside_the_voter_is_readable(cast: Cast) -> None:
    """During the poll a ballot waits in a sealed envelope, written in the voter's transaction:
    encrypted, padded to one size, no time, so its row tells nothing without the key."""
    from dangjian.votes.models import Envelope

    poll, users = secret_election(cast)
    ballots = distinct_ballots(list(poll.candidates.values_list("pk", flat=True)), 8)
    ballots[0]["marks"] = {
        str(pk): "abstain" for pk in poll.candidates.values_list("pk", flat=True)
    }
    for user, choices in zip(users, ballots, strict=False):
        services.cast_ballot(actor=user, poll=poll, choices=choices)
    assert not Ballot.objects.filter(poll=poll).exists()
    sealed = [bytes(s) for s in Envelope.objects.filter(poll=poll).values_list("sealed", flat=True)]
    assert len(sealed) == len(ballots) and len({len(s) for s in sealed}) == 1
    assert not any(b"marks" in s or b"abstain" in s for s in sealed)
    times = (models.DateField, models.TimeField)
    assert not [f.name for f in Envelope._meta.get_fields() if isinstance(f, times)]
    poll = services.close_poll(actor=cast.secretary, poll=poll)
    assert not Envelope.objects.filter(poll=poll).exists()
    assert sorted(_key(b.choices) for b in poll.ballots.all()) == sorted(map(_key, ballots))


def test_the_migration_reshuffles_ballots_stored_in_cast_order(cast: Cast) -> None:
    """Ballots stored before the envelopes lay in cast order: migration 0002 rewrites them in a
    random order, same ids and seals, so the recorded digest and the re-count still hold."""
    from django.apps import apps

    migration = importlib.import_module("dangjian.votes.migrations.0002_ballot_envelopes")
    poll, _ = secret_election(cast)
    ballots = distinct_ballots(list(poll.candidates.values_list("pk", flat=True)), VOTERS)
    rows_before = [
        Ballot(poll=poll, choices=b, source="online", seal=f"{i:064x}")
        for i, b in enumerate(ballots)
    ]
    Ballot.objects.bulk_create(rows_before)  # as the old cast stored them: in cast order
    assert [c for c, _, _ in stored_ballots(poll)] == [_key(b) for b in ballots]
    migration.shuffle_stored_ballots(apps, None)
    after = stored_ballots(poll)
    assert sum(c == _key(b) for (c, _, _), b in zip(after, ballots, strict=True)) <= CHANCE
    kept = set(Ballot.objects.filter(poll=poll).values_list("id", "seal"))
    assert kept == {(r.id, r.seal) for r in rows_before}
