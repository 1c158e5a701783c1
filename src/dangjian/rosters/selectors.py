"""Which import batches and export jobs a user may see."""

from __future__ import annotations

from typing import Any

from django.http import Http404

from dangjian.accounts.scope import scope_for
from dangjian.core.paths import any_subtree_q
from dangjian.rosters.models import ExportJob, ImportBatch


def batches_visible_to(user: Any) -> Any:
    """Batches of organizations the user may write to (an import is a write)."""
    paths = scope_for(user).write_paths
    return ImportBatch.objects.filter(any_subtree_q("org__path", paths)).select_related(
        "org", "created_by", "created_by__member"
    )


def get_batch_for_user(user: Any, pk: Any) -> ImportBatch:
    try:
        return batches_visible_to(user).get(pk=int(pk))
    except (ImportBatch.DoesNotExist, TypeError, ValueError):
        raise Http404("没有找到该导入批次") from None


def get_export_for_user(user: Any, pk: Any) -> ExportJob:
    """An export belongs to whoever asked for it: nobody else downloads it."""
    try:
        return ExportJob.objects.get(pk=int(pk), created_by=user)
    except (ExportJob.DoesNotExist, TypeError, ValueError):
        raise Http404("没有找到该导出文件") from None
