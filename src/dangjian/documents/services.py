"""档案材料: upload, download and the retention purge. Page, API and worker call these.

Access follows the record's organization *now* (the registry's `path`), not where it was at
upload: a member transferred out takes his file with him. Seeing and downloading needs
VIEW_MEMBERS there, uploading the ability the record's app registered (EDIT_MEMBERS for a
member). Every download is audited; the purge leaves one audit entry per file removed.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ImproperlyConfigured
from django.db import models, transaction
from django.utils import timezone

from dangjian.accounts.abilities import Ability
from dangjian.accounts.scope import scope_for
from dangjian.audit.actions import register_action
from dangjian.audit.services import record_audit
from dangjian.core.actors import Actor, actor_user
from dangjian.core.documents import (
    check_file,
    expiry_date,
    read_file,
    remove_file,
    store_file,
)
from dangjian.core.exceptions import DomainError
from dangjian.core.models import Document
from dangjian.documents.registry import terms_for
from dangjian.orgs.models import Organization

UPLOAD_ACTION = register_action("documents.upload_document", "上传档案材料")
DOWNLOAD_ACTION = register_action("documents.download_document", "下载档案材料", tone="sensitive")
PURGE_ACTION = register_action("documents.purge_expired_documents", "删除保存期满的档案材料")


@dataclass(frozen=True)
class DownloadedFile:
    name: str
    mime_type: str
    data: bytes


def target_path(target: models.Model) -> str:
    """The organization path whose scope decides access to `target`'s documents."""
    return terms_for(target).path(target)


def may_view_documents(actor: Any, target: models.Model) -> bool:
    return scope_for(actor).can(Ability.VIEW_MEMBERS, target_path(target))


def may_upload_documents(actor: Any, target: models.Model) -> bool:
    terms = terms_for(target)
    return scope_for(actor).can(terms.upload_ability, terms.path(target))


def _detail(document: Document) -> dict[str, Any]:
    return {"material": document.kind, "file": document.original_name, "size": document.size}


def upload_document(
    *, actor: Any, target: models.Model, kind: str, name: str, data: bytes
) -> Document:
    """上传档案材料: check the file (type by content, extension, size), store it encrypted and
    record it against `target`. Refused unless the actor may upload on the record's organization.
    """
    terms = terms_for(target)
    path = terms.path(target)
    if not scope_for(actor).can(terms.upload_ability, path):
        raise DomainError("您没有为该记录上传档案材料的权限。")
    if kind not in terms.kinds:
        raise DomainError(f"材料名称须为：{'、'.join(terms.kinds)}。", field="kind")
    checked = check_file(name, data)
    storage_name = store_file(checked.data)
    try:
        with transaction.atomic():
            document = Document.objects.create(
                target_type=ContentType.objects.get_for_model(target),
                target_id=target.pk,
                org_path=path,
                kind=kind,
                original_name=checked.name[:255],
                mime_type=checked.mime_type,
                size=checked.size,
                sha256=checked.sha256,
                storage_name=storage_name,
                uploaded_by=actor_user(actor),
                expires_on=expiry_date(timezone.localdate(), terms.retention_years(kind)),
            )
            record_audit(
                UPLOAD_ACTION,
                actor=actor,
                target=target,
                detail=_detail(document),
            )
    except BaseException:
        remove_file(storage_name)  # no row, no file
        raise
    return document


def download_document(*, actor: Any, document: Document) -> DownloadedFile:
    """下载档案材料: the plain file, for a user with VIEW_MEMBERS on the record's organization;
    audited. The content is checked against the SHA-256 recorded at upload."""
    target = document.target
    path = target_path(target) if target is not None else document.org_path
    if not scope_for(actor).can(Ability.VIEW_MEMBERS, path):
        raise DomainError("您没有查看该档案材料的权限。")
    data = read_file(document.storage_name)
    if hashlib.sha256(data).hexdigest() != document.sha256:
        raise ImproperlyConfigured(f"stored document {document.pk} does not match its SHA-256")
    record_audit(
        DOWNLOAD_ACTION,
        actor=actor,
        target=target or document,
        detail=_detail(document),
    )
    return DownloadedFile(document.original_name, document.mime_type, data)


def _org_name(path: str) -> str:
    return Organization.objects.filter(path=path).values_list("name", flat=True).first() or ""


def purge_expired_documents(today: dt.date, *, actor: Any = None) -> int:
    """删除保存期满的档案材料: rows whose 保存期满日期 is `today` or earlier, and their files.
    One audit entry per document (by the system unless an actor is given). Returns how many.

    Run daily by the background worker; safe to run again (what is gone is not found twice).
    """
    actor = actor if actor is not None else Actor.system()
    expired = list(Document.objects.filter(expires_on__lte=today).order_by("pk"))
    for document in expired:
        with transaction.atomic():
            record_audit(
                PURGE_ACTION,
                actor=actor,
                target=document,
                actor_name="" if actor_user(actor) else "系统",
                detail={
                    **_detail(document),
                    "org": _org_name(document.org_path),
                    "expires_on": document.expires_on.isoformat() if document.expires_on else "",
                },
            )
            storage_name = document.storage_name
            document.delete()
            transaction.on_commit(lambda name=storage_name: remove_file(name))  # type: ignore[misc]
    return len(expired)
