"""两步验证: a TOTP code after the password (等保 2.0 level 3 for the administrators).

Who must use it (`DANGJIAN_2FA=required`, the production default): the three administrators
(系统/安全/审计管理员) and every account holding a grant that may unmask personal data
(`can_view_sensitive` → `Ability.REVEAL_PERSONAL`). With `optional` (development, the demo,
the tests) every account may enrol and nobody is forced; with `off` nothing is offered. An
account that has enrolled is asked for its code at every login, whatever the mode but off.

The devices are django-otp's: one confirmed `TOTPDevice` (the phone's authenticator app) and
one `StaticDevice` holding 10 single-use recovery codes (恢复码). The codes are stored as
django-otp stores them, in plain text: the TOTP secret next to them must be stored readable
(the server computes the codes from it), so hashing the recovery codes would not keep anyone
who reads the database out; both are as safe as the database and its backups.

Wrong codes: django-otp's throttling makes each device wait 2^(n-1) seconds after its n-th
consecutive failure (only a right code resets it, a new login does not), and each wrong code
also counts as a failed login for the account's django-axes lockout, so passwords and codes
share the one limit of `DANGJIAN_LOGIN_FAILURE_LIMIT` failures.
"""

from __future__ import annotations

import re
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Count
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from dangjian.accounts.abilities import Ability, GlobalAbility
from dangjian.accounts.scope import scope_for
from dangjian.audit.actions import register_action
from dangjian.audit.services import record_audit
from dangjian.core.actors import actor_user
from dangjian.core.exceptions import DomainError

REQUIRED, OPTIONAL, OFF = "required", "optional", "off"
RECOVERY_CODE_COUNT = 10
# The session remembers whether the account has enrolled, so the middleware needs no query
# per request; the pages that change it (enrol, verify, reset) write it again.
ENROLLED_KEY = "dangjian_2fa_enrolled"

OTP_ENROL = register_action("accounts.otp_enrol", "启用两步验证")
OTP_FAILED = register_action("accounts.otp_failed", "两步验证失败", tone="alert")
OTP_RECOVERY_USED = register_action("accounts.otp_recovery_used", "使用恢复码登录", tone="alert")
OTP_RESET = register_action("accounts.otp_reset", "重置两步验证")
OTP_REGENERATE = register_action("accounts.otp_regenerate", "重新生成恢复码")

# The 三员's own abilities (USE_API is also the 组织管理员's, so it does not count).
_ADMIN_ABILITIES = frozenset(
    {GlobalAbility.MANAGE_ACCOUNTS, GlobalAbility.MANAGE_GRANTS, GlobalAbility.READ_AUDIT}
)


def mode() -> str:
    return str(settings.DANGJIAN_2FA)


def offered() -> bool:
    return mode() != OFF


def needs_second_factor(user: Any) -> bool:
    """Whether the rules demand a second factor of this account: one of the three
    administrators, or a grant that may unmask personal data (read from the user's scope, so
    grants on dissolved organizations do not count)."""
    scope = scope_for(user)
    return bool(scope.global_abilities & _ADMIN_ABILITIES) or bool(
        scope.paths(Ability.REVEAL_PERSONAL)
    )


def must_enrol(user: Any) -> bool:
    """Required mode, an account that needs it, and no confirmed device yet."""
    return mode() == REQUIRED and needs_second_factor(user) and not is_enrolled(user)


def totp_device(user: Any) -> TOTPDevice | None:
    """The account's confirmed authenticator, if it has enrolled."""
    return TOTPDevice.objects.filter(user=user, confirmed=True).order_by("pk").first()


def is_enrolled(user: Any) -> bool:
    return TOTPDevice.objects.filter(user=user, confirmed=True).exists()


def recovery_device(user: Any) -> StaticDevice | None:
    return StaticDevice.objects.filter(user=user, confirmed=True).order_by("pk").first()


def recovery_codes_left(user: Any) -> int:
    device = recovery_device(user)
    return device.token_set.count() if device is not None else 0


def enrolled_accounts() -> list[tuple[Any, TOTPDevice, int]]:
    """两步验证管理: (account, its authenticator, recovery codes left), by login name."""
    devices = list(
        TOTPDevice.objects.filter(confirmed=True)
        .select_related("user", "user__member")
        .order_by("user__username", "pk")
    )
    left = dict(
        StaticToken.objects.filter(device__user__in=[d.user_id for d in devices])
        .values("device__user")
        .annotate(n=Count("pk"))
        .values_list("device__user", "n")
    )
    return [(d.user, d, left.get(d.user_id, 0)) for d in devices]


