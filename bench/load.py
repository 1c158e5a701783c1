"""Load bench (part of `make bench`; issue 16, part 8): the production shape under 50 secretaries.

A throwaway PostgreSQL server (`dangjian.pgtest.PgServer`) gets a county of BENCH_LOAD_MEMBERS
members (default 50,000) from the scale generator (demo/scale.py, as bench/workbench.py builds
it), logins for the secretaries of its branches and for members who vote in a poll opened in
each of those branches. gunicorn serves the production settings (DANGJIAN_ENV=production, TLS
off: loopback only) and locust (bench/load_locustfile.py), headless, runs BENCH_LOAD_USERS
users (default 50; 0 skips) doing what secretaries do with think time: 工作台, the member list
and its search by name and by pinyin, a member's record, the statistics report, a roster export
of their branch; and members casting a ballot. Each user logs in once through the login form;
the log-ins and the ramp-up are not counted. The baseline is a trivial view (/health/live/)
requested by the same users from the same server in the same run.

Printed: per page the requests, p50 / p95 / p99 (ms), errors, and p95 as a ratio to the trivial
view's p95, and whether the goal (p95 <= 100 ms, 0 errors) is met; then, for scale, each
read-only page's median when one secretary asks it alone before the users start (its own cost on
this machine, without queueing), the machine's load average and the requests per second served.
Nothing is asserted here.

`python bench/load.py` runs it on its own (BENCH_LOAD_USERS, BENCH_LOAD_MEMBERS,
BENCH_LOAD_SECONDS for the measured window, default 180, BENCH_LOAD_RAMP, default 10 s).
"""

from __future__ import annotations

import base64
import datetime as dt
import json
import math
import os
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
USERS = int(os.environ.get("BENCH_LOAD_USERS", "50"))  # 0 skips the load bench
MEMBERS = int(os.environ.get("BENCH_LOAD_MEMBERS", "50000"))
# The measured window: in 75 s the statistics page was asked about 50 times, so its p95 was its
# third slowest answer and moved by 100 ms from run to run; 180 s gives each page 120 or more.
SECONDS = int(os.environ.get("BENCH_LOAD_SECONDS", "180"))
RAMP = int(os.environ.get("BENCH_LOAD_RAMP", "10"))  # seconds to start every user
GOAL_MS = 100.0
BASELINE = "trivial view /health/live/"
PASSWORD = "Load-bench-2026"  # throwaway server on loopback only
VOTERS_PER_POLL = 8
Row = tuple[str, str, str, str]

# The table's order; the locustfile names its requests with these.
PAGES = [
    BASELINE,
    "工作台 /",
    "member list",
    "search by name",
    "search by pinyin",
    "member record",
    "statistics report",
    "roster export (one branch)",
    "roster download",
    "ballot page",
    "ballot review",
    "ballot cast",
]


