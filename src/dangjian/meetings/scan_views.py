"""扫码确认出席 pages: the member's side (the QR's address, the typed code) and the presenter's
screen (the code big, refreshed by htmx) with the switch that turns scanning on or off.

The QR's address opens with a GET that records the scan at once: the member scanned it in the
room and expects one step. The address is itself the proof (a code valid for at most a minute),
and all it can do is mark the logged-in member's own row 出席, which the roll may correct.
Logged out, the member logs in and comes back to the same address (next=).
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from dangjian.accounts.abilities import Ability
from dangjian.core.actors import Actor
from dangjian.core.exceptions import DomainError
from dangjian.core.printing import qr_svg
from dangjian.meetings import scan as svc
from dangjian.meetings.models import Meeting
from dangjian.meetings.selectors import get_meeting_for_user


class ScanCodeForm(forms.Form):
    code = forms.CharField(
        label="签到码",
        max_length=20,
        error_messages={"required": "请输入屏幕上显示的签到码"},
        widget=forms.TextInput(
            attrs={"autocomplete": "off", "autocapitalize": "characters", "spellcheck": "false"}
        ),
    )


def _meeting_to_scan(pk: int) -> Meeting:
    """The meeting a scanned address names. No scope: the member holds no ability over it; the
    code is the proof, and a refusal never shows the meeting's title."""
    meeting = Meeting.objects.filter(pk=pk).first()
    if meeting is None:
        raise Http404("会议不存在")
    return meeting


def _meeting_to_present(user: Any, pk: int) -> Meeting:
    """The meeting for its presenter: 404 when the user does not see it, 403 without
    组织会议和组织生活 on its organization."""
    return get_meeting_for_user(user, pk, Ability.RUN_MEETINGS)


def _done(request: HttpRequest, result: svc.ScanResult) -> HttpResponse:
    return render(request, "meetings/scan_done.html", {"meeting": result.meeting})


def _refused(request: HttpRequest, exc: svc.ScanRefused, form: ScanCodeForm) -> HttpResponse:
    """A wrong or stale code: 400 with the typing form; anything else: 403 with the reason."""
    context = {"error": exc.message, "form": form, "retry": exc.retry}
    return render(request, "meetings/scan_type.html", context, status=400 if exc.retry else 403)


@login_required
@require_safe
def scan_link(request: HttpRequest, pk: int, code: str) -> HttpResponse:
    """扫码: the address in the QR code on the meeting's screen."""
    meeting = _meeting_to_scan(pk)
    try:
        result = svc.scan(actor=Actor.from_request(request), meeting=meeting, code=code)
    except svc.ScanRefused as exc:
        return _refused(request, exc, ScanCodeForm())
    return _done(request, result)


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def scan_type(request: HttpRequest) -> HttpResponse:
    """输入签到码: the short code typed on a phone (no camera, or the QR will not read)."""
    form = ScanCodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            result = svc.scan_typed(
                actor=Actor.from_request(request), code=form.cleaned_data["code"]
            )
        except svc.ScanRefused as exc:
            return _refused(request, exc, form)
        return _done(request, result)
    status = 400 if form.is_bound else 200
    return render(request, "meetings/scan_type.html", {"form": form}, status=status)


def _screen_context(request: HttpRequest, meeting: Meeting) -> dict[str, Any]:
    type_url = _absolute(request, reverse("meetings:scan-type"))
    context: dict[str, Any] = {
        "meeting": meeting,
        "type_url": type_url,
        "window": svc.window_seconds(),
    }
    if meeting.scan_enabled:
        now = timezone.now()
        code = svc.current_code(meeting, now)
        url = _absolute(request, reverse("meetings:scan", args=[meeting.pk, code]))
        context.update(
            code=code,
            qr=qr_svg(url, scale=8, title="扫码确认出席", fluid=True),
        )
    return context


def _absolute(request: HttpRequest, path: str) -> str:
    """The address in full, on DANGJIAN_SITE_URL when set (behind a proxy), else as requested."""
    site = str(settings.DANGJIAN_SITE_URL).rstrip("/")
    return site + path if site else request.build_absolute_uri(path)


@login_required
@require_safe
def scan_screen(request: HttpRequest, pk: int) -> HttpResponse:
    """扫码确认出席（投屏）: the code big, for the screen in the meeting room."""
    meeting = _meeting_to_present(request.user, pk)
    context = _screen_context(request, meeting)
    context["back_url"] = _meeting_url(meeting)
    return render(request, "meetings/scan_screen.html", context)


@login_required
@require_safe
def scan_screen_code(request: HttpRequest, pk: int) -> HttpResponse:
    """The screen's QR code and short code, fetched again by htmx every 10 s."""
    meeting = _meeting_to_present(request.user, pk)
    return render(request, "meetings/scan_code.html", _screen_context(request, meeting))


@login_required
@require_POST
def scan_toggle(request: HttpRequest, pk: int) -> HttpResponse:
    """开启或关闭扫码确认出席 (from the meeting's page or the screen)."""
    meeting = _meeting_to_present(request.user, pk)
    enabled = request.POST.get("enabled") == "1"
    try:
        svc.set_scan_enabled(actor=Actor.from_request(request), meeting=meeting, enabled=enabled)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, "已开启扫码确认出席。" if enabled else "已关闭扫码确认出席。")
    if enabled and request.POST.get("screen") == "1":
        return redirect("meetings:scan-screen", pk=meeting.pk)
    return redirect(_meeting_url(meeting))


def _meeting_url(meeting: Meeting) -> str:
    """The meeting's own page (meetings.views), or the screen while that page does not exist."""
    try:
        return reverse("meetings:detail", args=[meeting.pk])
    except NoReverseMatch:
        return reverse("meetings:scan-screen", args=[meeting.pk])
