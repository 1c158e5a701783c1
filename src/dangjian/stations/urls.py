from django.urls import path

from dangjian.stations import views

app_name = "stations"
urlpatterns = [
    path("", views.station_list, name="list"),
    path("new/", views.station_create, name="create"),
    path("public/", views.public_list, name="public"),
    path("<int:pk>/", views.station_detail, name="detail"),
    path("<int:pk>/edit/", views.station_edit, name="edit"),
    path("help/", views.help_list, name="help-list"),
    path("help/new/", views.help_create, name="help-create"),
    path("help/<int:pk>/", views.help_detail, name="help-detail"),
    path("help/<int:pk>/edit/", views.help_edit, name="help-edit"),
]
