"""`{% document_section record %}`: the 档案材料 card of any registered record's page."""

from __future__ import annotations

from typing import Any

from django import template

from dangjian.documents.forms import UploadForm
from dangjian.documents.registry import terms_for
from dangjian.documents.selectors import documents_of
from dangjian.documents.services import may_upload_documents, may_view_documents

register = template.Library()


@register.inclusion_tag("documents/partials/section.html", takes_context=True)
def document_section(context: Any, target: Any) -> dict[str, Any]:
    request = context["request"]
    terms = terms_for(target)
    visible = may_view_documents(request.user, target)
    can_upload = may_upload_documents(request.user, target)
    return {
        "visible": visible or can_upload,
        "title": terms.section_title,
        "documents": list(documents_of(request.user, target)) if visible else [],
        "can_upload": can_upload,
        "form": UploadForm(kinds=terms.kinds, auto_id="doc_%s") if can_upload else None,
        "label": target._meta.label_lower,
        "target": target,
        "next": request.get_full_path(),
        "csrf_token": context.get("csrf_token"),
    }
