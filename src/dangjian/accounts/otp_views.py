"""两步验证 pages: one's own (启用, 输入验证码, 恢复码, 接口令牌) and the 安全管理员's reset.

The rules live in accounts.otp; these pages parse, call it and render. The recovery codes and
an API token are shown once, on the answer to the POST that made them, never stored for
showing again (Cache-Control: no-store).
"""

from __future__ import annotations

from typing import Any

from axes.handlers.proxy import AxesProxyHandler
from axes.helpers import get_lockout_response
from django.contrib import messages
from django.contrib.auth import get_user_model, logout
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST, require_safe
from django_otp import login as otp_login
from django_otp.plugins.otp_totp.models import TOTPDevice

from dangjian.accounts import otp
from dangjian.accounts.abilities import GlobalAbility
from dangjian.accounts.forms import OtpCodeForm
from dangjian.accounts.scope import get_for, scope_for
from dangjian.core.actors import Actor
from dangjian.core.exceptions import DomainError
from dangjian.core.forms import submit
from dangjian.core.printing import qr_svg
from dangjian.core.views import confirm_page, confirmed

User = get_user_model()


def _offered() -> None:
    if not otp.offered():
        raise Http404("本系统未启用两步验证")


def _next(request: HttpRequest) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return reverse("core:home")


def _codes_page(request: HttpRequest, codes: list[str], *, enrolled: bool) -> HttpResponse:
    response = render(request, "accounts/otp_codes.html", {"codes": codes, "enrolled": enrolled})
    response["Cache-Control"] = "no-store"
    return response


@login_required
@require_safe
def otp_home(request: HttpRequest) -> HttpResponse:
    """两步验证 (one's own): whether it is on, the recovery codes left, what to do next."""
    _offered()
    user: Any = request.user
    device = otp.totp_device(user)
    context = {
        "device": device,
        "codes_left": otp.recovery_codes_left(user) if device else 0,
        "required": otp.mode() == otp.REQUIRED and otp.needs_second_factor(user),
        "form": OtpCodeForm(),
    }
    return render(request, "accounts/otp_home.html", context)


@login_required
def otp_enrol(request: HttpRequest) -> HttpResponse:
    """启用两步验证: scan the QR code (or type the secret), confirm with one code; then the
    recovery codes, once."""
    _offered()
    user: Any = request.user
    if otp.is_enrolled(user):
        request.session[otp.ENROLLED_KEY] = True
        if not user.is_verified():
            return redirect("accounts:otp-verify")
        messages.info(request, "您已启用两步验证。")
        return redirect("accounts:otp")
    device = otp.pending_device(user)
    form = OtpCodeForm(request.POST or None)
    codes = submit(
        request,
        form,
        lambda f: otp.confirm_enrolment(
            actor=Actor.from_request(request), device=device, code=f["code"]
        ),
    )
    if codes is not None:
        device.refresh_from_db()
        otp_login(request, device)
        request.session.cycle_key()
        request.session[otp.ENROLLED_KEY] = True
        return _codes_page(request, codes, enrolled=True)
    context = {
        "form": form,
        "qr": qr_svg(device.config_url, scale=4, title="两步验证二维码", fluid=True),
        "secret": otp.secret_groups(device),
        "forced": otp.must_enrol(user),
        "next": _next(request),
    }
    response = render(request, "accounts/otp_enrol.html", context)
    response["Cache-Control"] = "no-store"
    return response


@login_required
def otp_verify(request: HttpRequest) -> HttpResponse:
    """两步验证 at login: the code from the authenticator, or a recovery code."""
    _offered()
    user: Any = request.user
    if user.is_verified():
        return redirect(_next(request))
    enrolled = otp.is_enrolled(user)
    request.session[otp.ENROLLED_KEY] = enrolled
    if not enrolled:  # reset meanwhile, or never enrolled
        return redirect("accounts:otp-enrol" if otp.must_enrol(user) else "core:home")
    form = OtpCodeForm(request.POST or None, recovery=True)
    actor = Actor.from_request(request)
    if request.method == "POST" and form.is_valid():
        try:
            device = otp.verify_code(actor=actor, code=form.cleaned_data["code"])
        except otp.Throttled as exc:
            form.add_error("code", exc.message)
        except DomainError as exc:
            form.add_error("code", exc.message)
            locked = _count_failure(request, user)
            if locked is not None:
                return locked
        else:
            otp_login(request, device)
            request.session.cycle_key()
            if not isinstance(device, TOTPDevice):
                left = otp.recovery_codes_left(user)
                messages.warning(
                    request,
                    f"您使用了一个恢复码，还剩 {left} 个。请尽快在「两步验证」页面重新生成恢复码。",
                )
            return redirect(_next(request))
    return render(request, "accounts/otp_verify.html", {"form": form, "next": _next(request)})


def _count_failure(request: HttpRequest, user: Any) -> HttpResponse | None:
    """A wrong code counts as a failed login for the account's lockout (django-axes): at the
    limit the session ends and the lockout page is shown."""
    credentials = {"username": user.get_username()}
    AxesProxyHandler.user_login_failed(sender=otp_verify, credentials=credentials, request=request)
    if getattr(request, "axes_locked_out", False):
        logout(request)
        return get_lockout_response(request, None, credentials)
    return None


@login_required
def otp_recovery_codes(request: HttpRequest) -> HttpResponse:
    """重新生成恢复码: after a code from the authenticator; the old codes end."""
    _offered()
    form = OtpCodeForm(request.POST or None)
    codes = submit(
        request,
        form,
        lambda f: otp.regenerate_recovery_codes(actor=Actor.from_request(request), code=f["code"]),
    )
    if codes is not None:
        return _codes_page(request, codes, enrolled=False)
    return render(request, "accounts/otp_regenerate.html", {"form": form})


@login_required
@require_safe
def otp_accounts(request: HttpRequest) -> HttpResponse:
    """两步验证管理 (安全管理员): the accounts that have enrolled, with a reset for each."""
    _offered()
    scope_for(request.user).require_global(GlobalAbility.MANAGE_GRANTS)
    rows = otp.enrolled_accounts()
    return render(request, "accounts/otp_accounts.html", {"rows": rows})


@login_required
@require_POST
def otp_reset(request: HttpRequest, pk: int) -> HttpResponse:
    """重置两步验证 (安全管理员): the account enrols again at its next request."""
    _offered()
    scope_for(request.user).require_global(GlobalAbility.MANAGE_GRANTS)
    target = get_for(request.user, None, User.objects.all(), pk)
    if not confirmed(request):
        who = f"{target.username}（{target.first_name}）" if target.first_name else target.username
        return confirm_page(
            request,
            title="重置两步验证",
            lines=[
                f"重置后，账号 {who} 的手机验证器、恢复码和接口令牌立即失效。",
                "本人下次使用时须重新扫码启用两步验证。请先当面或电话核实本人身份。",
            ],
            action=reverse("accounts:otp-reset", args=[target.pk]),
            confirm_label="确定重置",
            cancel_url=reverse("accounts:otp-accounts"),
        )
    try:
        otp.reset_second_factor(actor=Actor.from_request(request), user=target)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, f"已重置账号 {target.username} 的两步验证。")
    return redirect("accounts:otp-accounts")
