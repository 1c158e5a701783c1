"""Throwaway PostgreSQL servers for the drills and fault tests (``make test-faults``).

One class for every test that needs a server of its own rather than the suite's shared one
(scripts/with-postgres): the point-in-time recovery drill (WAL archive), the read replica
(``pg_basebackup`` + streaming), and the fault tests that SIGKILL the server. Unlike the suite's
server these keep durability ON (fsync, full_page_writes): a crash test on a server that is
allowed to lose acknowledged writes proves nothing.

PostgreSQL refuses to run as root: as root the server runs as the ``postgres`` system user, as
scripts/with-postgres does. Binaries: ``$PG_BIN``, else the newest /usr/lib/postgresql/*/bin,
else ``initdb`` on PATH; :func:`available` says whether any were found.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path

ROLE = "dangjian"  # the application's role: CREATEDB, never SUPERUSER (as in production)


def pg_bin() -> Path | None:
    """The directory of the server binaries, or None."""
    if os.environ.get("PG_BIN"):
        return Path(os.environ["PG_BIN"])
    found = sorted(
        Path("/usr/lib/postgresql").glob("*/bin"),
        key=lambda p: [int(x) for x in p.parent.name.split(".") if x.isdigit()],
    )
    for candidate in reversed(found):
        if (candidate / "initdb").exists():
            return candidate
    initdb = shutil.which("initdb")
    return Path(initdb).resolve().parent if initdb else None


def available() -> bool:
    bindir = pg_bin()
    return bindir is not None and (bindir / "pg_ctl").exists()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _as_postgres() -> list[str]:
    if os.getuid() != 0:
        return []
    if subprocess.run(["id", "postgres"], capture_output=True).returncode != 0:
        subprocess.run(
            ["useradd", "--system", "--user-group", "--shell", "/bin/sh", "postgres"],
            check=True,
        )
    return ["runuser", "-u", "postgres", "--"]


def _give_to_postgres(path: Path) -> None:
    if os.getuid() == 0:
        shutil.chown(path, "postgres", "postgres")


def server_dir(path: Path) -> Path:
    """A directory the server's user may write (a WAL archive, a base backup's target)."""
    path.mkdir(parents=True, exist_ok=True)
    _give_to_postgres(path)
    return path


class PgServer:
    """One PostgreSQL cluster in ``root/<name>``, on a free loopback port.

    ``conf`` adds postgresql.conf settings (``{"archive_mode": "on", ...}``). Use
    :meth:`init` for a new cluster, or :meth:`replica_of` for a streaming standby of another.
    """

    def __init__(self, root: Path, name: str = "primary", conf: Mapping[str, str] | None = None):
        bindir = pg_bin()
        if bindir is None:
            raise RuntimeError("no PostgreSQL server binaries (apt-get install postgresql)")
        self.bin = bindir
        self.root = root
        self.data = root / name
        self.port = free_port()
        self.conf = dict(conf or {})
        self.as_pg = _as_postgres()
        self.log = root / f"{name}.log"

    # ---- running programs ----------------------------------------------------------------
    def run(self, program: str, *args: str, check: bool = True) -> subprocess.CompletedProcess:
        """Run a server binary as the server's user (``initdb``, ``pg_ctl``, ``pg_basebackup``)."""
        return subprocess.run(
            [*self.as_pg, str(self.bin / program), *args],
            check=check,
            capture_output=True,
            text=True,
        )

    def psql(self, sql: str, *, db: str = "postgres", user: str = "postgres") -> str:
        """Run SQL as ``user`` and return psql's unaligned, tuples-only output."""
        psql = self.bin / "psql"
        exe = str(psql) if psql.exists() else (shutil.which("psql") or "psql")
        out = subprocess.run(
            [
                exe,
                "-X",
                "-q",
                "-At",
                "-v",
                "ON_ERROR_STOP=1",
                "-h",
                "127.0.0.1",
                "-p",
                str(self.port),
                "-U",
                user,
                "-d",
                db,
                "-c",
                sql,
            ],
            check=True,
            capture_output=True,
            text=True,
        )
        return out.stdout.strip()

    def url(self, db: str = "dangjian", user: str = ROLE) -> str:
        return f"postgres://{user}@127.0.0.1:{self.port}/{db}"

    # ---- life cycle ----------------------------------------------------------------------
    def init(self) -> PgServer:
        """initdb (trust on loopback), write ``conf``, start, create role and database."""
        self.root.mkdir(parents=True, exist_ok=True)
        _give_to_postgres(self.root)
        self.run("initdb", "-D", str(self.data), "-U", "postgres", "--auth=trust", "-E", "UTF8")
        self._write_conf({"listen_addresses": "'127.0.0.1'", "max_connections": "60", **self.conf})
        with open(self.data / "pg_hba.conf", "a") as hba:
            hba.write("host replication all 127.0.0.1/32 trust\n")
        self.start()
        self.psql(f"CREATE ROLE {ROLE} LOGIN CREATEDB")
        self.psql(f"CREATE DATABASE dangjian OWNER {ROLE}")
        return self

    def replica_of(self, primary: PgServer) -> PgServer:
        """A streaming standby: ``pg_basebackup -R`` from ``primary``, then start."""
        self.root.mkdir(parents=True, exist_ok=True)
        _give_to_postgres(self.root)
        self.run(
            "pg_basebackup", "-D", str(self.data), "-h", "127.0.0.1", "-p", str(primary.port),
            "-U", "postgres", "-R", "-X", "stream", "-c", "fast",
        )  # fmt: skip
        self._write_conf({"hot_standby": "on", **self.conf})
        self.start()
        return self

    def base_backup(self, target: Path) -> Path:
        """``pg_basebackup`` in tar format (WAL fetched into it) into ``target``: the base
        backup an operator keeps; :meth:`restore_base` turns it into a cluster again."""
        server_dir(target)
        self.run(
            "pg_basebackup", "-D", str(target), "-h", "127.0.0.1", "-p", str(self.port),
            "-U", "postgres", "-F", "t", "-X", "fetch", "-c", "fast",
        )  # fmt: skip
        return target / "base.tar"

    def restore_base(self, base_tar: Path, *, recovery: bool = True) -> PgServer:
        """A new cluster in this server's data directory from a base backup's tar, with
        ``conf`` (e.g. restore_command, recovery_target_time) and, when ``recovery``, a
        recovery.signal (targeted recovery from the WAL archive); then start."""
        self.root.mkdir(parents=True, exist_ok=True)
        server_dir(self.data)
        os.chmod(self.data, 0o700)
        subprocess.run(
            [*self.as_pg, "tar", "-xf", str(base_tar), "-C", str(self.data)],
            check=True,
            capture_output=True,
        )
        self._write_conf(self.conf)
        if recovery:
            (self.data / "recovery.signal").touch()
            _give_to_postgres(self.data / "recovery.signal")
        self.start()
        return self

    def _write_conf(self, settings: Mapping[str, str]) -> None:
        lines = [f"port = {self.port}", f"unix_socket_directories = '{self.root}'"]
        lines += [f"{key} = {value}" for key, value in settings.items()]
        with open(self.data / "postgresql.conf", "a") as conf:
            conf.write("\n# pgtest\n" + "\n".join(lines) + "\n")

    def start(self) -> None:
        result = self.run(
            "pg_ctl", "-D", str(self.data), "-l", str(self.log), "-w", "-t", "60", "start",
            check=False,
        )  # fmt: skip
        if result.returncode != 0:
            raise RuntimeError(f"PostgreSQL did not start:\n{self.read_log()}")

    def stop(self, mode: str = "fast") -> None:
        if (self.data / "postmaster.pid").exists():
            self.run("pg_ctl", "-D", str(self.data), "-m", mode, "-w", "stop", check=False)

    def kill(self) -> None:
        """SIGKILL the postmaster, as a power cut would: no checkpoint, no clean shutdown.

        The backends notice their parent is gone and exit; wait until the pid file's owner is
        gone so that a following :meth:`start` does crash recovery.
        """
        pid = self.postmaster_pid()
        os.kill(pid, signal.SIGKILL)
        for _ in range(200):
            try:
                os.kill(pid, 0)
            except ProcessLookupError:
                break
            time.sleep(0.05)
        # Orphaned backends may hold the shared memory a little longer.
        time.sleep(0.5)

    def postmaster_pid(self) -> int:
        return int((self.data / "postmaster.pid").read_text().split()[0])

    def read_log(self) -> str:
        try:
            return self.log.read_text()
        except OSError:
            return ""

    def wait_ready(self, timeout: float = 30) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if (
                self.run(
                    "pg_isready", "-h", "127.0.0.1", "-p", str(self.port), check=False
                ).returncode
                == 0
            ):
                return
            time.sleep(0.1)
        raise RuntimeError(f"PostgreSQL not ready after {timeout} s:\n{self.read_log()}")


@contextmanager
def scratch_root(prefix: str = "dangjian-pgtest-") -> Iterator[Path]:
    """A temporary directory the server's user may write; removed afterwards (servers too)."""
    root = Path(tempfile.mkdtemp(prefix=prefix))
    os.chmod(root, 0o755)
    try:
        yield root
    finally:
        for pid_file in root.glob("*/postmaster.pid"):
            pg = pg_bin()
            if pg is not None:
                subprocess.run(
                    [
                        *_as_postgres(),
                        str(pg / "pg_ctl"),
                        "-D",
                        str(pid_file.parent),
                        "-m",
                        "immediate",
                        "-w",
                        "stop",
                    ],
                    capture_output=True,
                )
        shutil.rmtree(root, ignore_errors=True)
