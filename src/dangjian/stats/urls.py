from django.urls import path

from dangjian.stats import views

app_name = "stats"
urlpatterns = [
    path("", views.report, name="report"),
    path("coverage/", views.coverage, name="coverage"),
    path("report.xlsx", views.report_xlsx, name="report-xlsx"),
    path("query/", views.query, name="query"),
    path("query.xlsx", views.query_xlsx, name="query-xlsx"),
    path("query/members/", views.query_members, name="query-members"),
]
