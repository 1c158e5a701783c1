"""Idle session timeout (等保 2.0), 两步验证 before anything else, and the forced password
change after a reset."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.urls import reverse

LAST_SEEN_KEY = "dangjian_last_seen"
# The session row is rewritten when the stored time is this old, not on every request (a write
# and its transaction per page view otherwise). The stored time is then up to this much early,
# so an idle session ends up to this much sooner, never later.
LAST_SEEN_STEP_SECONDS = 60


class IdleTimeoutMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.user.is_authenticated and hasattr(request, "session"):
            now = int(time.time())
            last_seen = request.session.get(LAST_SEEN_KEY)
            if (
                last_seen is not None
                and now - int(last_seen) > settings.SESSION_IDLE_TIMEOUT_SECONDS
            ):
                logout(request)
                request.session["idle_logged_out"] = True
            elif last_seen is None or now - int(last_seen) >= LAST_SEEN_STEP_SECONDS:
                request.session[LAST_SEEN_KEY] = now
        return self.get_response(request)


class ForcePasswordChangeMiddleware:
    """After a reset, the account reaches only 修改密码 and 退出 until it sets its own password.

    The flag is copied into the session at login (accounts.signals), so requests cost no query.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        from dangjian.accounts.services import MUST_CHANGE_KEY

        if (
            request.user.is_authenticated
            and hasattr(request, "session")
            and request.session.get(MUST_CHANGE_KEY)
            and not self._allowed(request.path)
        ):
            if request.path.startswith("/api/"):
                return JsonResponse(
                    {"detail": "请先在页面上修改临时密码。"},
                    status=403,
                    json_dumps_params={"ensure_ascii": False},
                )
            return redirect("accounts:password-change")
        return self.get_response(request)

    @staticmethod
    def _allowed(path: str) -> bool:
        open_paths = (
            reverse("accounts:password-change"),
            reverse("accounts:logout"),
            # 两步验证 comes first (SecondFactorMiddleware): a reset account that must use it
            # enters its code, or enrols, before it sets its new password.
            reverse("accounts:otp-verify"),
            reverse("accounts:otp-enrol"),
        )
        return path in open_paths or path.startswith("/" + settings.STATIC_URL.lstrip("/"))


class SecondFactorMiddleware:
    """两步验证 (accounts.otp): after the password, an account that has enrolled reaches only
    the code page, and one that must enrol only the enrolment page (and 退出), until the
    session is verified (django-otp's OTPMiddleware, installed before this one, tells).

    The API answers 403 to such a session; tokens are checked by
    `accounts.authentication.TokenAuthentication`. Whether the account has enrolled is kept in
    the session; whether it must is read from its scope, so a grant made during the session
    counts at its next request.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        from dangjian.accounts import otp

        user: Any = request.user
        if (
            not user.is_authenticated
            or not otp.offered()
            or not hasattr(request, "session")
            or user.is_verified()
        ):
            return self.get_response(request)
        enrolled = request.session.get(otp.ENROLLED_KEY)
        if enrolled is None:
            enrolled = request.session[otp.ENROLLED_KEY] = otp.is_enrolled(user)
        if enrolled:
            target = "accounts:otp-verify"
        elif otp.mode() == otp.REQUIRED and otp.needs_second_factor(user):
            target = "accounts:otp-enrol"
        else:
            return self.get_response(request)
        if self._allowed(request.path):
            return self.get_response(request)
        if request.path.startswith("/api/"):
            return JsonResponse(
                {"detail": "请先在页面上完成两步验证。"},
                status=403,
                json_dumps_params={"ensure_ascii": False},
            )
        url = reverse(target)
        if request.method in ("GET", "HEAD") and request.path != reverse("core:home"):
            url += "?" + urlencode({"next": request.get_full_path()})
        return redirect(url)

    @staticmethod
    def _allowed(path: str) -> bool:
        open_paths = (
            reverse("accounts:otp-verify"),
            reverse("accounts:otp-enrol"),
            reverse("accounts:logout"),
        )
        return path in open_paths or path.startswith("/" + settings.STATIC_URL.lstrip("/"))
