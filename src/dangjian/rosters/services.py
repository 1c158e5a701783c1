"""Roster import, undo and export (花名册导入、撤销导入、导出). Pages and API call these.

An import is a batch: upload → check (preview, nothing written) → confirm (all rows in one
transaction, re-checked against the registry as it is then) → optionally undo, while nothing
the batch touched has changed since. Each of these is a step of the procedure
`rosters.procedures.IMPORT`: the engine checks who may take it and from which state, records
it and derives the batch's status.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Iterator, Mapping
from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.db import transaction
from django.http import QueryDict
from django.utils import timezone

from dangjian.accounts.abilities import Ability
from dangjian.accounts.scope import scope_for
from dangjian.audit.actions import register_action
from dangjian.audit.services import record_audit
from dangjian.core.actors import actor_user
from dangjian.core.bulk import insert_rows
from dangjian.core.crypto import decrypt_bytes, encrypt_bytes
from dangjian.core.exceptions import ConcurrentEditError, DomainError
from dangjian.core.paths import any_subtree_q
from dangjian.core.procedures import take_step
from dangjian.core.replica import replica_ok
from dangjian.core.tasks import (
    background,
    clear_progress,
    read_progress,
    report_progress,
    worker_running,
)
from dangjian.members.models import Member, MemberEvent
from dangjian.members.selectors import filter_members, may_reveal_personal, roster_on
from dangjian.members.services import (
    Admission,
    bulk_register_members,
    bulk_update_members,
    record_event,
    remove_members,
    void_event,
)
from dangjian.orgs.fields import INDENT, path_label, path_names
from dangjian.orgs.models import Organization
from dangjian.rosters.export import roster_workbook
from dangjian.rosters.models import ExportJob, ImportBatch, ImportChange
from dangjian.rosters.pdf import branch_roster_pdf, member_sheet_pdf, subtree_roster_pdf
from dangjian.rosters.plan import Plan, PlannedRow, build_plan
from dangjian.rosters.procedures import IMPORT
from dangjian.rosters.reader import max_bytes, read_roster, size_limit_label

Status = ImportBatch.Status
WAITING_AFTER = dt.timedelta(minutes=2)  # busy this long with no progress: is a worker running?
FIELDS = {f.name: f for f in Member._meta.fields}

BATCH_FILE = register_action("rosters.batch_file", "下载导入原文件", tone="sensitive")
START_EXPORT = register_action("rosters.start_export", "导出花名册", tone="sensitive")
MEMBER_SHEET = register_action("rosters.member_sheet", "打印党员基本信息表", tone="sensitive")
BRANCH_ROSTER = register_action("rosters.branch_roster", "打印党员花名册", tone="sensitive")


def job_key(batch: ImportBatch) -> str:
    return f"import:{batch.pk}"


def start_import(
    *,
    actor: Any,
    org: Organization,
    file_name: str,
    data: bytes,
) -> ImportBatch:
    """上传花名册: keep the file (encrypted) and check it in the background; writes no member."""
    if not scope_for(actor).can(Ability.IMPORT_ROSTERS, org.path):  # the form's own field
        raise DomainError("所选党组织不在您的管理范围内。", field="org")
    if len(data) > max_bytes():
        raise DomainError(f"文件超过 {size_limit_label()} 的上限。", field="file")
    with transaction.atomic():
        batch = ImportBatch.objects.create(
            org=org,
            created_by=actor_user(actor),
            file_name=file_name[:200],
            file_size=len(data),
            file_sha256=hashlib.sha256(data).hexdigest(),
            file_cipher=encrypt_bytes(data),
            status=Status.CHECKING,
        )
        take_step(
            actor=actor,
            definition=IMPORT,
            record=batch,
            step="upload",
            data={"org": org.name, "file": batch.file_name},
        )
    check_batch.enqueue(batch.pk)
    return batch


def _plan(batch: ImportBatch, actor: Any, *, report: bool = True) -> Plan:
    """The batch's file checked against the registry; with `report`, the rows checked are the
    progress the page shows (the check's; the apply's re-check is silent: its progress is the
    rows written)."""
    data = decrypt_bytes(bytes(batch.file_cipher))
    table = read_roster(data, batch.file_name)
    key = job_key(batch)
    return build_plan(
        actor=actor,
        target=batch.org,
        table=table,
        progress=(lambda done, total: report_progress(key, done, total)) if report else None,
    )


def _check_interrupted(batch_id: int) -> None:
    """The check was cut off twice by a restart: say so; the file can be uploaded again."""
    batch = ImportBatch.objects.get(pk=batch_id)
    clear_progress(job_key(batch))
    if batch.status == Status.CHECKING:
        message = "校验时后台服务重启，校验已中断，请重新上传文件。"
        _step(batch, "failed", batch.created_by, message=message)


@background(retries=1, on_interrupt=_check_interrupted)  # a check writes nothing: repeat it
def check_batch(batch_id: int) -> None:
    """校验: build the preview of a batch (a background task)."""
    batch = ImportBatch.objects.select_related("org", "created_by").get(pk=batch_id)
    actor = batch.created_by
    try:
        plan = _plan(batch, actor)
    except DomainError as exc:
        _step(batch, "found_errors", actor, message=exc.message, preview={})
        return
    except Exception:
        _step(batch, "failed", actor, message="处理文件时出错，请联系系统管理员。")
        raise
    finally:
        clear_progress(job_key(batch))
    found = "found_errors" if plan.errors else "checked"
    _step(batch, found, actor, preview=plan.summary(), message="")


def _step(batch: ImportBatch, step: str, actor: Any, **fields: Any) -> None:
    """Record the outcome of background work as the procedure's step, with the batch's fields."""

    def save(locked: ImportBatch) -> None:
        for name, value in fields.items():
            setattr(locked, name, value)
        locked.save(update_fields=list(fields))

    take_step(actor=actor, definition=IMPORT, record=batch, step=step, system=True, perform=save)


def confirm_import(*, actor: Any, batch: ImportBatch, expected_version: int) -> ImportBatch:
    """确认导入: start loading a checked batch; the work itself runs as a job."""

    def mark(locked: ImportBatch) -> None:
        locked.applied_by = actor_user(actor)
        locked.save(update_fields=["applied_by"])

    take_step(
        actor=actor,
        definition=IMPORT,
        record=batch,
        step="confirm",
        expected_version=expected_version,
        perform=mark,
    )
    apply_batch.enqueue(batch.pk)
    return batch


APPLY_INTERRUPTED = (
    "导入过程中后台服务重启，本次导入已中断，未写入任何数据。请核对下面的预览后重新确认导入。"
)


def _apply_interrupted(batch_id: int) -> None:
    """The apply was cut off by a restart. It writes in one transaction, which the database
    rolled back: nothing was written, so the batch goes back to 待确认 to be confirmed again."""
    batch = ImportBatch.objects.get(pk=batch_id)
    clear_progress(job_key(batch))
    if batch.status == Status.APPLYING:
        _step(batch, "interrupted", batch.applied_by, message=APPLY_INTERRUPTED)


@background(on_interrupt=_apply_interrupted)  # never repeated unasked: the user confirms again
def apply_batch(batch_id: int) -> None:
    """导入: re-check against the registry as it is now, then write every row or none."""
    batch = ImportBatch.objects.select_related("org", "applied_by").get(pk=batch_id)
    # Said before the transaction opens: inside it, SQLite lets no other write through.
    counts = batch.preview.get("counts", {})
    report_progress(job_key(batch), 0, counts.get("add", 0) + counts.get("update", 0))
    try:
        _apply_checked(batch)
    finally:
        clear_progress(job_key(batch))


def _apply_checked(batch: ImportBatch) -> None:
    actor = batch.applied_by
    expected = batch.preview.get("digest")

    def load(locked: ImportBatch) -> dict[str, Any]:
        plan = _plan(locked, actor, report=False)
        if plan.errors or plan.digest() != expected:
            raise _Changed(plan)
        result = _apply(locked, plan, actor)
        locked.result, locked.applied_at, locked.message = result, timezone.now(), ""
        locked.save(update_fields=["result", "applied_at", "message"])
        return {"org": locked.org.name, **result}

    try:
        take_step(
            actor=actor, definition=IMPORT, record=batch, step="applied", system=True, perform=load
        )
    except _Changed as changed:
        _step(
            batch,
            "returned_invalid" if changed.plan.errors else "returned",
            actor,
            preview=changed.plan.summary(),
            message="预览之后系统中的数据或文件校验结果发生了变化，请重新核对下面的预览后再确认。",
        )
    except DomainError as exc:
        _step(batch, "returned", actor, message=exc.message)
    except Exception:
        _step(batch, "failed", actor, message="导入时出错，未写入任何数据。请联系系统管理员。")
        raise


class _Changed(Exception):
    def __init__(self, plan: Plan) -> None:
        super().__init__("plan changed")
        self.plan = plan


def _apply(batch: ImportBatch, plan: Plan, actor: Any) -> dict[str, int]:
    adds, updates = plan.of("add"), plan.of("update")
    key, total = job_key(batch), len(adds) + len(updates)

    def admissions() -> Iterator[tuple[Any, Admission]]:
        # Rows handed to the writer, which flushes every few thousand: the progress the page
        # shows while the apply writes (and what the fault test waits for before its kill).
        for done, r in enumerate(adds):
            if done % 1000 == 0:
                report_progress(key, done, total)
            yield (
                r.parsed.data,
                Admission(r.parsed.org or batch.org, r.parsed.join_date, r.parsed.full_date),
            )

    ids = bulk_register_members(
        admissions(),
        actor=actor,
        validate=False,  # validated by the plan, in this transaction
    )
    report_progress(key, len(adds), total)  # said even when the writing took under a second
    insert_rows(
        ImportChange,
        ("batch_id", "member_id", "member_name", "row", "action", "before", "version_after"),
        (
            (batch.pk, pk, r.parsed.data.name, r.row, ImportChange.Action.ADD, "{}", 1)
            for r, pk in zip(adds, ids, strict=True)
        ),
    )
    converted = _apply_updates(batch, updates, actor, done=len(adds), total=total)
    return {"added": len(ids), "updated": len(updates), "converted": converted}


def _apply_updates(
    batch: ImportBatch, rows: list[PlannedRow], actor: Any, *, done: int, total: int
) -> int:
    """Basic-data changes in bulk, then each 转正 through record_event; versions checked."""
    converted = 0
    for start in range(0, len(rows), 500):
        report_progress(job_key(batch), done + start, total)
        chunk = rows[start : start + 500]
        members = Member.objects.select_for_update().in_bulk([r.member_id for r in chunk])
        changed = []
        for row in chunk:
            member = members[row.member_id]
            if member.version != row.version:
                raise ConcurrentEditError(f"党员「{member.name}」（第 {row.row} 行）的信息")
            if row.changes:
                for name, (_, new) in row.changes.items():
                    setattr(member, name, new)
                changed.append(member)
        fields = sorted({f for r in chunk for f in r.changes})
        bulk_update_members(changed, actor=actor, fields=fields)
        records = []
        for row in chunk:
            member = members[row.member_id]
            event = _convert(member, row, actor) if row.convert_on else None
            converted += event is not None
            records.append(
                ImportChange(
                    batch=batch,
                    member=member,
                    member_name=member.name,
                    row=row.row,
                    action=ImportChange.Action.UPDATE,
                    event=event,
                    version_after=member.version,
                    before={f: _plain(old) for f, (old, _) in row.changes.items()},
                )
            )
        ImportChange.objects.bulk_create(records)
    return converted


def _convert(member: Member, row: PlannedRow, actor: Any) -> MemberEvent:
    """转正 from the roster's 转正日期, through the same service as the member page."""
    assert row.convert_on is not None
    return record_event(
        actor=actor,
        member=member,
        kind=MemberEvent.Kind.CONVERT,
        effective_date=row.convert_on,
        note="花名册导入",
    )


