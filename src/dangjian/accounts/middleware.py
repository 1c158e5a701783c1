"""Idle session timeout (等保 2.0) and the forced password change after a reset."""

from __future__ import annotations

import time
from collections.abc import Callable

from django.conf import settings
from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.urls import reverse

LAST_SEEN_KEY = "dangjian_last_seen"


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
            else:
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
        open_paths = (reverse("accounts:password-change"), reverse("accounts:logout"))
        return path in open_paths or path.startswith("/" + settings.STATIC_URL.lstrip("/"))