def env_for(var_dir: Path, database_url: str) -> dict[str, str]:
    """The children's environment: production settings, TLS off, everything in `var_dir`."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("DANGJIAN_")}
    env.update(
        PYTHONPATH=str(ROOT / "src"),
        DJANGO_SETTINGS_MODULE="dangjian.settings",
        DATABASE_URL=database_url,
        DANGJIAN_ENV="production",
        DANGJIAN_SECRET_KEY=secrets.token_urlsafe(40),
        DANGJIAN_FIELD_KEY=base64.urlsafe_b64encode(os.urandom(32)).decode(),
        DANGJIAN_VAR_DIR=str(var_dir),
        DANGJIAN_STATIC_ROOT=str(var_dir / "static"),
        DANGJIAN_ALLOWED_HOSTS="127.0.0.1,localhost",
        DANGJIAN_TLS="false",  # plain http on loopback, as scripts/serve runs it
        DANGJIAN_LOG_LEVEL="ERROR",
    )
    return env


# ---- the data: run in a child process with the load's settings ---------------------------------


def prepare(out: Path, members: int, users: int) -> None:
    """migrate, collectstatic, the county, the logins and the polls; the logins go to `out`."""
    import django

    django.setup()
    from django.core.management import call_command
    from django.utils import timezone

    from dangjian.demo.scale import load_scale

    started = time.perf_counter()
    call_command("migrate", verbosity=0)
    call_command("collectstatic", "--noinput", verbosity=0)  # production's storage: a manifest
    setup_seconds = time.perf_counter() - started
    today = timezone.localdate()
    data = load_scale(members, seed=16, today=today, county_members=members)
    logins = make_logins(data.root_id, users, today)
    logins.update(
        members=data.members,
        organizations=data.organizations,
        seconds_setup=round(setup_seconds, 1),
        seconds_load=round(data.seconds_tree + data.seconds_members, 1),
    )
    out.write_text(json.dumps(logins, ensure_ascii=False))


def make_logins(root_id: int, users: int, today: dt.date) -> dict[str, Any]:
    """A secretary for each of `users` branches spread over the county (each with a motion open
    to its members), and VOTERS_PER_POLL full members with logins in each of those branches."""
    from django.contrib.auth import get_user_model
    from django.contrib.auth.hashers import make_password
    from django.db.models import Count, Q

    from dangjian.accounts.models import Role
    from dangjian.accounts.services import grant_role
    from dangjian.members.models import Member
    from dangjian.orgs.models import Organization, OrgKind
    from dangjian.votes.models import Poll
    from dangjian.votes.services import PollDraft, create_poll, open_poll

    root = Organization.objects.get(pk=root_id)
    county = (
        Organization.objects.under(root).filter(kind=OrgKind.COMMITTEE, depth=root.depth + 2).get()
    )
    full = Q(members__category="full", members__status="active")
    branches = list(
        Organization.objects.under(county)
        .filter(kind=OrgKind.BRANCH)
        .annotate(voters=Count("members", filter=full))
        .filter(voters__gte=VOTERS_PER_POLL)
        .order_by("path")
    )
    step = max(1, len(branches) // max(users, 1))
    chosen = branches[::step][: max(users, 1)]
    model = get_user_model()
    password = make_password(PASSWORD)  # hashed once: the logins share it
    secretaries = model.objects.bulk_create(
        [model(username=f"load-secretary-{i}", password=password) for i in range(len(chosen))]
    )
    out: dict[str, Any] = {"password": PASSWORD, "secretaries": [], "voters": []}
    voter_users = []
    linked = []
    for i, (branch, secretary) in enumerate(zip(chosen, secretaries, strict=True)):
        grant_role(
            actor=None, user=secretary, role=Role.BRANCH_SECRETARY, org=branch, bootstrap=True
        )
        in_branch = list(Member.objects.filter(org=branch).in_party().order_by("name_pinyin"))
        people = in_branch[:: max(1, len(in_branch) // 6)][:6]
        out["secretaries"].append(
            {
                "username": secretary.username,
                "branch": branch.pk,
                "members": [m.pk for m in people],
                "names": [m.name for m in people],
                "pinyin": [m.name_initials for m in people] + [m.name_pinyin for m in people],
            }
        )
        voters = [m for m in in_branch if m.category == "full" and m.user_id is None]
        for j, member in enumerate(voters[:VOTERS_PER_POLL]):
            voter_users.append(model(username=f"load-voter-{i}-{j}", password=password))
            linked.append(member)
    model.objects.bulk_create(voter_users)
    for member, user in zip(linked, voter_users, strict=True):
        member.user = user
    Member.objects.bulk_update(linked, ["user"], batch_size=1000)
    tokens = {}
    for branch, secretary in zip(chosen, secretaries, strict=True):
        draft = PollDraft(
            title="关于党费使用的表决",
            kind=Poll.Kind.MOTION,
            method=Poll.Method.ONLINE,
            preset="meeting",
            electorate_on=today,
        )
        poll = open_poll(
            actor=secretary, poll=create_poll(actor=secretary, organization=branch, draft=draft)
        )
        tokens[branch.pk] = poll.token
    for member, user in zip(linked, voter_users, strict=True):
        out["voters"].append({"username": user.username, "token": tokens[member.org_id]})
    return out


# ---- the run --------------------------------------------------------------------------------


def run(
    users: int = USERS, members: int = MEMBERS, seconds: int = SECONDS, ramp: int = RAMP
) -> list[Row]:
    """The section's table rows (also returns them when something failed, naming it)."""
    from dangjian import pgtest

    if not pgtest.available():
        return [("load: SKIPPED (no PostgreSQL server binaries found)", "", "", "")]
    result = measure(users, members, seconds, ramp)
    return table(result)


def measure(users: int, members: int, seconds: int, ramp: int) -> dict[str, Any]:
    """Everything, end to end; returns the raw figures (see `table`)."""
    from dangjian import pgtest

    scratch = Path(tempfile.mkdtemp(prefix="dangjian-load-"))
    os.chmod(scratch, 0o755)
    try:
        with pgtest.scratch_root(prefix="dangjian-load-pg-") as root:
            pg = pgtest.PgServer(root, conf={"max_connections": "100"}).init()
            env = env_for(scratch / "var", pg.url())
            logins_file = scratch / "logins.json"
            started = time.perf_counter()
            subprocess.run(
                [sys.executable, __file__, "prepare", str(logins_file), str(members), str(users)],
                env=env,
                cwd=ROOT,
                check=True,
            )
            prepared = time.perf_counter() - started
            logins = json.loads(logins_file.read_text())
            port = pgtest.free_port()
            with gunicorn(env, port, scratch / "gunicorn.log") as workers:
                quiet = alone(port, logins)
                results_file = scratch / "results.json"
                load_before = os.getloadavg()[0]
                locust(env, port, logins_file, results_file, users, seconds, ramp)
                load_after = os.getloadavg()[0]
                results = json.loads(results_file.read_text())
            return {
                "users": users,
                "seconds": seconds,
                "ramp": ramp,
                "workers": workers,
                "prepared": prepared,
                "logins": {k: v for k, v in logins.items() if k not in ("secretaries", "voters")},
                "secretaries": len(logins["secretaries"]),
                "voters": len(logins["voters"]),
                "alone": quiet,
                "loadavg": (load_before, load_after),
                **results,
            }
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