def _plain(value: Any) -> Any:
    return value.isoformat() if isinstance(value, dt.date) else value


def undo_import(*, actor: Any, batch: ImportBatch) -> None:
    """撤销导入: remove the members the batch added and restore what it changed — only for
    the latest batch of its organization, and only if nothing it touched has changed since."""

    def undo(locked: ImportBatch) -> dict[str, Any]:
        changes = list(locked.changes.select_related("member", "event"))
        _check_unchanged(changes)
        updates = [c for c in changes if c.action == ImportChange.Action.UPDATE]
        _undo_updates(updates, actor, locked)
        removed = remove_members(
            [c.member_id for c in changes if c.action == ImportChange.Action.ADD]
        )
        locked.undone_at = timezone.now()
        locked.save(update_fields=["undone_at"])
        return {"org": locked.org.name, "removed": removed}

    take_step(actor=actor, definition=IMPORT, record=batch, step="undo", perform=undo)


def _check_unchanged(changes: list[ImportChange]) -> None:
    conflicts = [c for c in changes if c.member is None or c.member.version != c.version_after]
    if conflicts:
        names = "、".join(f"{c.member_name}（第 {c.row} 行）" for c in conflicts[:20])
        more = f"等 {len(conflicts)} 人" if len(conflicts) > 20 else ""
        raise DomainError(
            f"导入之后，这些党员的信息又有修改，不能撤销该批次：{names}{more}。"
            "请先核对这些党员的记录。"
        )


