"""Steps of the fault tests, each run as a process of its own on the database DATABASE_URL
names (a copy of the session's template on the test's throwaway PostgreSQL server):
`python -m dangjian.fault_tests.scenario STEP ARGS...`; each prints one JSON line.

  seed                  migrate, then the shared test cast (conftest.build_cast)
  upload FILE [PID]     start a roster import of FILE into 中共城关镇委员会 and wait until the
                        worker has checked it; with PID kill that worker half-way through
  wait BATCH COND [PID] poll until COND holds, SIGKILL process PID at once if given, print the
                        state. COND: "settled" (no longer being worked on),
                        "checking:N" / "writing:N" (the check / the apply has reported at least
                        N rows done: the kill then lands inside that stage)
  confirm BATCH [PID]   confirm the batch as its uploader (确认导入); with PID wait for "writing"
                        and kill PID; without, wait until it has settled
  state BATCH           the batch's state now, and what its page (导入预览) shows the uploader
  reconfirm BATCH       confirm again from that page (its form's POST), as the uploader does
                        after an interruption, and wait until the batch has settled
  burst ACKS THREADS    rollups on for every subtree, then THREADS threads register 预备党员
                        and record their 转正 through members.services until the database
                        goes away; each write's acknowledgement (the service returned, so it
                        committed) is appended to the file ACKS at once
  audit ACKS            whether every acknowledged write is there, nothing is half-written,
                        and what `manage.py check_stats` says
  transfer              李明 (东街社区党支部), with an open 流动党员 stay, gets a 介绍信 to
                        远山村党支部 (issued, waiting for 报到); the receiving secretary's
                        API token
  transfer_state PK     the transfer, the member's organization, events, spells and stay
"""

from __future__ import annotations

import datetime as dt
import json
import os
import signal
import sys
import time
from collections.abc import Callable
from typing import Any

import django

django.setup()

from django.db.models import Q  # noqa: E402

from dangjian.core.models import TaskProgress  # noqa: E402
from dangjian.members.models import Member, MemberEvent, MemberSpell  # noqa: E402
from dangjian.rosters import services  # noqa: E402
from dangjian.rosters.models import ImportBatch, ImportChange  # noqa: E402

DIGITS = "零一二三四五六七八九"
PREFIX = "故障"  # the names of the members the big roster adds (rosters.py)
TIMEOUT = 150.0  # seconds: a 15,000-row check or apply on a busy 2-core machine


def seed() -> dict[str, Any]:
    from django.core.management import call_command

    from dangjian.conftest import build_cast

    call_command("migrate", verbosity=0)
    cast = build_cast()
    return {"township": cast.township.pk, "county_admin": cast.county_admin.pk}


def upload(path: str, kill: int = 0) -> dict[str, Any]:
    from django.contrib.auth import get_user_model

    from dangjian.orgs.models import Organization

    admin = get_user_model().objects.get(username="county")
    township = Organization.objects.get(code="100000000002")
    with open(path, "rb") as roster:
        batch = services.start_import(
            actor=admin, org=township, file_name="花名册.xlsx", data=roster.read()
        )
    if kill:  # half-way through the check (5,000 of 15,000 rows)
        return {"batch": batch.pk, **wait(batch.pk, "checking:5000", kill)}
    return {"batch": batch.pk, **wait(batch.pk, "settled")}


def state(batch_id: int) -> dict[str, Any]:
    from django_tasks_db.models import DBTaskResult

    batch = ImportBatch.objects.get(pk=batch_id)
    ours = Q(member__name__startswith=PREFIX)
    progress = TaskProgress.objects.filter(key=services.job_key(batch)).first()
    return {
        "status": batch.status,
        "message": batch.message,
        "members": Member.objects.filter(name__startswith=PREFIX).count(),
        "history": Member.history.filter(name__startswith=PREFIX).count(),
        "events": MemberEvent.objects.filter(ours).count(),
        "spells": MemberSpell.objects.filter(ours).count(),
        "changes": ImportChange.objects.filter(batch=batch).count(),
        # 修改记录 rows (no foreign key) of members that are not there
        "orphans": Member.history.filter(name__startswith=PREFIX)
        .exclude(id__in=Member.objects.values("id"))
        .count(),
        "progress": [progress.done, progress.total] if progress else None,
        "tasks": sorted(
            f"{r.task_path.rsplit('.', 1)[-1]}:{r.status}:{r.exception_class_path}"
            for r in DBTaskResult.objects.all()
        ),
        "page": page(batch_id),
    }


