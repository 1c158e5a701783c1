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
    return get_for(user, Ability.IMPORT_ROSTERS, batches_visible_to(user), pk, path_of="org__path")


def get_export_for_user(user: Any, pk: Any) -> ExportJob:
    """An export belongs to whoever asked for it: nobody else downloads it."""
    return get_for(user, None, ExportJob.objects.filter(created_by=user), pk)
