"""Reads of 档案材料, through the record's scope."""

from __future__ import annotations

from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.http import Http404

from dangjian.accounts.abilities import Ability
from dangjian.accounts.scope import scope_for
from dangjian.core.models import Document
from dangjian.documents.services import may_view_documents, target_path


def documents_of(user: Any, target: models.Model) -> models.QuerySet[Document]:
    """The documents attached to `target`, if the user may see them (else none)."""
    if not may_view_documents(user, target):
        return Document.objects.none()
    return Document.objects.filter(
        target_type=ContentType.objects.get_for_model(target), target_id=target.pk
    ).select_related("uploaded_by", "uploaded_by__member")


def get_document_for_user(user: Any, pk: Any) -> Document:
    """The document if the user may see its record (404 otherwise: existence is not told)."""
    try:
        document = Document.objects.select_related("target_type").get(pk=int(pk))
    except (Document.DoesNotExist, TypeError, ValueError) as exc:
        raise Http404("档案材料不存在或不在您的管理范围内") from exc
    target = document.target
    path = target_path(target) if target is not None else document.org_path
    if not scope_for(user).can(Ability.VIEW_MEMBERS, path):
        raise Http404("档案材料不存在或不在您的管理范围内")
    return document