def _undo_updates(changes: list[ImportChange], actor: Any, batch: ImportBatch) -> None:
    """Void the recorded 转正 (one by one, through the service) and restore the basic data of
    every changed member in one bulk save, as the import wrote it."""
    restored = []
    for change in changes:
        member = change.member
        assert member is not None
        if change.event is not None:
            void_event(actor=actor, event=change.event, reason=f"撤销导入批次 #{batch.pk}")
            member.refresh_from_db()
        if change.before:
            for name, value in change.before.items():
                setattr(member, name, FIELDS[name].to_python(value))
            restored.append(member)
    fields = sorted({f for c in changes for f in c.before})
    bulk_update_members(restored, actor=actor, fields=fields)


def batch_file(*, actor: Any, batch: ImportBatch) -> bytes:
    """下载导入原文件: it holds full ID numbers, so it needs the unmask permission and is logged."""
    if not scope_for(actor).can(Ability.REVEAL_PERSONAL, batch.org.path):
        raise DomainError("原文件含完整身份证号，下载需要查看完整信息的权限。")
    record_audit(
        BATCH_FILE,
        actor=actor,
        target=batch,
        detail={"file": batch.file_name, "full": True},
    )
    return decrypt_bytes(bytes(batch.file_cipher))


def batch_progress(batch: ImportBatch) -> tuple[int, int] | None:
    """(rows done, rows) of the batch's running check or import, from any process."""
    return read_progress(job_key(batch)) if batch.busy else None


