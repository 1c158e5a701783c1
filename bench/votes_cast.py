"""Ballot casting benchmark (part of `make bench`): BENCH_VOTERS voters (default 1,000), full
members with logins in one branch, cast their ballots in an online secret election at once,
from BENCH_VOTE_WORKERS threads (default 32), each on its own PostgreSQL connection, through
`cast_ballot` (scope, ballot check, FOR SHARE on the poll, the voter's conditional UPDATE, the
ballot encrypted into its envelope, the audit entry, one transaction each). Baseline, measured
in the same run: rows of the same ballots (their contents, a seal-sized value, fresh ids) as raw
INSERTs into votes_ballot, one transaction per row, from the same number of threads. Then the
poll is closed (timed: open the envelopes, write the ballots shuffled, count, digest) and
re-counted, which must find nothing wrong.

Concurrency needs PostgreSQL. When `make bench` runs on SQLite, this section starts a
throwaway server with scripts/with-postgres and runs itself there (`python bench/votes_cast.py`
does the same on its own); without PostgreSQL server binaries it prints a SKIPPED line.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import queue
import random
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
VOTERS = int(os.environ.get("BENCH_VOTERS", "1000"))
WORKERS = int(os.environ.get("BENCH_VOTE_WORKERS", "32"))  # with-postgres allows 50 connections
SEATS, CANDIDATES = 3, 5  # a 差额 election: 5 candidates for 3 seats
MARKER = "BENCH_VOTES_ROWS "
Row = tuple[str, str, str, str]

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华建国红文辉"


def run() -> list[Row]:
    """The section's table rows: measured here on PostgreSQL, else in a throwaway server."""
    from django.db import connection

    if connection.vendor == "postgresql":
        return measure()
    return in_throwaway_postgres()


def in_throwaway_postgres() -> list[Row]:
    script = ROOT / "scripts" / "with-postgres"
    if subprocess.run([str(script), "--available"], check=False).returncode != 0:
        return [("ballots cast: SKIPPED (no PostgreSQL server binaries found)", "", "", "")]
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    proc = subprocess.run(
        [str(script), sys.executable, str(Path(__file__).resolve())],
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    lines = [line for line in proc.stdout.splitlines() if line.startswith(MARKER)]
    for line in proc.stdout.splitlines():
        if not line.startswith(MARKER) and not line.startswith("with-postgres:"):
            print(line)
    if proc.returncode != 0 or not lines:
        sys.stderr.write(proc.stderr[-4000:])
        return [(f"ballots cast: FAILED (exit code {proc.returncode}, see above)", "", "", "")]
    return [tuple(row) for row in json.loads(lines[-1][len(MARKER) :])]


def main() -> None:
    """`python bench/votes_cast.py`: in a throwaway PostgreSQL server (or, under
    scripts/with-postgres, in the server DATABASE_URL names)."""
    sys.path.insert(0, str(ROOT / "bench"))
    from run import print_table

    if not os.environ.get("DATABASE_URL"):
        print_table(in_throwaway_postgres())
        return
    sys.path.insert(0, str(ROOT / "src"))
    scratch = None
    if not os.environ.get("DANGJIAN_VAR_DIR"):  # run.py passes its own scratch directory
        scratch = tempfile.mkdtemp(prefix="dangjian-bench-votes-")
        os.environ["DANGJIAN_VAR_DIR"] = scratch
    os.environ["DJANGO_SETTINGS_MODULE"] = "dangjian.settings"
    os.environ["DANGJIAN_DEBUG"] = "false"
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    try:
        call_command("migrate", verbosity=0)  # the throwaway server's own database
        print(MARKER + json.dumps(measure(), ensure_ascii=False), flush=True)
    finally:
        connection.close()
        if scratch:
            shutil.rmtree(scratch, ignore_errors=True)


def electorate(voters: int) -> tuple[Any, Any, list[int]]:
    """A branch with `voters` full members, each with a login: (admin, branch, user ids)."""
    from django.contrib.auth import get_user_model
    from django.contrib.auth.hashers import make_password

    from dangjian.accounts.models import Role
    from dangjian.accounts.services import grant_role
    from dangjian.members.models import Member
    from dangjian.members.services import Admission, MemberData, bulk_register_members
    from dangjian.orgs.models import OrgKind
    from dangjian.orgs.services import create_organization
    from dangjian.testing import make_id_number

    tag = uuid.uuid4().hex[:6]  # a kept database may already hold an earlier run's
    code = str(int(tag, 16)).zfill(8)
    root = create_organization(
        actor=None,
        parent=None,
        kind=OrgKind.COMMITTEE,
        bootstrap=True,
        values={"name": "中共投票基准委员会", "code": f"97{code}1"},
    )
    users = get_user_model().objects
    admin = users.create_user(f"bench-votes-{tag}", password=None)
    grant_role(actor=None, user=admin, role=Role.ORG_ADMIN, org=root, bootstrap=True)
    branch = create_organization(
        actor=admin,
        parent=root,
        kind=OrgKind.BRANCH,
        values={"name": "投票基准党支部", "code": f"97{code}2"},
    )
    rng = random.Random(3)

    def rows() -> Any:
        for i in range(voters):
            birth = dt.date(1955, 1, 1) + dt.timedelta(days=11 * i)
            gender = rng.choice("MF")
            data = MemberData(
                name=rng.choice(SURNAMES) + "".join(rng.sample(GIVEN, 2)),
                gender=gender,
                ethnicity="01",
                birth_date=birth,
                id_number=make_id_number(birth, gender),
                education="ba",
                person_category="prof",
            )
            yield data, Admission(branch, dt.date(2000, 7, 1), dt.date(2001, 7, 1))

    member_ids = bulk_register_members(rows(), validate=False)
    password = make_password(None)  # unusable: these logins only cast ballots here
    logins = users.bulk_create(
        [users.model(username=f"bench-voter-{tag}-{i}", password=password) for i in range(voters)]
    )
    members = list(Member.objects.filter(pk__in=member_ids).order_by("pk"))
    for member, user in zip(members, logins, strict=True):
        member.user_id = user.pk
    Member.objects.bulk_update(members, ["user"], batch_size=1000)
    return admin, branch, [user.pk for user in logins]


def ballots(candidates: list[int], voters: int) -> list[dict[str, Any]]:
    """What each voter marks: 赞成 for one to three candidates, 不赞成 or 弃权 for the rest."""
    rng = random.Random(5)
    out = []
    for _ in range(voters):
        yes = set(rng.sample(candidates, rng.randint(1, SEATS)))
        marks = {str(c): "yes" if c in yes else rng.choice(["no", "abstain"]) for c in candidates}
        out.append({"marks": marks})
    return out


def on_threads(items: list[Any], work: Callable[[Any], str | None]) -> tuple[float, list[str]]:
    """Seconds for WORKERS threads to get through `items` (started together), and the errors.
    Each thread has its own connection, closed when it ends."""
    from django.db import connection

    todo: queue.SimpleQueue[Any] = queue.SimpleQueue()
    for item in items:
        todo.put(item)
    errors: list[str] = []
    start = threading.Barrier(WORKERS + 1)

    def worker() -> None:
        start.wait()
        try:
            while True:
                try:
                    item = todo.get_nowait()
                except queue.Empty:
                    return
                error = work(item)
                if error:
                    errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(WORKERS)]
    for thread in threads:
        thread.start()
    start.wait()
    started = time.perf_counter()
    for thread in threads:
        thread.join()
    return time.perf_counter() - started, errors