def wait(batch_id: int, condition: str, kill: int = 0) -> dict[str, Any]:
    stage, _, least = condition.partition(":")
    busy = {"checking": ImportBatch.Status.CHECKING, "writing": ImportBatch.Status.APPLYING}
    deadline = time.monotonic() + TIMEOUT
    while time.monotonic() < deadline:
        batch = ImportBatch.objects.values("status").get(pk=batch_id)
        if stage in busy:
            row = TaskProgress.objects.filter(key=f"import:{batch_id}").first()
            met = batch["status"] == busy[stage] and row is not None and row.done >= int(least)
        else:
            met = batch["status"] not in (ImportBatch.Status.CHECKING, ImportBatch.Status.APPLYING)
        if met:
            if kill:
                os.kill(kill, signal.SIGKILL)
            return state(batch_id)
        time.sleep(0.02)
    raise SystemExit(f"timed out waiting for {condition}: {state(batch_id)}")


def confirm(batch_id: int, kill: int = 0, least: int = 0) -> dict[str, Any]:
    batch = ImportBatch.objects.select_related("created_by").get(pk=batch_id)
    services.confirm_import(actor=batch.created_by, batch=batch, expected_version=batch.version)
    return wait(batch_id, f"writing:{least}", kill) if kill else wait(batch_id, "settled")


def _client(batch: ImportBatch) -> Any:
    from django.test import Client

    client = Client(SERVER_NAME="localhost")
    client.force_login(batch.created_by)
    return client


def page(batch_id: int) -> dict[str, Any]:
    from django.urls import reverse

    batch = ImportBatch.objects.select_related("created_by").get(pk=batch_id)
    response = _client(batch).get(reverse("rosters:batch", args=[batch_id]))
    html = response.content.decode()
    return {
        "code": response.status_code,
        "message": batch.message if batch.message and batch.message in html else "",
        "confirm_form": 'id="confirm-form"' in html,
        "waiting": 'id="batch-waiting"' in html,
        "busy": 'hx-trigger="every 1s"' in html,
    }


def reconfirm(batch_id: int) -> dict[str, Any]:
    from django.urls import reverse

    batch = ImportBatch.objects.select_related("created_by").get(pk=batch_id)
    response = _client(batch).post(
        reverse("rosters:batch-confirm", args=[batch_id]), {"version": batch.version}
    )
    assert response.status_code == 302, response.status_code
    return wait(batch_id, "settled")


BURST = "断电"  # the names of the members the burst registers


def burst(acks: str, threads: int) -> dict[str, Any]:
    import threading

    from django.contrib.auth import get_user_model
    from django.db import Error, connection

    from dangjian.members import services as members
    from dangjian.orgs.models import Organization
    from dangjian.stats.rollups import rebuild
    from dangjian.testing import make_member

    rebuild(min_members=1)  # every subtree keeps rollups: the writes log their changes too
    admin = get_user_model().objects.get(username="county")
    branch = Organization.objects.get(code="100000000003")
    lock, out = threading.Lock(), open(acks, "a", buffering=1)  # noqa: SIM115 (threads)
    failures: list[str] = []

    def ack(line: str) -> None:
        with lock:
            out.write(line + "\n")  # line-buffered: in the file before the next write starts

    def writer(n: int) -> None:
        joined = dt.date(2024, 3, 1) + dt.timedelta(days=n)
        try:
            for i in range(100_000):
                name = BURST + "".join(DIGITS[int(d)] for d in f"{n}{i:05d}")
                birth = dt.date(1960, 1, 1) + dt.timedelta(days=n * 5_000 + i)
                member = make_member(admin, branch, name=name, birth=birth, join=joined, full=None)
                ack(f"member {member.pk}")
                members.record_event(
                    actor=admin,
                    member=member,
                    kind=MemberEvent.Kind.CONVERT,
                    effective_date=joined.replace(year=joined.year + 1),  # 预备期满之日
                )
                ack(f"convert {member.pk}")
        except Error:
            pass  # the server is gone: the burst is over for this thread
        except Exception as exc:  # anything else is a failure of the test's own making
            failures.append(repr(exc))
        finally:
            connection.close()

    workers = [threading.Thread(target=writer, args=(n,)) for n in range(threads)]
    for thread in workers:
        thread.start()
    for thread in workers:
        thread.join()
    out.close()
    return {"failures": failures}


def _check_stats() -> str:
    """`manage.py check_stats`: its last line when clean, else its complaints."""
    import io

    from django.core.management import CommandError, call_command

    out = io.StringIO()
    try:
        call_command("check_stats", stdout=out)
    except CommandError as exc:
        return f"FAILED: {exc}\n{out.getvalue()}"
    return out.getvalue().strip().splitlines()[-1]