def batch_waiting(batch: ImportBatch, progress: tuple[int, int] | None) -> str:
    """Why a busy batch may not be moving, for its page: no worker is running (one killed
    mid-run leaves its last progress behind, which would otherwise look like work going on),
    or nothing reported for a while. Empty when there is nothing to say."""
    if not batch.busy:
        return ""
    if not worker_running():
        return (
            "后台服务目前没有运行。后台服务启动后，本批次会继续处理，"
            "或标记为中断（未写入任何数据）后由您重新操作。请联系系统管理员启动后台服务。"
        )
    if progress is None and timezone.now() - batch.status_at > WAITING_AFTER:
        return "后台服务尚未处理本批次。如长时间没有变化，请联系系统管理员确认后台服务正在运行。"
    return ""


# --- export (花名册导出) and printed forms ---------------------------------------------------


def export_key(job: ExportJob) -> str:
    return f"export:{job.pk}"


def start_export(*, actor: Any, params: Mapping[str, Any], full: bool) -> ExportJob:
    """导出花名册 for the list's filters: masked unless `full`, which needs the permission for
    every member in the list. Small exports are built at once, large ones in the background."""
    _, members = filter_members(actor, params)
    if full:
        sensitive = any_subtree_q("org_path", scope_for(actor).paths(Ability.REVEAL_PERSONAL))
        if members.exclude(sensitive).exists():
            raise DomainError("导出完整身份证号和电话需要相应权限，且名单须全部在该权限范围内。")
    # status stays even when empty: blank means 全部, while a missing one means 正常 only.
    query = urlencode(
        {k: v for k, v in params.items() if k in EXPORT_FILTERS and (v or k == "status")}
    )
    job = ExportJob.objects.create(
        created_by=actor_user(actor),
        query=query,
        full=full,
        total=members.count(),
        file_name=f"党员花名册-{timezone.localdate():%Y%m%d}{'-完整' if full else ''}.xlsx",
    )
    record_audit(
        START_EXPORT,
        actor=actor,
        target=job,
        detail={"rows": job.total, "full": full, "filters": query},
    )
    ExportJob.objects.filter(
        created_by=actor_user(actor), created_at__lt=timezone.now() - EXPORT_KEPT
    ).delete()
    if job.total <= settings.DANGJIAN_EXPORT_INLINE_ROWS:
        build_export.call(job.pk)
        job.refresh_from_db()
    else:
        build_export.enqueue(job.pk)
    return job


