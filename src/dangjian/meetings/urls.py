from django.urls import path

from dangjian.meetings import scan_views

app_name = "meetings"
urlpatterns: list = [
    path("scan/", scan_views.scan_type, name="scan-type"),
    path("scan/<int:pk>/<str:code>/", scan_views.scan_link, name="scan"),
    path("<int:pk>/scan/screen/", scan_views.scan_screen, name="scan-screen"),
    path("<int:pk>/scan/screen/code/", scan_views.scan_screen_code, name="scan-screen-code"),
    path("<int:pk>/scan/toggle/", scan_views.scan_toggle, name="scan-toggle"),
]
