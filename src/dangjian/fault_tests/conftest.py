"""The fault tests' ground: one throwaway PostgreSQL server per session (dangjian.pgtest,
durable), a template database migrated and seeded with the shared cast once, and for every
test a database of its own copied from it; the processes under test (worker, web server,
scenario steps) run with DATABASE_URL naming that copy. The tests use no Django test database.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

import dangjian
from dangjian import pgtest

TEMPLATE = "faults_template"
FIELD_KEY = "fault-tests-field-key"  # every process must decrypt what another encrypted
SRC = str(Path(dangjian.__file__).resolve().parents[1])


@dataclass
class Ground:
    """A database of the test's own on the session's server, and how to run things on it."""

    pg: pgtest.PgServer
    db: str
    var: Path
    children: list[subprocess.Popen[bytes]] = field(default_factory=list)

    @property
    def env(self) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith(("DANGJIAN_", "PYTEST"))}
        env.update(
            DATABASE_URL=self.pg.url(self.db),
            DJANGO_SETTINGS_MODULE="dangjian.settings",
            DANGJIAN_FIELD_KEY=FIELD_KEY,
            DANGJIAN_VAR_DIR=str(self.var),
            PYTHONPATH=SRC,
        )
        return env

    def step(self, *args: Any, timeout: float = 120) -> dict[str, Any]:
        """One step of scenario.py in a process of its own; its JSON answer."""
        done = subprocess.run(
            [sys.executable, "-m", "dangjian.fault_tests.scenario", *map(str, args)],
            env=self.env,
            capture_output=True,
            text=True,
            timeout=timeout,
        )
        assert done.returncode == 0, done.stderr[-4000:]
        result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
        return result

    def start(
        self, *args: str, log: str, env: dict[str, str] | None = None
    ) -> subprocess.Popen[bytes]:
        """`python ARGS` in the background, on this database (and `env`), output to var/LOG."""
        with open(self.var / log, "ab") as out:
            child = subprocess.Popen(
                [sys.executable, *args],
                env={**self.env, **(env or {})},
                stdout=out,
                stderr=subprocess.STDOUT,
            )
        self.children.append(child)
        return child

    def worker(self, log: str = "worker.log") -> subprocess.Popen[bytes]:
        return self.start(
            "-m", "dangjian", "run_worker", "--interval", "0.1", "--tick", "0.5",
            "--no-startup-delay", "-v", "0", log=log,
        )  # fmt: skip

    @staticmethod
    def kill(pid: int) -> None:
        os.kill(pid, signal.SIGKILL)

    def log(self, name: str) -> str:
        path = self.var / name
        return path.read_text(errors="replace")[-4000:] if path.exists() else ""


@pytest.fixture(scope="session")
def server() -> Iterator[pgtest.PgServer]:
    with pgtest.scratch_root("dangjian-faults-") as root:
        pg = pgtest.PgServer(root, "primary").init()
        pg.psql(f"CREATE DATABASE {TEMPLATE} OWNER {pgtest.ROLE}")
        seeding = Ground(pg, TEMPLATE, root)
        seeding.step("seed", timeout=600)  # migrate: slow on a loaded 2-core machine
        yield pg


@pytest.fixture
def ground(server: pgtest.PgServer, tmp_path: Path) -> Iterator[Ground]:
    db = f"faults_{uuid.uuid4().hex[:8]}"
    try:
        server.wait_ready(timeout=2)
    except RuntimeError:  # a test that killed it failed before starting it again
        server.start()
    server.psql(f"CREATE DATABASE {db} TEMPLATE {TEMPLATE} OWNER {pgtest.ROLE}")
    var = tmp_path / "var"
    var.mkdir()
    ground = Ground(server, db, var)
    try:
        yield ground
    finally:
        for child in ground.children:
            if child.poll() is None:
                child.kill()
                child.wait(10)
        server.psql(f"DROP DATABASE IF EXISTS {db} WITH (FORCE)")


@pytest.fixture(scope="session")
def big_roster_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The issue's 15,000-row roster, built once per session."""
    from dangjian.fault_tests.rosters import big_roster

    path = tmp_path_factory.mktemp("roster") / "花名册.xlsx"
    path.write_bytes(big_roster())
    return path