def measure() -> list[Row]:
    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.utils import timezone

    from dangjian.core.exceptions import DomainError
    from dangjian.votes.models import Envelope
    from dangjian.votes.services import (
        PollDraft,
        close_poll,
        create_poll,
        open_poll,
        recount_poll,
    )
    from dangjian.votes.services import (
        cast_ballot as cast,
    )

    setup_started = time.perf_counter()
    admin, branch, user_ids = electorate(VOTERS)
    from dangjian.members.models import Member

    draft = PollDraft(
        title="选举支部委员会委员",
        kind="election",
        method="online",
        preset="election",
        electorate_on=timezone.localdate(),
        seats=SEATS,
        candidates=list(Member.objects.filter(org=branch).order_by("pk")[:CANDIDATES]),
    )
    poll = create_poll(actor=admin, organization=branch, draft=draft)
    poll = open_poll(actor=admin, poll=poll)
    candidates = list(poll.candidates.values_list("pk", flat=True))
    users = list(get_user_model().objects.filter(pk__in=user_ids).order_by("pk"))
    votes = list(zip(users, ballots(candidates, VOTERS), strict=True))
    setup = time.perf_counter() - setup_started

    def casting(vote: tuple[Any, dict[str, Any]]) -> str | None:
        try:
            cast(actor=vote[0], poll=poll, choices=vote[1])
        except DomainError as exc:
            return exc.message
        return None

    cast_seconds, refused = on_threads(votes, casting)
    stored = Envelope.objects.filter(poll=poll).count()
    voted = poll.voters.filter(voted=True).count()
    assert not refused and stored == voted == VOTERS, (refused[:3], stored, voted)

    insert = (
        "INSERT INTO votes_ballot (id, poll_id, voter_id, choices, source, seal)"
        " VALUES (%s, %s, NULL, %s, %s, %s)"
    )
    copies = [
        (uuid.uuid4(), poll.pk, json.dumps(choices), "online", uuid.uuid4().hex * 2)
        for _, choices in votes
    ]

    def inserting(row: tuple[Any, ...]) -> str | None:
        with connection.cursor() as cursor:  # autocommit: one transaction per row
            cursor.execute(insert, row)
        return None

    raw_seconds, _ = on_threads(copies, inserting)
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM votes_ballot WHERE poll_id = %s", [poll.pk])

    close_started = time.perf_counter()
    poll = close_poll(actor=admin, poll=poll)
    close_seconds = time.perf_counter() - close_started
    recount = recount_poll(actor=admin, poll=poll)
    assert recount.ok, recount.problems
    print(
        f"\nballot casting: PostgreSQL, {VOTERS:,} voters in one branch on {WORKERS} threads"
        f" (each its own connection), secret 差额 election {CANDIDATES} for {SEATS};"
        f" set up in {setup:.1f} s; recount after closing: ok"
    )
    cast_rate, raw_rate = VOTERS / cast_seconds, VOTERS / raw_seconds
    return [
        (f"ballots accepted ({VOTERS:,} voters at once)", "time", "rate", "ratio"),
        (
            "  raw INSERT into votes_ballot, a transaction per row (baseline)",
            f"{raw_seconds:.2f} s",
            f"{raw_rate:,.0f} rows/s",
            "1.00",
        ),
        (
            "  cast_ballot (checks, poll FOR SHARE, voted flag, envelope, audit)",
            f"{cast_seconds:.2f} s",
            f"{cast_rate:,.0f} ballots/s",
            f"{cast_rate / raw_rate:.2f} × baseline rate",
        ),
        (
            f"  close_poll: open, shuffle, write, count and digest {VOTERS:,} ballots",
            f"{close_seconds:.2f} s",
            "",
            "",
        ),
    ]


if __name__ == "__main__":
    main()
