"""At login, remember in the session whether the account must first change its password, and
whether it has enrolled a second factor: read once per login, not on the login's first page."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver

from dangjian.accounts.services import MUST_CHANGE_KEY, must_change_password


@receiver(user_logged_in)
def flag_forced_password_change(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    if request is not None and hasattr(request, "session") and must_change_password(user):
        request.session[MUST_CHANGE_KEY] = True


@receiver(user_logged_in)
def read_second_factor_state(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    """A new login reads again whether the account has enrolled (accounts.otp)."""
    from dangjian.accounts import otp

    if request is not None and hasattr(request, "session"):
        if otp.offered():
            request.session[otp.ENROLLED_KEY] = otp.is_enrolled(user)
        else:
            request.session.pop(otp.ENROLLED_KEY, None)
