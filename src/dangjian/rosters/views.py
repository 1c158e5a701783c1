"""Roster pages: upload and preview an import, confirm or undo it, export, print the forms."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_date
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_POST, require_safe

from dangjian.accounts.abilities import Ability
from dangjian.accounts.scope import get_org_for_user, scope_for
from dangjian.core.actors import Actor
from dangjian.core.exceptions import DomainError
from dangjian.core.forms import submit
from dangjian.core.http import XLSX, attachment
from dangjian.core.procedures import steps_available, steps_of
from dangjian.core.views import confirm_page, confirmed
from dangjian.members.selectors import get_member_for_user
from dangjian.rosters import services
from dangjian.rosters.forms import ConfirmForm, UploadForm
from dangjian.rosters.models import ExportJob
from dangjian.rosters.pdf import PdfFontMissing
from dangjian.rosters.procedures import IMPORT
from dangjian.rosters.reader import size_limit_label
from dangjian.rosters.selectors import batches_visible_to, get_batch_for_user, get_export_for_user
from dangjian.rosters.template import template_workbook
from dangjian.rosters.uploads import SizeLimitHandler


def _require_writer(request: HttpRequest) -> None:
    if not scope_for(request.user).can_anywhere(Ability.IMPORT_ROSTERS):
        raise PermissionDenied("您没有导入花名册的权限。")


def _home(request: HttpRequest, form: UploadForm, status: int = 200) -> HttpResponse:
    context = {
        "form": form,
        "batches": batches_visible_to(request.user)[:20],
        "max_size": size_limit_label(),
    }
    return render(request, "rosters/home.html", context, status=status)


@require_safe
@login_required
def home(request: HttpRequest) -> HttpResponse:
    """花名册导入: upload form and the recent batches."""
    _require_writer(request)
    return _home(request, UploadForm(user=request.user))


@csrf_exempt  # CSRF is checked in _upload, after the size limit is in place
def upload(request: HttpRequest) -> HttpResponse:
    request.upload_handlers.insert(0, SizeLimitHandler(request))
    return _upload(request)


@csrf_protect
@login_required
@require_POST
def _upload(request: HttpRequest) -> HttpResponse:
    _require_writer(request)
    form = UploadForm(request.POST, request.FILES, user=request.user)
    if getattr(request, "upload_too_large", False):
        form.is_valid()
        form.add_error("file", f"文件超过 {size_limit_label()} 的上限，未上传。")
        return _home(request, form, status=400)
    batch = submit(
        request,
        form,
        lambda d: services.start_import(
            actor=Actor.from_request(request),
            org=d["org"],
            file_name=d["file"].name,
            data=d["file"].read(),
        ),
    )
    if batch is None:
        return _home(request, form, status=400)
    return redirect("rosters:batch", pk=batch.pk)


@require_safe
@login_required
def template_download(request: HttpRequest) -> HttpResponse:
    """下载导入模板 (no personal data in it)."""
    _require_writer(request)
    return attachment(template_workbook(), "党员花名册导入模板.xlsx", XLSX)


@require_safe
@login_required
def batch_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """导入预览 / 结果; while the batch is being worked on, htmx polls the status part."""
    batch = get_batch_for_user(request.user, pk)
    progress = services.batch_progress(batch)
    context = {
        "batch": batch,
        "progress": progress,
        "waiting": services.batch_waiting(batch, progress),
        "can_download": scope_for(request.user).can(Ability.REVEAL_PERSONAL, batch.org.path),
        "options": {o.name: o for o in steps_available(request.user, batch, IMPORT)},
        "history": [
            (s, IMPORT.step_label(s.step), IMPORT.by_person(s.step))
            for s in steps_of(IMPORT, batch)
        ],
    }
    if request.headers.get("HX-Request"):
        return render(request, "rosters/partials/batch_body.html", context)
    return render(request, "rosters/batch.html", context)


@require_safe
@login_required
def batch_file(request: HttpRequest, pk: int) -> HttpResponse:
    """The batch's original file, as uploaded."""
    batch = get_batch_for_user(request.user, pk)
    try:
        body = services.batch_file(actor=Actor.from_request(request), batch=batch)
    except DomainError as exc:
        raise PermissionDenied(exc.message) from exc
    return attachment(body, batch.file_name, "application/octet-stream")


@login_required
@require_POST
def batch_confirm(request: HttpRequest, pk: int) -> HttpResponse:
    """确认导入."""
    batch = get_batch_for_user(request.user, pk)
    form = ConfirmForm(request.POST)
    try:
        if not form.is_valid():
            raise DomainError("请求不完整，请刷新页面后重试。")
        services.confirm_import(
            actor=Actor.from_request(request),
            batch=batch,
            expected_version=form.cleaned_data["version"],
        )
    except DomainError as exc:
        messages.error(request, exc.message)
    return redirect("rosters:batch", pk=batch.pk)