class gunicorn:  # lower case: used as a context manager, like open()
    """The web server of the production shape on 127.0.0.1:`port`, until the block ends."""

    def __init__(self, env: dict[str, str], port: int, log: Path) -> None:
        self.env = {**env, "HOST": "127.0.0.1", "PORT": str(port)}
        self.port = port
        self.log_path = log
        self.proc: subprocess.Popen[bytes] | None = None

    def command(self) -> list[str]:
        import importlib.util

        sys.path.insert(0, str(ROOT / "src"))
        if importlib.util.find_spec("dangjian.gunicorn_conf") is not None:
            # the one configuration scripts/serve and the systemd unit use
            return ["-c", "python:dangjian.gunicorn_conf", "dangjian.wsgi"]
        workers = os.environ.get("DANGJIAN_WEB_WORKERS", str(2 * (os.cpu_count() or 1) + 1))
        return ["-b", f"127.0.0.1:{self.port}", "-w", workers, "dangjian.wsgi"]

    def __enter__(self) -> int:
        self.log = open(self.log_path, "wb")
        cmd = [sys.executable, "-m", "gunicorn", *self.command()]
        self.proc = subprocess.Popen(
            cmd, env=self.env, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=self.log
        )
        url = f"http://127.0.0.1:{self.port}/health/live/"
        deadline = time.monotonic() + 60
        while True:
            if self.proc.poll() is not None:
                raise RuntimeError(f"gunicorn exited: {self.log_path.read_text()[-3000:]}")
            try:
                with urllib.request.urlopen(url, timeout=2) as response:
                    if response.status == 200:
                        break
            except OSError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError(f"gunicorn did not answer: {self.log_path.read_text()[-3000:]}")
            time.sleep(0.2)
        return self.worker_count()

    def worker_count(self) -> int:
        assert self.proc is not None
        children = Path(f"/proc/{self.proc.pid}/task/{self.proc.pid}/children")
        try:
            return len(children.read_text().split())
        except OSError:
            return 0

    def __exit__(self, *exc: object) -> None:
        assert self.proc is not None
        self.proc.send_signal(signal.SIGTERM)
        try:
            self.proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        self.log.close()


