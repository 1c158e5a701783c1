"""Django against a real primary and streaming replica, for test_replica_faults.

One process (started with DATABASE_URL and DATABASE_REPLICA_URL), so Django, its connections
and the replica's cached lag reading live as in a web process; the test drives it with one JSON
command a line on stdin and reads one JSON answer a line on stdout. Every statement sent to the
replica's connection is recorded, so the test can show no write ever went there.
"""

from __future__ import annotations

import io
import json
import os
import sys
from collections import Counter
from collections.abc import Callable
from typing import Any


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dangjian.settings")
    import django

    django.setup()
    from django.test.utils import setup_test_environment

    setup_test_environment()  # response.context, the test server's host name
    handlers = Handlers()
    for line in sys.stdin:
        command = json.loads(line)
        op = command.pop("op")
        try:
            answer = getattr(handlers, op)(**command)
        except Exception as exc:  # the test shows it; the driver keeps going
            answer = {"error": f"{type(exc).__name__}: {exc}"}
        sys.stdout.write(json.dumps(answer, default=str) + "\n")
        sys.stdout.flush()


def _until_replica_has(row: Any, seconds: float = 30) -> None:
    import time

    deadline = time.monotonic() + seconds
    while not type(row).objects.using("replica").filter(pk=row.pk).exists():
        if time.monotonic() > deadline:
            raise TimeoutError("the replica did not replay the export job's row")
        time.sleep(0.05)


class Handlers:
    def __init__(self) -> None:
        from django.db import connections

        self.replica_sql: list[str] = []
        self.counts: Counter[str] = Counter()
        for alias in ("default", "replica"):
            connections[alias].execute_wrappers.append(self._recorder(alias))

    def _recorder(self, alias: str) -> Callable[..., Any]:
        def record(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
            self.counts[alias] += 1
            if alias == "replica":
                self.replica_sql.append(sql)
            return execute(sql, params, many, context)

        return record

    def setup(self) -> dict[str, Any]:
        """Migrate the primary (the replica follows by streaming) and build the test cast."""
        from django.conf import settings
        from django.core.management import call_command
        from django.test import Client

        from dangjian.conftest import FAST_HASHERS, build_cast

        call_command("migrate", interactive=False, verbosity=0)

        settings.PASSWORD_HASHERS = FAST_HASHERS
        self.cast = build_cast()
        self.clients = {"viewer": Client(), "writer": Client()}
        self.clients["viewer"].force_login(self.cast.county_admin)
        self.clients["writer"].force_login(self.cast.secretary)
        return {}

    def configure(self, **values: Any) -> dict[str, Any]:
        """Change settings (the lag limit, the sticky window) and forget the lag reading."""
        from django.conf import settings

        from dangjian.core import replica

        for name, value in values.items():
            setattr(settings, name, value)
        replica.forget()
        return {}

    def reading(self) -> dict[str, Any]:
        from dangjian.core import replica

        now = replica.reading(fresh=True)
        return {"state": now.state, "lag": now.lag}

    def _counted(self, work: Callable[[], Any]) -> tuple[Any, dict[str, int]]:
        self.counts.clear()
        result = work()
        return result, {"default": self.counts["default"], "replica": self.counts["replica"]}

    def report(self, who: str) -> dict[str, Any]:
        """党内统计 of the branch, as `who` sees it: the figure and the queries per database."""
        from django.urls import reverse

        url = f"{reverse('stats:report')}?org={self.cast.branch.pk}"
        response, queries = self._counted(lambda: self.clients[who].get(url))
        report = response.context["report"] if response.status_code == 200 else None
        return {
            "status": response.status_code,
            "total": report.total if report else None,
            "queries": queries,
        }

    def add_member(self, name: str) -> dict[str, Any]:
        """The branch secretary registers a member through the page (a POST that writes)."""
        import datetime as dt

        from django.urls import reverse

        from dangjian.testing import make_id_number

        birth = dt.date(1994, 4, 4)
        data = {
            "name": name, "gender": "F", "ethnicity": "01", "birth_date": birth.isoformat(),
            "id_number": make_id_number(birth, "F"), "education": "ba",
            "person_category": "prof", "org": self.cast.branch.pk, "join_date": "2018-06-20",
            "full_date": "2019-06-20",
        }  # fmt: skip
        response = self.clients["writer"].post(reverse("members:create"), data)
        return {"status": response.status_code}

    def export(self, replica_has_job: bool = False) -> dict[str, Any]:
        """导出花名册 of the branch, built by the background worker: rows and queries.

        ``replica_has_job``: run the task only once the replica has replayed the job's row, so
        the test sees the replica read rather than the (correct) fallback a race would give.
        """
        from django.urls import reverse
        from openpyxl import load_workbook

        from dangjian.core.tasks import run_queued
        from dangjian.rosters.models import ExportJob
        from dangjian.rosters.services import export_file

        url = f"{reverse('rosters:export')}?org={self.cast.branch.pk}&status="
        response = self.clients["viewer"].post(url, {})
        job = ExportJob.objects.order_by("-pk").first()
        assert job is not None and job.status == ExportJob.Status.RUNNING, response
        if replica_has_job:
            _until_replica_has(job)
        ran, queries = self._counted(lambda: run_queued("driver"))
        job.refresh_from_db()
        book = load_workbook(io.BytesIO(export_file(job)), read_only=True)
        rows = sum(1 for _ in book.active.iter_rows(min_row=2))
        return {"ran": ran, "status": job.status, "rows": rows, "queries": queries}

    def health(self) -> dict[str, Any]:
        """/health/ as a probe sees it (with a fresh worker heartbeat: no worker runs here)."""
        from django.test import Client
        from django.urls import reverse
        from django.utils import timezone

        from dangjian.core.models import PeriodicRun

        now = timezone.now()
        PeriodicRun.objects.update_or_create(
            name="votes.run_schedules", defaults={"next_at": now, "last_at": now}
        )
        response = Client().get(reverse("health"))
        return {"status": response.status_code, "body": response.content.decode()}

    def replica_statements(self) -> dict[str, Any]:
        """Every statement the replica was sent that is not a read."""
        reads = ("select", "with", "declare", "fetch", "close", "set ", "show ")
        others = [s for s in self.replica_sql if not s.strip().lower().startswith(reads)]
        return {"total": len(self.replica_sql), "not_reads": others}


if __name__ == "__main__":
    main()
