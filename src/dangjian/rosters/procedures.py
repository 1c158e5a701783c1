"""花名册导入的程序: the steps of an import batch, who takes them and what they check.

upload → checking → (checked) ready / (found_errors) invalid / (failed) failed;
ready → (confirm) applying → (applied) applied / (returned, interrupted) ready /
(returned_invalid) invalid / (failed) failed; applied → (undo) undone. The steps without `who`
are the outcome of the background check and import, recorded for the person who started them.
"""

from __future__ import annotations

from typing import Any

from dangjian.accounts.abilities import Ability
from dangjian.audit.actions import register_action
from dangjian.core.procedures import (
    START,
    Check,
    Procedure,
    Rule,
    Step,
    Who,
    register,
    steps_available,
)
from dangjian.rosters.models import ImportBatch

Status = ImportBatch.Status
START_IMPORT = register_action("rosters.start_import", "上传花名册")
CONFIRM_IMPORT = register_action("rosters.confirm_import", "确认导入花名册")
UNDO_IMPORT = register_action("rosters.undo_import", "撤销导入")
# the background check and import: logged under the step that started them
IMPORTER = Who(Ability.IMPORT_ROSTERS, node=lambda batch: batch.org)


def is_latest_applied(batch: ImportBatch) -> bool:
    """Only the latest applied batch of an organization may be undone."""
    later = ImportBatch.objects.filter(org=batch.org, status=Status.APPLIED, pk__gt=batch.pk)
    return batch.status == Status.APPLIED and not later.exists()


def _latest_applied(check: Check) -> str | None:
    if is_latest_applied(check.record):
        return None
    return "只能撤销该党组织最近一次导入的批次；请先撤销之后的导入"


def _system(
    name: str, label: str, sources: tuple[str, ...], target: str, audit_action: str = ""
) -> Step:
    return Step(name, label, sources, target, who=None, audit_action=audit_action)


IMPORT: Procedure = register(
    Procedure(
        name="roster_import",
        label="花名册导入",
        model=ImportBatch,
        states=Status,
        audit_action=START_IMPORT.name,
        state_field="status",
        state_at_field="status_at",
        version_field="version",
        steps=(
            Step("upload", "上传花名册", (START,), Status.CHECKING, who=IMPORTER),
            _system("checked", "校验通过", (Status.CHECKING,), Status.READY),
            _system("found_errors", "校验发现错误", (Status.CHECKING,), Status.INVALID),
            Step(
                "confirm",
                "确认导入",
                (Status.READY,),
                Status.APPLYING,
                who=IMPORTER,
                audit_action=CONFIRM_IMPORT.name,
            ),
            _system("applied", "导入完成", (Status.APPLYING,), Status.APPLIED, CONFIRM_IMPORT.name),
            _system("returned", "数据有变化，退回待确认", (Status.APPLYING,), Status.READY),
            _system("returned_invalid", "数据有变化，发现错误", (Status.APPLYING,), Status.INVALID),
            _system("interrupted", "导入中断，退回待确认", (Status.APPLYING,), Status.READY),
            _system("failed", "处理失败", (Status.CHECKING, Status.APPLYING), Status.FAILED),
            Step(
                "undo",
                "撤销导入",
                (Status.APPLIED,),
                Status.UNDONE,
                who=IMPORTER,
                rules=(Rule("只能撤销最近一次导入", _latest_applied),),
                audit_action=UNDO_IMPORT.name,
            ),
            # Batches from before the engine carry their status over in one step (migration
            # rosters 0003); it leaves no state, so nobody can take it.
            _system("carried_over", "启用办理记录前的状态", (), Status.CHECKING),
        ),
    )
)


def batch_actions(user: Any, batch: ImportBatch) -> list[dict[str, Any]]:
    """The steps this user may take on the batch now, for the API (and why not)."""
    return [
        {"step": o.name, "title": o.label, "allowed": o.allowed, "reason": o.reason}
        for o in steps_available(user, batch, IMPORT)
    ]
