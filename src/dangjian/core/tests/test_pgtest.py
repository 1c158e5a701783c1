"""The throwaway servers the drills and fault tests stand on (dangjian.pgtest)."""

from __future__ import annotations

import time

import pytest

from dangjian import pgtest

pytestmark = [
    pytest.mark.faults,
    pytest.mark.skipif(not pgtest.available(), reason="no PostgreSQL server binaries"),
]


def test_an_acknowledged_write_survives_a_kill_and_reaches_the_replica() -> None:
    with pgtest.scratch_root() as root:
        primary = pgtest.PgServer(root, "primary", {"wal_level": "replica"}).init()
        primary.psql("CREATE TABLE t (x int)", db="dangjian", user=pgtest.ROLE)
        replica = pgtest.PgServer(root, "replica").replica_of(primary)
        primary.psql("INSERT INTO t VALUES (1)", db="dangjian", user=pgtest.ROLE)
        primary.kill()
        primary.start()
        primary.wait_ready()
        assert primary.psql("SELECT count(*) FROM t", db="dangjian") == "1"
        for _ in range(100):
            if replica.psql("SELECT count(*) FROM t", db="dangjian") == "1":
                break
            time.sleep(0.1)
        assert replica.psql("SELECT count(*) FROM t", db="dangjian") == "1"
        assert replica.psql("SELECT pg_is_in_recovery()") == "t"
