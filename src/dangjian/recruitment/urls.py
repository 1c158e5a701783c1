from django.urls import path

from dangjian.recruitment import views

app_name = "recruitment"

urlpatterns = [
    path("", views.applicant_list, name="list"),
    path("new/", views.applicant_new, name="new"),
    path("<int:pk>/", views.applicant_detail, name="detail"),
    path("<int:pk>/step/<slug:name>/", views.step, name="step"),
    path("<int:pk>/count/", views.count, name="count"),
]
