from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth import get_user_model
from django.contrib.auth.forms import AuthenticationForm

from dangjian.accounts.models import Role
from dangjian.orgs.fields import OrgChoiceField
from dangjian.orgs.models import Organization


class LoginForm(AuthenticationForm):
    error_messages = {
        "invalid_login": "用户名或密码不正确。连续失败 5 次后账号将被锁定 30 分钟。",
        "inactive": "该账号已停用，请联系系统管理员。",
    }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["username"].label = "用户名"
        self.fields["password"].label = "密码"


class AccountForm(forms.Form):
    username = forms.CharField(label="用户名", max_length=150)
    full_name = forms.CharField(label="姓名", max_length=150, required=False)
    password = forms.CharField(label="初始密码", widget=forms.PasswordInput, min_length=8)


class GrantForm(forms.Form):
    user = forms.ModelChoiceField(label="账号", queryset=get_user_model().objects.none())
    role = forms.ChoiceField(label="角色", choices=Role.choices)
    org = OrgChoiceField(label="授权范围（党组织）", required=False)
    can_view_sensitive = forms.BooleanField(label="可查看完整身份证号和电话", required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        user_field = self.fields["user"]
        org_field = self.fields["org"]
        assert isinstance(user_field, forms.ModelChoiceField)
        assert isinstance(org_field, forms.ModelChoiceField)
        user_field.queryset = get_user_model().objects.filter(is_active=True).order_by("username")
        # The security administrator assigns scopes across the whole tree (organization names
        # only: no member data), which is what 三员分立 gives this role.
        org_field.queryset = Organization.objects.active().exclude(kind="group")


class PasswordChangeForm(forms.Form):
    """修改密码. The service checks the old password and the policy; this checks the typing."""

    old_password = forms.CharField(
        label="原密码",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )
    new_password1 = forms.CharField(
        label="新密码",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text="至少 8 位，包含大写字母、小写字母、数字、符号中的至少 3 类。",
    )
    new_password2 = forms.CharField(
        label="再次输入新密码",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("new_password1") and data.get("new_password1") != data.get("new_password2"):
            self.add_error("new_password2", "两次输入的新密码不一致。")
        return data


class MemberAccountForm(forms.Form):
    """关联登录账号: the login name of an existing account."""

    username = forms.CharField(label="登录账号（用户名）", max_length=150)


class OtpCodeForm(forms.Form):
    """两步验证: the 6 digits on the phone's authenticator (or, at login, a recovery code)."""

    code = forms.CharField(
        label="验证码",
        max_length=20,
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "autofocus": True}
        ),
    )

    def __init__(self, *args: Any, recovery: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if recovery:
            self.fields["code"].label = "验证码或恢复码"
            self.fields[
                "code"
            ].help_text = "手机验证器上的 6 位数字；手机不在身边时，输入一个恢复码。"
            self.fields["code"].widget.attrs["inputmode"] = "text"
