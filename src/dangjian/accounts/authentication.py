"""API tokens and 两步验证.

A token is a password that never expires, so an account that must use a second factor
(accounts.otp) may use one only once it has enrolled: enrolling and a reset of the second
factor delete the account's tokens, and new ones are made on the 接口令牌 page, which only a
verified session reaches (SecondFactorMiddleware). So a token of such an account was always
issued after a code. A token of an account that must enrol and has not is refused (403, with
the reason).
"""

from __future__ import annotations

from typing import Any

from rest_framework import authentication, exceptions


class TokenAuthentication(authentication.TokenAuthentication):
    def authenticate_credentials(self, key: str) -> tuple[Any, Any]:
        from dangjian.accounts import otp

        user, token = super().authenticate_credentials(key)
        if otp.must_enrol(user):
            raise exceptions.AuthenticationFailed(
                "该账号须先在页面上启用两步验证，再生成新的接口令牌。"
            )
        return user, token
