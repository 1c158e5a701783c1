"""Statistics writes: only the audit entry of an export (the numbers themselves are reads)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from dangjian.audit.actions import register_action
from dangjian.audit.services import record_audit
from dangjian.orgs.models import Organization
from dangjian.stats.export import query_workbook
from dangjian.stats.queries import CrossTab

EXPORT_QUERY = register_action("stats.export_query", "导出综合查询结果", tone="sensitive")


def export_query(
    *,
    actor: Any,
    org: Organization,
    on: dt.date,
    table: CrossTab,
    titles: tuple[str, str, str],
    filters: str,
) -> bytes:
    """导出综合查询结果 (.xlsx): counts only, logged like every export. `titles` are the
    sheet's title and the row and column axes' names; `filters` the query string asked."""
    record_audit(
        EXPORT_QUERY,
        actor=actor,
        target=org,
        detail={"form": "综合查询", "on": on.isoformat(), "total": table.total, "filters": filters},
    )
    return query_workbook(table, *titles)
