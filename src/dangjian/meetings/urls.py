from django.urls import path

from dangjian.meetings import cadence_views, plan_views, scan_views, views

app_name = "meetings"
urlpatterns: list = [
    path("", views.meeting_list, name="list"),
    path("new/", views.meeting_create, name="create"),
    path("<int:pk>/", views.meeting_detail, name="detail"),
    path("<int:pk>/edit/", views.meeting_edit, name="edit"),
    path("<int:pk>/notice/", views.meeting_notice, name="notice"),
    path("<int:pk>/cancel/", views.meeting_cancel, name="cancel"),
    path("<int:pk>/attendance/", views.meeting_attendance, name="attendance"),
    path("<int:pk>/minutes/", views.meeting_minutes, name="minutes"),
    path("<int:pk>/poll/", views.meeting_poll, name="poll"),
    path("<int:pk>/minutes.pdf", views.minutes_pdf, name="minutes-pdf"),
    path("register/<int:pk>.pdf", views.register_pdf, name="register-pdf"),
    path("scan/", scan_views.scan_type, name="scan-type"),
    path("scan/<int:pk>/<str:code>/", scan_views.scan_link, name="scan"),
    path("<int:pk>/scan/screen/", scan_views.scan_screen, name="scan-screen"),
    path("<int:pk>/scan/screen/code/", scan_views.scan_screen_code, name="scan-screen-code"),
    path("<int:pk>/scan/toggle/", scan_views.scan_toggle, name="scan-toggle"),
    path("cadence/", cadence_views.cadence_view, name="cadence"),
    path("cadence/export.xlsx", cadence_views.cadence_export, name="cadence-export"),
    path("cadence/org/<int:pk>/", cadence_views.cadence_org, name="cadence-org"),
    path("plans/<int:pk>/", plan_views.plan_view, name="plan"),
    path("plans/<int:pk>/create/", plan_views.plan_create, name="plan-create"),
    path("plans/<int:pk>/generate/", plan_views.plan_generate, name="plan-generate"),
    path("plans/<int:pk>/items/add/", plan_views.plan_item_add, name="plan-item-add"),
    path("plans/items/<int:pk>/edit/", plan_views.plan_item_edit, name="plan-item-edit"),
    path("plans/items/<int:pk>/delete/", plan_views.plan_item_delete, name="plan-item-delete"),
]