def audit(acks: str) -> dict[str, Any]:
    acked: dict[str, set[int]] = {"member": set(), "convert": set()}
    with open(acks) as lines:
        for line in lines:
            kind, pk = line.split()
            acked[kind].add(int(pk))
    ours = Member.objects.filter(name__startswith=BURST)
    present = set(ours.values_list("pk", flat=True))
    converted = set(
        MemberEvent.objects.filter(
            member__in=ours, kind=MemberEvent.Kind.CONVERT, voided_at__isnull=True
        ).values_list("member_id", flat=True)
    )
    full = set(ours.filter(full_date__isnull=False).values_list("pk", flat=True))
    return {
        "check_stats": _check_stats(),
        "acked": {kind: len(pks) for kind, pks in acked.items()},
        "members": len(present),
        "lost_members": sorted(acked["member"] - present),
        "lost_converts": sorted(acked["convert"] - converted),
        # all-or-nothing for the writes in flight too: a member is there with its history,
        # its 接收预备党员 event and its spell, or not at all; a 转正 with its derived state
        "without_events": ours.filter(events__isnull=True).count(),
        "without_spells": ours.filter(spells__isnull=True).count(),
        "without_history": len(
            present - set(Member.history.filter(id__in=present).values_list("id", flat=True))
        ),
        "state_differs": sorted(converted ^ full),
        "orphans": Member.history.filter(name__startswith=BURST)
        .exclude(id__in=Member.objects.values("id"))
        .count(),
    }


def transfer() -> dict[str, Any]:
    from django.contrib.auth import get_user_model
    from django.utils import timezone
    from rest_framework.authtoken.models import Token

    from dangjian.accounts.models import Role
    from dangjian.accounts.services import grant_role
    from dangjian.mobile import services as mobile
    from dangjian.orgs.models import Organization
    from dangjian.transfers import services as transfers

    users = get_user_model().objects
    township = Organization.objects.get(code="100000000002")
    far_branch = Organization.objects.get(code="200000000002")
    approver = users.create_user("dangwei", first_name="城关镇党委")
    receiver = users.create_user("farsec", first_name="远山书记")
    grant_role(actor=None, user=approver, role=Role.PARTY_COMMITTEE, org=township, bootstrap=True)
    grant_role(
        actor=None, user=receiver, role=Role.BRANCH_SECRETARY, org=far_branch, bootstrap=True
    )
    secretary = users.get(username="secretary")
    member = Member.objects.get(name="李明")
    stay = mobile.register_stay(
        actor=secretary,
        member=member,
        data=mobile.StayData(
            region_code="440300",
            address="广东省深圳市南山区",
            reason="work",
            expected_months=12,
            start_on=timezone.localdate() - dt.timedelta(days=30),
            destination_org=far_branch,
        ),
    )
    moving = transfers.start_transfer(
        actor=secretary, member=member, to_org=far_branch, reason="在流入地定居"
    )
    transfers.issue_letter(actor=approver, transfer=moving)
    moving.refresh_from_db()
    return {
        "transfer": moving.pk,
        "version": moving.version,
        "stay": stay.pk,
        "token": Token.objects.create(user=receiver).key,
    }


def transfer_state(pk: int) -> dict[str, Any]:
    from dangjian.mobile.models import MobileStay
    from dangjian.transfers.models import Transfer

    moving = Transfer.objects.select_related("member__org").get(pk=pk)
    member = moving.member
    spells = MemberSpell.objects.filter(member=member)
    return {
        "status": moving.status,
        "version": moving.version,
        "arrival_date": str(moving.arrival_date),
        "org": member.org.name,
        "member_version": member.version,
        "events": sorted(
            MemberEvent.objects.filter(member=member, voided_at__isnull=True).values_list(
                "kind", flat=True
            )
        ),
        "spells": spells.count(),
        "open_spell": list(
            spells.filter(valid_to__isnull=True).values_list("org__name", flat=True)
        ),
        "stay": MobileStay.objects.filter(member=member).values_list("status", flat=True).get(),
    }


STEPS: dict[str, Callable[..., dict[str, Any]]] = {
    "transfer": lambda: transfer(),
    "transfer_state": lambda pk: transfer_state(int(pk)),
    "burst": lambda acks, threads: burst(acks, int(threads)),
    "audit": lambda acks: audit(acks),
    "reconfirm": lambda batch: reconfirm(int(batch)),
    "seed": lambda: seed(),
    "upload": lambda path, pid="0": upload(path, int(pid)),
    "wait": lambda batch, cond, pid="0": wait(int(batch), cond, int(pid)),
    "confirm": lambda batch, pid="0", least="0": confirm(int(batch), int(pid), int(least)),
    "state": lambda batch: state(int(batch)),
}

if __name__ == "__main__":
    name, *args = sys.argv[1:]
    print(json.dumps(STEPS[name](*args), ensure_ascii=False))
