from django.urls import path

from dangjian.rosters import views

app_name = "rosters"
urlpatterns = [
    path("", views.home, name="home"),
    path("template.xlsx", views.template_download, name="template"),
    path("imports/", views.upload, name="upload"),
    path("imports/<int:pk>/", views.batch_detail, name="batch"),
    path("imports/<int:pk>/file/", views.batch_file, name="batch-file"),
    path("imports/<int:pk>/confirm/", views.batch_confirm, name="batch-confirm"),
    path("imports/<int:pk>/undo/", views.batch_undo, name="batch-undo"),
    path("exports/", views.export_start, name="export"),
    path("exports/<int:pk>/", views.export_job, name="export-job"),
    path("exports/<int:pk>/download/", views.export_download, name="export-download"),
    path("members/<int:pk>/sheet.pdf", views.member_sheet, name="member-sheet"),
    path("orgs/<int:pk>/roster.pdf", views.org_roster, name="org-roster"),
]