def alone(port: int, logins: dict[str, Any], repeat: int = 7) -> dict[str, float]:
    """Each read-only page asked by one secretary alone, one request at a time, before the
    users start: the median (ms), the page's own cost on this machine without queueing."""
    import re

    import requests

    base = f"http://127.0.0.1:{port}"
    me = logins["secretaries"][0]
    session = requests.Session()
    form = session.get(f"{base}/accounts/login/", timeout=60)
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', form.text)
    session.post(
        f"{base}/accounts/login/",
        data={
            "username": me["username"],
            "password": logins["password"],
            "csrfmiddlewaretoken": token.group(1) if token else "",
        },
        headers={"Referer": f"{base}/accounts/login/"},
        timeout=60,
    )
    partial = {"HX-Request": "true"}
    pages = [
        (BASELINE, "/health/live/", {}, {}),
        ("工作台 /", "/", {}, {}),
        ("member list", "/members/", {}, {}),
        ("search by name", "/members/", {"q": me["names"][0]}, partial),
        ("search by pinyin", "/members/", {"q": me["pinyin"][0]}, partial),
        ("member record", f"/members/{me['members'][0]}/", {}, {}),
        ("statistics report", "/stats/", {}, {}),
    ]
    out = {}
    for name, path, params, headers in pages:
        runs = []
        for _ in range(repeat):
            started = time.perf_counter()
            response = session.get(base + path, params=params, headers=headers, timeout=60)
            runs.append((time.perf_counter() - started) * 1000)
            if response.status_code != 200 or "/accounts/login/" in response.url:
                return {}  # the locust run reports what fails
        out[name] = sorted(runs)[len(runs) // 2]
    return out


def locust(
    env: dict[str, str],
    port: int,
    logins: Path,
    results: Path,
    users: int,
    seconds: int,
    ramp: int,
) -> None:
    """locust, headless, from its command line (gevent patches the process it runs in)."""
    spawn_rate = max(1.0, users / max(ramp, 1))
    child_env = {
        **env,
        "LOAD_LOGINS": str(logins),
        "LOAD_RESULTS": str(results),
        "LOAD_SECONDS": str(seconds),
    }
    subprocess.run(
        [
            sys.executable,
            "-m",
            "locust",
            "-f",
            str(ROOT / "bench" / "load_locustfile.py"),
            "--headless",
            "--host",
            f"http://127.0.0.1:{port}",
            "--users",
            str(users),
            "--spawn-rate",
            f"{spawn_rate:g}",
            "--run-time",
            f"{ramp + seconds}s",
            "--stop-timeout",
            "10",
            "--only-summary",
            "--loglevel",
            "WARNING",
            "--exit-code-on-error",
            "0",
        ],
        env=child_env,
        cwd=ROOT,
        check=True,
        stdout=subprocess.DEVNULL,
    )


# ---- the table ------------------------------------------------------------------------------


def percentile(values: list[float], p: float) -> float:
    """The nearest-rank percentile (p in 0..100) of `values` (not empty)."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(p / 100 * len(ordered)) - 1)]


def summary(results: dict[str, Any]) -> list[dict[str, Any]]:
    """Per page: requests, p50/p95/p99 (ms), errors, ratio to the baseline's p95, goal met."""
    times: dict[str, list[float]] = results["times"]
    errors: dict[str, int] = results["errors"]
    base = times.get(BASELINE) or [float("nan")]
    base95 = percentile(base, 95)
    out = []
    for name in [*PAGES, *sorted((set(times) | set(errors)) - set(PAGES))]:
        values = times.get(name, [])
        p50, p95, p99 = (percentile(values, p) if values else float("nan") for p in (50, 95, 99))
        out.append(
            {
                "page": name,
                "requests": len(values),
                "p50": p50,
                "p95": p95,
                "p99": p99,
                "errors": errors.get(name, 0),
                "ratio": p95 / base95 if base95 else float("nan"),
                "met": bool(values) and p95 <= GOAL_MS and not errors.get(name, 0),
            }
        )
    return out


def table(result: dict[str, Any]) -> list[Row]:
    rows = summary(result)
    logins = result["logins"]
    login_errors = sum(result.get("login_errors", {}).values())
    met = all(row["met"] for row in rows) and not login_errors
    print(
        f"\nload: PostgreSQL, {logins['members']:,} members in one county"
        f" ({logins['organizations']:,} organizations, prepared in {result['prepared']:.0f} s),"
        f" gunicorn {result['workers']} workers, production settings over loopback;"
        f" locust headless: {result['users']} users (secretaries of {result['secretaries']}"
        f" branches and {result['voters']} members who vote, in turns), {result['ramp']} s"
        " ramp-up not counted,"
        f" {result['measured']:.0f} s measured; {os.cpu_count()} CPUs shared with locust"
        f" (load average {result['loadavg'][0]:.1f} before, {result['loadavg'][1]:.1f} after);"
        f" {sum(r['requests'] for r in rows) / max(result['measured'], 1):.1f} requests/s"
    )
    header = (
        "load, per page (ms)",
        "requests",
        "p50 / p95 / p99",
        "errors   p95 ÷ trivial p95   goal p95 ≤ 100 ms   alone p50",
    )
    quiet = result.get("alone", {})
    lines: list[Row] = [header]
    for row in rows:
        lines.append(
            (
                f"  {row['page']}" + (" (baseline)" if row["page"] == BASELINE else ""),
                f"{row['requests']:,}",
                f"{row['p50']:.0f} / {row['p95']:.0f} / {row['p99']:.0f}",
                f"{row['errors']:<8} {row['ratio']:<19.1f} {'met' if row['met'] else 'NOT met':<19}"
                + (f" {quiet[row['page']]:.0f}" if row["page"] in quiet else ""),
            )
        )
    lines.append(("  log-ins (not counted above): errors", "", "", str(login_errors)))
    lines.append(
        (
            f"  goal p95 ≤ {GOAL_MS:.0f} ms with 0 errors on every page",
            "",
            "",
            "met" if met else "NOT met",
        )
    )
    for name, sample in sorted(result.get("samples", {}).items()):
        print(f"  error sample, {name}: {sample}")
    return lines


def main() -> None:
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))  # clean up the servers on kill
    if len(sys.argv) > 1 and sys.argv[1] == "prepare":
        prepare(Path(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4]))
        return
    sys.path.insert(0, str(ROOT / "src"))
    sys.path.insert(0, str(ROOT / "bench"))
    from run import print_table

    if USERS:
        print_table(run())


if __name__ == "__main__":
    main()