EXPORT_FILTERS = ("q", "org", "category", "gender", "education", "status", "on")
EXPORT_KEPT = dt.timedelta(days=1)


def _export_interrupted(job_id: int) -> None:
    clear_progress(f"export:{job_id}")
    ExportJob.objects.filter(pk=job_id, status=ExportJob.Status.RUNNING).update(
        status=ExportJob.Status.FAILED, message="导出时后台服务重启，导出已中断，请重新导出。"
    )


@background(retries=1, on_interrupt=_export_interrupted)  # writing a file twice is harmless
def build_export(job_id: int) -> None:
    """Write the workbook (a background task); progress is reported every thousand rows.

    The job is read from the primary (this task's own fresh write); the members from the read
    replica once it has replayed the job's commit, and so every write its user made before
    asking (core.replica), else from the primary."""
    job = ExportJob.objects.select_related("created_by").get(pk=job_id)
    key = export_key(job)
    try:
        with replica_ok(seen=job):
            _, members = filter_members(job.created_by, QueryDict(job.query))
            body = roster_workbook(
                members.iterator(chunk_size=2000),
                full=job.full,
                progress=lambda done: report_progress(key, done, job.total),
            )
    except Exception:
        ExportJob.objects.filter(pk=job.pk).update(
            status=ExportJob.Status.FAILED, message="导出时出错，请重试或联系系统管理员。"
        )
        raise
    finally:
        clear_progress(key)
    job.file_cipher, job.status = encrypt_bytes(body), ExportJob.Status.DONE
    job.save(update_fields=["file_cipher", "status"])


def export_progress(job: ExportJob) -> tuple[int, int] | None:
    return read_progress(export_key(job)) if job.status == ExportJob.Status.RUNNING else None


def export_file(job: ExportJob) -> bytes:
    return decrypt_bytes(bytes(job.file_cipher))


def member_sheet(*, actor: Any, member: Member, full: bool) -> bytes:
    """打印党员基本信息表; full values need the permission, and every print is logged."""
    if full and not may_reveal_personal(actor, member):
        raise DomainError("您没有打印完整身份证号和电话的权限。")
    record_audit(
        MEMBER_SHEET,
        actor=actor,
        target=member,
        detail={"form": "党员基本信息表", "full": full},
    )
    return member_sheet_pdf(member, full=full, printed_by=_printer(actor))


def branch_roster(
    *,
    actor: Any,
    org: Organization,
    on: dt.date,
    full: bool,
    subtree: bool = False,
) -> bytes:
    """打印党支部党员花名册 as of `on` (members with their 党员类别 on that date); with
    `subtree` (含下级组织, for a 党委) the members of every organization under `org`, grouped
    by the organization they were in that day."""
    if full and not scope_for(actor).can(Ability.REVEAL_PERSONAL, org.path):
        raise DomainError("您没有打印完整身份证号和电话的权限。")
    spells = roster_on(org, on, subtree=subtree).select_related("member__org")
    groups: dict[Organization, list[Member]] = {}
    for spell in spells.order_by("org__path", "member__name_pinyin", "member_id"):
        spell.member.category = spell.category
        groups.setdefault(spell.org, []).append(spell.member)
    rows = sum(len(m) for m in groups.values())
    record_audit(
        BRANCH_ROSTER,
        actor=actor,
        target=org,
        detail={
            "form": "党员花名册",
            "on": on.isoformat(),
            "rows": rows,
            "full": full,
            "subtree": subtree,
        },
    )
    printed_by = _printer(actor)
    if subtree:
        return subtree_roster_pdf(
            org, _labelled(org, groups), on=on, full=full, printed_by=printed_by
        )
    members = next(iter(groups.values()), [])
    return branch_roster_pdf(org, members, on=on, full=full, printed_by=printed_by)


def _labelled(
    top: Organization, groups: dict[Organization, list[Member]]
) -> list[tuple[str, list[Member]]]:
    """Each group headed by its organization's path below `top` (本级 is `top` itself)."""
    names = path_names([o.path for o in groups], [top.path])
    return [(path_label(o, names, [top.path]).lstrip(INDENT), m) for o, m in groups.items()]


def _printer(actor: Any) -> str:
    user = actor_user(actor)
    return str(user.first_name or user.username)
