"""Pages every app shares: the error pages, the confirmation page and the 规则参数 page."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.views import defaults
from django.views.decorators.http import require_safe

from dangjian.core.dates import today
from dangjian.core.health import readiness
from dangjian.core.rules_seed import FOUNDING
from dangjian.core.selectors import rule_groups


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


@login_required
@require_safe
def rules(request: HttpRequest) -> HttpResponse:
    """规则参数: every time limit, threshold and setting the system applies, with its source and
    the kind of text it rests on (全国性 / 地方或通行做法 / 本系统设置). Read-only; public texts,
    no personal data, so any logged-in user may read it."""
    on = today()
    context = {"groups": rule_groups(on), "on": on, "founding": FOUNDING}
    return render(request, "core/rules.html", context)


@require_safe
def health_live(request: HttpRequest) -> HttpResponse:
    """存活检查: the process answers (no database; systemd and a load balancer restart on it)."""
    return JsonResponse({"status": "ok"})


@require_safe
def health(request: HttpRequest) -> HttpResponse:
    """就绪检查: 200 when every check passes ("degraded" when only the read replica fails), 503
    with the failing ones named otherwise."""
    results = readiness()
    ready = all(r.ok for r in results if r.critical)
    degraded = ready and not all(r.ok for r in results)
    body = {
        "status": ("degraded" if degraded else "ok") if ready else "unavailable",
        "checks": {r.name: {"ok": r.ok, "label": r.label, "detail": r.detail} for r in results},
    }
    return JsonResponse(
        body, status=200 if ready else 503, json_dumps_params={"ensure_ascii": False}
    )
