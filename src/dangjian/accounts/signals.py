"""At login, remember in the session whether the account must first change its password."""

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
def forget_second_factor_state(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    """A new login reads again whether the account has enrolled (accounts.otp)."""
    from dangjian.accounts.otp import ENROLLED_KEY

    if request is not None and hasattr(request, "session"):
        request.session.pop(ENROLLED_KEY, None)
