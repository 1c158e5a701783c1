"""Login, logout, and the pages of the system and security administrators."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth import get_user_model, update_session_auth_hash
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from dangjian.accounts import services
from dangjian.accounts.abilities import GlobalAbility
from dangjian.accounts.forms import (
    AccountForm,
    GrantForm,
    LoginForm,
    PasswordChangeForm,
)
from dangjian.accounts.models import RoleGrant
from dangjian.accounts.scope import get_for, scope_for
from dangjian.core.actors import Actor
from dangjian.core.exceptions import DomainError
from dangjian.core.forms import submit
from dangjian.core.views import confirm_page, confirmed

User = get_user_model()


class LoginView(auth_views.LoginView):
    template_name = "accounts/login.html"
    authentication_form = LoginForm
    redirect_authenticated_user = True

    def get(self, request: HttpRequest, *args: object, **kwargs: object) -> HttpResponse:
        if request.session.pop("idle_logged_out", False):
            messages.info(request, "您已长时间未操作，为保护数据安全已自动退出，请重新登录。")
        return super().get(request, *args, **kwargs)


class LogoutView(auth_views.LogoutView):
    pass


@login_required
def users(request: HttpRequest) -> HttpResponse:
    """账号管理 (system administrator): accounts only, no member data."""
    scope_for(request.user).require_global(GlobalAbility.MANAGE_ACCOUNTS)
    form = AccountForm(request.POST or None)
    created = submit(
        request, form, lambda f: services.create_account(actor=Actor.from_request(request), **f)
    )
    if created is not None:
        messages.success(request, f"已创建账号 {created.username}。")
        return redirect("accounts:users")
    accounts = (
        User.objects.order_by("username")
        .prefetch_related("role_grants")
        .select_related("account_profile")
    )
    return render(request, "accounts/users.html", {"form": form, "accounts": accounts})


@login_required
@require_POST
def user_toggle(request: HttpRequest, pk: int) -> HttpResponse:
    scope_for(request.user).require_global(GlobalAbility.MANAGE_ACCOUNTS)
    target = get_for(request.user, None, User.objects.all(), pk)
    try:
        services.set_account_active(
            actor=Actor.from_request(request), user=target, active=not target.is_active
        )
    except DomainError as exc:
        messages.error(request, exc.message)
    return redirect("accounts:users")


@login_required
def grants(request: HttpRequest) -> HttpResponse:
    """角色授权 (security administrator)."""
    scope_for(request.user).require_global(GlobalAbility.MANAGE_GRANTS)
    form = GrantForm(request.POST or None)
    if submit(request, form, lambda f: services.grant_role(actor=Actor.from_request(request), **f)):
        messages.success(request, "授权已生效。")
        return redirect("accounts:grants")
    rows = RoleGrant.objects.current().select_related(
        "user", "user__member", "org", "granted_by", "granted_by__member"
    )
    return render(request, "accounts/grants.html", {"form": form, "grants": rows})


@login_required
@require_POST
def grant_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    scope_for(request.user).require_global(GlobalAbility.MANAGE_GRANTS)
    grant = get_for(request.user, None, RoleGrant.objects.all(), pk)
    try:
        services.revoke_role(actor=Actor.from_request(request), grant=grant)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, "授权已撤销。")
    return redirect("accounts:grants")


@login_required
def password_change(request: HttpRequest) -> HttpResponse:
    """修改密码: every user, own account; the only page open while a forced change is pending."""
    form = PasswordChangeForm(request.POST or None)
    forced = bool(request.session.get(services.MUST_CHANGE_KEY))

    def change(f: dict[str, Any]) -> bool:
        services.change_own_password(
            actor=Actor.from_request(request),
            old_password=f["old_password"],
            new_password=f["new_password1"],
        )
        # The new password changes the session hash; keep this session, end the others.
        user: Any = request.user  # logged in: the page requires it
        update_session_auth_hash(request, user)
        request.session.pop(services.MUST_CHANGE_KEY, None)
        return True

    done = submit(request, form, change)
    if done:
        messages.success(request, "密码已修改。")
        return redirect("core:home")
    return render(request, "accounts/password_change.html", {"form": form, "forced": forced})


@login_required
def api_token(request: HttpRequest) -> HttpResponse:
    """接口令牌 (holders of USE_API): make a new token for one's own account, shown once."""
    from rest_framework.authtoken.models import Token

    scope_for(request.user).require_global(GlobalAbility.USE_API)
    if request.method == "POST":
        key = services.create_api_token(actor=Actor.from_request(request))
        response = render(request, "accounts/api_token.html", {"key": key})
        response["Cache-Control"] = "no-store"
        return response
    user: Any = request.user  # logged in: the page requires it
    current = Token.objects.filter(user=user).first()
    return render(request, "accounts/api_token.html", {"current": current})


@login_required
@require_POST
def user_reset_password(request: HttpRequest, pk: int) -> HttpResponse:
    """重置密码 (system administrator): shows the temporary password once, on this response."""
    scope_for(request.user).require_global(GlobalAbility.MANAGE_ACCOUNTS)
    target = get_for(request.user, None, User.objects.all(), pk)
    if not confirmed(request):
        who = f"{target.username}（{target.first_name}）" if target.first_name else target.username
        return confirm_page(
            request,
            title="重置密码",
            lines=[
                f"重置后，账号 {who} 原来的密码和接口令牌立即失效。",
                "本人须用临时密码登录，设置新密码后才能使用其他功能。",
            ],
            action=reverse("accounts:user-reset-password", args=[target.pk]),
            confirm_label="确定重置",
            cancel_url=reverse("accounts:users"),
        )
    try:
        password = services.reset_password(actor=Actor.from_request(request), user=target)
    except DomainError as exc:
        messages.error(request, exc.message)
        return redirect("accounts:users")
    response = render(
        request, "accounts/password_reset_done.html", {"target": target, "password": password}
    )
    response["Cache-Control"] = "no-store"
    return response
