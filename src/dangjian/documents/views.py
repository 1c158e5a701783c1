"""档案材料 pages: the upload (POST from the section on a record's page) and the download.

Both are reusable by any app: the section is `{% document_section record %}` (templatetags),
the upload posts to `documents:upload` with the record's model label and id, the download is
`documents:document-download` with the document's id.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_POST, require_safe

from dangjian.core.actors import Actor
from dangjian.core.documents import max_bytes, size_label
from dangjian.core.exceptions import DomainError
from dangjian.core.http import attachment
from dangjian.core.uploads import SizeLimitHandler
from dangjian.documents import services
from dangjian.documents.forms import UploadForm
from dangjian.documents.registry import terms_by_label
from dangjian.documents.selectors import get_document_for_user


def _back(request: HttpRequest, fallback: str) -> HttpResponse:
    target = request.POST.get("next", "")
    safe = url_has_allowed_host_and_scheme(target, {request.get_host()}, request.is_secure())
    return redirect(target if safe and target else fallback)


@csrf_exempt  # CSRF is checked in _upload, after the size limit is in place
def upload(request: HttpRequest, label: str, pk: int) -> HttpResponse:
    """上传档案材料 to the record `label` (app_label.model) `pk`."""
    request.upload_handlers.insert(0, SizeLimitHandler(request, limit=max_bytes()))
    return _upload(request, label, pk)


@csrf_protect
@login_required
@require_POST
def _upload(request: HttpRequest, label: str, pk: int) -> HttpResponse:
    terms = terms_by_label(label)
    # Only registered models are reachable; a record outside the user's scope is a 404 (its
    # existence is not told), one seen without the upload ability a 403, like every getter.
    target = terms.model._default_manager.filter(pk=pk).first()
    if target is None or not services.may_view_documents(request.user, target):
        raise Http404("记录不存在或不在您的管理范围内")
    if not services.may_upload_documents(request.user, target):
        raise PermissionDenied("您没有为该记录上传档案材料的权限")
    fallback = target.get_absolute_url() if hasattr(target, "get_absolute_url") else "/"
    files = request.FILES  # reads the body now, through the size limit
    if getattr(request, "upload_too_large", False):
        name = getattr(request, "upload_too_large_name", "") or "所选文件"
        messages.error(request, f"文件「{name}」超过了 {size_label(max_bytes())} 的上限，未上传。")
        return _back(request, fallback)
    form = UploadForm(request.POST, files, kinds=terms.kinds)
    if not form.is_valid():
        for error in (e for errors in form.errors.values() for e in errors):
            messages.error(request, str(error))
        return _back(request, fallback)
    upload = form.cleaned_data["file"]
    try:
        document = services.upload_document(
            actor=Actor.from_request(request),
            target=target,
            kind=form.cleaned_data["kind"],
            name=upload.name,
            data=upload.read(),
        )
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, f"已上传{document.kind}「{document.original_name}」。")
    return _back(request, fallback)


@require_safe
@login_required
def download(request: HttpRequest, pk: int) -> HttpResponse:
    """下载档案材料 (audited)."""
    document = get_document_for_user(request.user, pk)
    try:
        found = services.download_document(actor=Actor.from_request(request), document=document)
    except DomainError as exc:
        raise Http404(exc.message) from exc
    response = attachment(found.data, found.name, found.mime_type)
    response["Cache-Control"] = "private, no-store"
    return response
