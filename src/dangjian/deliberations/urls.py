from django.urls import path

from dangjian.deliberations import views

app_name = "deliberations"
urlpatterns = [
    path("", views.matter_list, name="list"),
    path("new/", views.matter_create, name="create"),
    path("<int:pk>/", views.matter_detail, name="detail"),
    path("<int:pk>/consult/", views.consult, name="consult"),
    path("<int:pk>/send-plan/", views.send_plan, name="send-plan"),
    path("<int:pk>/convene/", views.convene, name="convene"),
    path("<int:pk>/poll/", views.prepare_poll, name="poll"),
    path("<int:pk>/review/", views.review, name="review"),
    path("<int:pk>/resolve/", views.resolve, name="resolve"),
    path("<int:pk>/publish-decision/", views.publish_decision, name="publish-decision"),
    path("<int:pk>/publish-result/", views.publish_result, name="publish-result"),
    path("<int:pk>/record.pdf", views.record_pdf, name="record"),
]
