from django.urls import path

from dangjian.recruitment import views, worklist_views

app_name = "recruitment"

urlpatterns = [
    path("", views.applicant_list, name="list"),
    path("new/", views.applicant_new, name="new"),
    path("<int:pk>/", views.applicant_detail, name="detail"),
    path("<int:pk>/step/<slug:name>/", views.step, name="step"),
    path("<int:pk>/count/", views.count, name="count"),
    path("<int:pk>/record.pdf", views.full_record, name="full-record"),
    # work lists
    path("work/", worklist_views.worklist, name="worklist"),
    path("mine/", worklist_views.mine, name="mine"),
    path("<int:pk>/account/", worklist_views.link_account, name="link-account"),
    path("<int:pk>/notice.pdf", views.notice, name="notice"),
    path("<int:pk>/reports/new/", views.report_new, name="report-new"),
    path("<int:pk>/assessments/new/", views.assessment_new, name="assessment-new"),
    path("<int:pk>/reports/<int:report_pk>/edit/", views.report_edit, name="report-edit"),
    path(
        "<int:pk>/assessments/<int:entry_pk>/edit/", views.assessment_edit, name="assessment-edit"
    ),
]
