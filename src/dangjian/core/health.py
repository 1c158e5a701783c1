"""健康检查: liveness (the process answers) and readiness (the database answers, every migration
is applied, the task worker's heartbeat is fresh, the documents' disk has room), for a load
balancer, systemd or a monitoring probe (issue 16). The read replica, when there is one, is
reported without failing readiness: behind or down, reports read the primary ("degraded").

The answers name each check and whether it passed, never a path, a version or a count: the
probe is public (probes carry no login), so it says no more than "ready" or "not ready, because".
"""

from __future__ import annotations

import datetime as dt
import shutil
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.migrations.executor import MigrationExecutor
from django.db.models import Max
from django.utils import timezone

from dangjian.core import replica
from dangjian.core.models import PeriodicRun


@dataclass(frozen=True)
class Result:
    name: str
    label: str
    ok: bool
    detail: str = ""  # Chinese, for the operator; no paths or figures from the data
    critical: bool = True  # a failing check that is not critical leaves the site ready (degraded)


def _database() -> Result:
    with connections[DEFAULT_DB_ALIAS].cursor() as cursor:
        cursor.execute("SELECT 1")
    return Result("database", "数据库", True)


def _migrations() -> Result:
    executor = MigrationExecutor(connections[DEFAULT_DB_ALIAS])
    pending = executor.migration_plan(executor.loader.graph.leaf_nodes())
    if pending:
        return Result("migrations", "数据库结构", False, "有尚未执行的数据库迁移，请运行 migrate")
    return Result("migrations", "数据库结构", True)


def _worker() -> Result:
    """The worker moves a periodic job's `last_at` every time it enqueues one (the shortest runs
    every 30 seconds), so the newest `last_at` is its heartbeat."""
    beat = PeriodicRun.objects.aggregate(last=Max("last_at"))["last"]
    stale = dt.timedelta(seconds=settings.DANGJIAN_WORKER_STALE_SECONDS)
    if beat is None or timezone.now() - beat > stale:
        return Result("worker", "后台任务进程", False, "后台任务进程未运行或已停止响应")
    return Result("worker", "后台任务进程", True)


def _disk() -> Result:
    """The disk the documents are (or will be: the folder is made at the first upload) kept on."""
    where = Path(settings.DANGJIAN_DOCUMENT_DIR)
    while not where.exists() and where != where.parent:
        where = where.parent
    free = shutil.disk_usage(where).free
    if free < settings.DANGJIAN_MIN_FREE_DISK_MB * 1024 * 1024:
        return Result("disk", "材料存储空间", False, "材料存储所在磁盘剩余空间不足")
    return Result("disk", "材料存储空间", True)


def _replica() -> Result:
    """The read replica (only when one is configured): behind or down, reports read the
    primary, so the site stays ready and the probe says "degraded". No lag figure."""
    state = replica.reading(fresh=True).state
    if state == "lagging":
        return Result("replica", "只读副本", False, "只读副本同步滞后，报表暂从主库读取", False)
    if state == "down":
        return Result("replica", "只读副本", False, "只读副本无法连接，报表暂从主库读取", False)
    return Result("replica", "只读副本", True, critical=False)


CHECKS: tuple[Callable[[], Result], ...] = (_database, _migrations, _worker, _disk, _replica)


def readiness() -> list[Result]:
    """Every check, each caught on its own: one failing check never hides the others."""
    results = []
    for check in CHECKS:
        if check is _replica and not replica.configured():
            continue
        try:
            results.append(check())
        except Exception:  # a probe reports, it never raises
            name = check.__name__.lstrip("_")
            results.append(Result(name, name, False, "检查时出错", check is not _replica))
            if name == "database":  # nothing else can be judged without it
                break
    return results
