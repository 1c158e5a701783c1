"""Idle session timeout (等保 2.0): log out after N minutes without a request."""

from __future__ import annotations

import time
from collections.abc import Callable

from django.conf import settings
from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse

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
