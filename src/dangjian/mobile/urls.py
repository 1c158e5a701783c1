from django.urls import path

from dangjian.mobile import views

app_name = "mobile"
urlpatterns = [
    path("", views.stay_list, name="list"),
    path("new/<int:pk>/", views.stay_create, name="create"),
    path("<int:pk>/", views.stay_detail, name="detail"),
    path("<int:pk>/contact/", views.stay_contact, name="contact"),
    path("<int:pk>/participation/", views.stay_participation, name="participation"),
    path("<int:pk>/return/", views.stay_return, name="return"),
    path("<int:pk>/permit/", views.stay_permit, name="permit"),
    path("<int:pk>/permit.pdf", views.permit_pdf, name="permit-pdf"),
    path("information/", views.information_view, name="information"),
    path("information/export/", views.information_export, name="information-export"),
]
