"""工作台: the landing page, shaped by the user's roles."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views import defaults
from django.views.decorators.http import require_POST, require_safe
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from dangjian.accounts.scope import scope_for
from dangjian.core import notify, workbench
from dangjian.core.models import Notification
from dangjian.orgs.selectors import subtree_summary, top_nodes

HOME_ITEMS = 20  # per group on the page; the API lists them all


@require_safe
@login_required
def home(request: HttpRequest) -> HttpResponse:
    """工作台: what the user must act on (each app's providers), then the scope's figures."""
    scope = scope_for(request.user)
    today = timezone.localdate()
    groups = workbench.groups_for(request.user, scope, today, limit=HOME_ITEMS)
    cards = [{"org": org, "summary": subtree_summary(org)} for org in top_nodes(request.user)]
    context = {"cards": cards, "groups": groups, "today": today, "scope": scope}
    return render(request, "core/home.html", context)


@require_safe
@login_required
def notifications(request: HttpRequest) -> HttpResponse:
    """通知: the user's own notifications, newest first, unread ones marked."""
    mine = Notification.objects.filter(recipient_id=request.user.pk)
    page = Paginator(mine, 50).get_page(request.GET.get("page"))
    return render(request, "core/notifications.html", {"page": page})


@login_required
@require_POST
def notification_read(request: HttpRequest, pk: int) -> HttpResponse:
    """标为已读 (one's own only: another user's id changes nothing), then go where it points
    when asked to (`open=1`)."""
    notify.mark_read(user=request.user, pk=pk)
    note = Notification.objects.filter(recipient_id=request.user.pk, pk=pk).first()
    link = note.link if note is not None and request.POST.get("open") == "1" else ""
    if link and url_has_allowed_host_and_scheme(link, allowed_hosts=None):
        return redirect(link)
    return redirect("core:notifications")


@login_required
@require_POST
def notifications_read_all(request: HttpRequest) -> HttpResponse:
    notify.mark_read(user=request.user)
    return redirect("core:notifications")


class WorkItemSerializer(serializers.Serializer):
    """One thing to act on (工作台)."""

    group = serializers.CharField(help_text="分组，如“预备期将满”")
    kind = serializers.CharField(help_text="事项类别，如“预备期满”“换届”“投票”")
    title = serializers.CharField(help_text="要办的事")
    subject = serializers.CharField(help_text="涉及的党组织或党员")
    due = serializers.DateField(allow_null=True, help_text="到期日期")
    overdue = serializers.BooleanField(help_text="是否已逾期")
    due_in_words = serializers.CharField(help_text="如“还有 12 天”“已逾期 3 天”")
    url = serializers.CharField(help_text="办理页面的地址")


class WorkbenchView(APIView):
    """工作台: the items the user must act on, in their scope (the page's list, as data)."""

    @extend_schema(
        operation_id="workbench_list",
        summary="我的待办事项（工作台）",
        responses=WorkItemSerializer(many=True),
    )
    def get(self, request: Request) -> Response:
        today = timezone.localdate()
        rows = [
            {
                "group": group.label,
                "kind": item.kind,
                "title": item.title,
                "subject": item.subject,
                "due": item.due,
                "overdue": item.overdue,
                "due_in_words": item.due_in_words(today),
                "url": item.url,
            }
            for group in workbench.groups_for(request.user, scope_for(request.user), today)
            for item in group.items
        ]
        return Response(WorkItemSerializer(rows, many=True).data)


def not_found(request: HttpRequest, exception: Exception) -> HttpResponse:
    """404: the API answers in JSON like its other errors; pages get the Chinese 404 page."""
    if request.path.startswith("/api/"):
        return JsonResponse(
            {"detail": "接口地址不存在。"}, status=404, json_dumps_params={"ensure_ascii": False}
        )
    return defaults.page_not_found(request, exception)


def server_error(request: HttpRequest) -> HttpResponse:
    """500: JSON for the API, the Chinese page (base layout, no request context) otherwise."""
    if request.path.startswith("/api/"):
        return JsonResponse(
            {"detail": "服务器内部错误，操作没有完成，请稍后重试。"},
            status=500,
            json_dumps_params={"ensure_ascii": False},
        )
    return defaults.server_error(request)


def confirmed(request: HttpRequest) -> bool:
    """Whether an irreversible step's form came back from its confirmation page."""
    return request.POST.get("confirmed") == "1"


def confirm_page(
    request: HttpRequest,
    *,
    title: str,
    lines: list[str],
    action: str,
    confirm_label: str,
    cancel_url: str,
    fields: dict[str, str] | None = None,
) -> HttpResponse:
    """确认: say what cannot be taken back, then post the same step again with confirmed=1.

    A plain page rather than a script dialog, so it works without JavaScript and under a CSP
    that forbids inline script.
    """
    context = {
        "title": title,
        "lines": lines,
        "action": action,
        "confirm_label": confirm_label,
        "cancel_url": cancel_url,
        "fields": fields or {},
    }
    return render(request, "core/confirm.html", context)
