from django.urls import path

from dangjian.accounts import views

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
]
