"""Which import batches and export jobs a user may see."""

from __future__ import annotations

from typing import Any

from dangjian.accounts.abilities import Ability
from dangjian.accounts.scope import get_for, scope_for
from dangjian.core.paths import any_subtree_q
from dangjian.rosters.models import ExportJob, ImportBatch


def batches_visible_to(user: Any) -> Any:
    """Batches of organizations where the user imports rosters."""
    paths = scope_for(user).paths(Ability.IMPORT_ROSTERS)
    return ImportBatch.objects.filter(any_subtree_q("org__path", paths)).select_related(
        "org", "created_by", "created_by__member"
    )


def get_batch_for_user(user: Any, pk: Any) -> ImportBatch:
    visible = batches_visible_to(user)
    return get_for(user, Ability.IMPORT_ROSTERS, visible, pk, path_of="org__path",
                   missing="没有找到该导入批次")  # fmt: skip


def get_export_for_user(user: Any, pk: Any) -> ExportJob:
    """An export belongs to whoever asked for it: nobody else downloads it."""
    mine = ExportJob.objects.filter(created_by=user)
    return get_for(user, None, mine, pk, missing="没有找到该导出文件")