@login_required
@require_POST
def batch_undo(request: HttpRequest, pk: int) -> HttpResponse:
    """撤销导入: deletes the members the batch added, so it is confirmed first."""
    batch = get_batch_for_user(request.user, pk)
    if not confirmed(request):
        here = reverse("rosters:batch", args=[batch.pk])
        return confirm_page(
            request,
            title="撤销本次导入",
            lines=[
                f"撤销导入批次 #{batch.pk}（{batch.file_name}）后，本批次新增的党员将被删除，"
                "被修改的信息将恢复为导入前的内容。",
                "撤销不能再恢复；如需这些党员，须重新导入。",
            ],
            action=reverse("rosters:batch-undo", args=[batch.pk]),
            confirm_label="确定撤销",
            cancel_url=here,
        )
    try:
        services.undo_import(actor=Actor.from_request(request), batch=batch)
        messages.success(request, "已撤销该批次：新增的党员已删除，修改过的信息已恢复。")
    except DomainError as exc:
        messages.error(request, exc.message)
    return redirect("rosters:batch", pk=batch.pk)


@login_required
@require_POST
def export_start(request: HttpRequest) -> HttpResponse:
    """导出花名册 with the member list's filters (they come in the query string). A full export
    (unmasked ID numbers and phones) is confirmed first: once downloaded it cannot be recalled."""
    full = request.POST.get("full") == "1"
    if full and not confirmed(request):
        query = request.GET.urlencode()
        return confirm_page(
            request,
            title="导出完整身份证号和电话",
            lines=[
                "将导出的花名册含完整的公民身份号码和联系电话，属于党员个人敏感信息。",
                "文件下载后无法收回，请妥善保管、用后删除；本次导出将记入审计日志。",
            ],
            action=f"{reverse('rosters:export')}?{query}",
            confirm_label="确认导出",
            cancel_url=f"{reverse('members:list')}?{query}",
            fields={"full": "1"},
        )
    try:
        job = services.start_export(
            actor=Actor.from_request(request),
            params=request.GET.dict(),
            full=full,
        )
    except DomainError as exc:
        messages.error(request, exc.message)
        return redirect(f"{reverse('members:list')}?{request.GET.urlencode()}")
    if job.status == ExportJob.Status.DONE:
        return redirect("rosters:export-download", pk=job.pk)
    return redirect("rosters:export-job", pk=job.pk)


@require_safe
@login_required
def export_job(request: HttpRequest, pk: int) -> HttpResponse:
    """A large export being built: progress, then the download."""
    job = get_export_for_user(request.user, pk)
    context = {"job": job, "progress": services.export_progress(job)}
    if request.headers.get("HX-Request"):
        response = render(request, "rosters/partials/export_status.html", context)
        if job.status == ExportJob.Status.DONE:
            response["HX-Redirect"] = reverse("rosters:export-download", args=[job.pk])
        return response
    return render(request, "rosters/export_job.html", context)


@require_safe
@login_required
def export_download(request: HttpRequest, pk: int) -> HttpResponse:
    job = get_export_for_user(request.user, pk)
    if job.status != ExportJob.Status.DONE:
        return redirect("rosters:export-job", pk=job.pk)
    return attachment(services.export_file(job), job.file_name, XLSX)


def _pdf(request: HttpRequest, build: object, name: str) -> HttpResponse:
    try:
        body = build()  # type: ignore[operator]
    except PdfFontMissing as exc:
        return render(request, "rosters/pdf_error.html", {"message": exc.message}, status=503)
    except DomainError as exc:
        raise PermissionDenied(exc.message) from exc
    return attachment(body, name, "application/pdf", inline=True)


@require_safe
@login_required
def member_sheet(request: HttpRequest, pk: int) -> HttpResponse:
    """打印党员基本信息表 (PDF)."""
    member = get_member_for_user(request.user, pk)
    full = request.GET.get("full") == "1"
    return _pdf(
        request,
        lambda: services.member_sheet(actor=Actor.from_request(request), member=member, full=full),
        f"党员基本信息表-{member.name}.pdf",
    )


def _date_param(value: str | None) -> dt.date:
    """?on=YYYY-MM-DD, not later than today; anything unreadable means today."""
    today = timezone.localdate()
    try:
        on = parse_date(value or "")
    except ValueError:
        on = None
    return min(on or today, today)


@require_safe
@login_required
def org_roster(request: HttpRequest, pk: int) -> HttpResponse:
    """打印党员花名册 of one organization as of a date (PDF)."""
    org = get_org_for_user(request.user, pk)
    on = _date_param(request.GET.get("on"))
    full = request.GET.get("full") == "1"
    subtree = request.GET.get("subtree") == "1"  # 含下级组织
    return _pdf(
        request,
        lambda: services.branch_roster(
            actor=Actor.from_request(request), org=org, on=on, full=full, subtree=subtree
        ),
        f"{org.name}党员花名册{'（含下级组织）' if subtree else ''}-{on:%Y%m%d}.pdf",
    )
