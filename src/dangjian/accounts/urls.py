from django.urls import path

from dangjian.accounts import otp_views, views

app_name = "accounts"
urlpatterns = [
    path("login/", views.LoginView.as_view(), name="login"),
    path("logout/", views.LogoutView.as_view(), name="logout"),
    path("users/", views.users, name="users"),
    path("users/<int:pk>/toggle/", views.user_toggle, name="user-toggle"),
    path("users/<int:pk>/reset-password/", views.user_reset_password, name="user-reset-password"),
    path("password/", views.password_change, name="password-change"),
    path("grants/", views.grants, name="grants"),
    path("grants/<int:pk>/revoke/", views.grant_revoke, name="grant-revoke"),
    path("token/", views.api_token, name="api-token"),
    # 两步验证 (accounts.otp)
    path("2fa/", otp_views.otp_home, name="otp"),
    path("2fa/enrol/", otp_views.otp_enrol, name="otp-enrol"),
    path("2fa/verify/", otp_views.otp_verify, name="otp-verify"),
    path("2fa/recovery-codes/", otp_views.otp_recovery_codes, name="otp-recovery-codes"),
    path("2fa/accounts/", otp_views.otp_accounts, name="otp-accounts"),
    path("2fa/accounts/<int:pk>/reset/", otp_views.otp_reset, name="otp-reset"),
]
