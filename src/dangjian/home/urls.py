from django.urls import path

from dangjian.core import views as core_views
from dangjian.home import views

# The namespace stays "core": every page links to the 工作台 as core:home.
app_name = "core"
urlpatterns = [
    path("", views.home, name="home"),
    path("notifications/", views.notifications, name="notifications"),
    path("notifications/<int:pk>/read/", views.notification_read, name="notification-read"),
    path("notifications/read/", views.notifications_read_all, name="notifications-read-all"),
    path("rules/", core_views.rules, name="rules"),  # 规则参数 (core: shared by every app)
    path("rules/revise/", views.rule_revise, name="rule-revise"),  # 录入修订 (系统管理员)
]