def pending_device(user: Any) -> TOTPDevice:
    """The unconfirmed authenticator being enrolled (made on first visit, kept until confirmed,
    so reloading the page shows the same QR code)."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("pk").first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name="手机验证器", confirmed=False)
    return device


def secret_groups(device: TOTPDevice) -> str:
    """The secret in base32, in groups of 4, for typing into an authenticator by hand."""
    from base64 import b32encode

    secret = b32encode(device.bin_key).decode().rstrip("=")
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


def normalize(code: str) -> str:
    """A typed code without spaces or hyphens, lower case (recovery codes are shown as
    `abcd-efgh`)."""
    return re.sub(r"[\s\-]", "", code or "").lower()


def is_totp_code(code: str) -> bool:
    return re.fullmatch(r"\d{6}", code) is not None


def format_recovery_code(token: str) -> str:
    return f"{token[:4]}-{token[4:]}"


class Throttled(DomainError):
    """Too many wrong codes in a row: wait `seconds` before the next try (not a new failure)."""

    def __init__(self, seconds: int) -> None:
        self.seconds = max(seconds, 1)
        super().__init__(f"验证码错误次数过多，请 {self.seconds} 秒后再试。", field="code")


def _check_throttle(device: Any) -> None:
    allowed, data = device.verify_is_allowed()
    if not allowed:
        from django.utils import timezone

        until = (data or {}).get("locked_until")
        seconds = int((until - timezone.now()).total_seconds()) + 1 if until else 1
        raise Throttled(seconds)


def _new_recovery_codes(user: Any) -> list[str]:
    """Replace the account's recovery codes with 10 new ones (returned once, formatted)."""
    StaticDevice.objects.filter(user=user).delete()
    device = StaticDevice.objects.create(user=user, name="恢复码", confirmed=True)
    tokens = [StaticToken.random_token() for _ in range(RECOVERY_CODE_COUNT)]
    StaticToken.objects.bulk_create([StaticToken(device=device, token=t) for t in tokens])
    return [format_recovery_code(t) for t in tokens]


def confirm_enrolment(*, actor: Any, device: TOTPDevice, code: str) -> list[str]:
    """启用两步验证: the first code from the phone confirms the authenticator; returns the 10
    recovery codes, shown once. The account's API tokens end (they were issued without the
    second factor). A wrong code is refused and audited."""
    user = actor_user(actor)
    if device.user_id != user.pk or device.confirmed:
        raise DomainError("该验证器不属于您或已经启用，请刷新页面。")
    _check_throttle(device)
    if not device.verify_token(normalize(code)):
        record_audit(OTP_FAILED, actor=actor, target=user, detail={"step": "enrol"})
        raise DomainError(
            "验证码不正确，请核对手机时间后输入验证器上当前的 6 位数字。", field="code"
        )
    with transaction.atomic():
        TOTPDevice.objects.filter(user=user).exclude(pk=device.pk).delete()
        device.confirmed = True
        device.save(update_fields=["confirmed"])
        codes = _new_recovery_codes(user)
        _drop_api_tokens(user)
        record_audit(OTP_ENROL, actor=actor, target=user)
    return codes


def verify_code(*, actor: Any, code: str) -> Any:
    """两步验证 at login: a 6-digit code from the authenticator, or a recovery code (used up).

    Returns the device that accepted the code; raises `Throttled` while the device waits and
    `DomainError` for a wrong code (audited; the caller counts it as a failed login)."""
    user = actor_user(actor)
    typed = normalize(code)
    device = totp_device(user) if is_totp_code(typed) else recovery_device(user)
    if device is None:
        record_audit(OTP_FAILED, actor=actor, target=user, detail={"step": "login"})
        raise DomainError("验证码或恢复码不正确。", field="code")
    _check_throttle(device)
    with transaction.atomic():
        locked = type(device).objects.select_for_update().get(pk=device.pk)
        accepted = locked.verify_token(typed)
    if not accepted:
        record_audit(OTP_FAILED, actor=actor, target=user, detail={"step": "login"})
        raise DomainError("验证码或恢复码不正确。", field="code")
    if isinstance(locked, StaticDevice):
        record_audit(
            OTP_RECOVERY_USED,
            actor=actor,
            target=user,
            detail={"remaining": locked.token_set.count()},
        )
    return locked


def regenerate_recovery_codes(*, actor: Any, code: str) -> list[str]:
    """重新生成恢复码 (the account itself, after a code from its authenticator): the old codes
    end, 10 new ones are returned once."""
    user = actor_user(actor)
    device = totp_device(user)
    if device is None:
        raise DomainError("您还没有启用两步验证。")
    _check_throttle(device)
    if not device.verify_token(normalize(code)):
        record_audit(OTP_FAILED, actor=actor, target=user, detail={"step": "regenerate"})
        raise DomainError("验证码不正确，请输入验证器上当前的 6 位数字。", field="code")
    with transaction.atomic():
        codes = _new_recovery_codes(user)
        record_audit(OTP_REGENERATE, actor=actor, target=user)
    return codes


def reset_second_factor(*, actor: Any, user: Any) -> None:
    """重置两步验证 (安全管理员, or the operator's `manage.py reset_second_factor`): the
    account's authenticator, recovery codes and API tokens end; it enrols again at its next
    request. The security administrator cannot reset their own."""
    who = actor_user(actor)
    if who is not None:
        scope_for(actor).require_global(GlobalAbility.MANAGE_GRANTS)
        if who.pk == user.pk:
            raise DomainError(
                "不能重置自己的两步验证；请由运维人员在服务器上执行 reset_second_factor。"
            )
    with transaction.atomic():
        had = TOTPDevice.objects.filter(user=user).exists()
        TOTPDevice.objects.filter(user=user).delete()
        StaticDevice.objects.filter(user=user).delete()
        _drop_api_tokens(user)
        record_audit(OTP_RESET, actor=actor, target=user, detail={"enrolled": had})


def _drop_api_tokens(user: Any) -> None:
    from rest_framework.authtoken.models import Token

    Token.objects.filter(user=user).delete()
