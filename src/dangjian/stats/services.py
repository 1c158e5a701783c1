"""Statistics writes: only the audit entry of an export (the numbers themselves are reads)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import HttpRequest

from dangjian.audit.models import AuditEvent
from dangjian.audit.services import record_audit
from dangjian.orgs.models import Organization
from dangjian.stats.export import query_workbook
from dangjian.stats.queries import CrossTab


def export_query(
    *,
    actor: Any,
    org: Organization,
    on: dt.date,
    table: CrossTab,
    titles: tuple[str, str, str],
    filters: str,
    request: HttpRequest | None = None,
) -> bytes:
    """导出综合查询结果 (.xlsx): counts only, logged like every export. `titles` are the
    sheet's title and the row and column axes' names; `filters` the query string asked."""
    record_audit(
        AuditEvent.Action.EXPORT,
        actor=actor,
        target=org,
        request=request,
        detail={"form": "综合查询", "on": on.isoformat(), "total": table.total, "filters": filters},
    )
    return query_workbook(table, *titles)
