from django.urls import path

from dangjian.exchange import views

app_name = "exchange"
urlpatterns = [
    path("", views.home, name="home"),
    path("letters/new/", views.letter_create, name="letter-create"),
    path("letters/<int:pk>/", views.letter_detail, name="letter-detail"),
    path("packets/import/", views.packet_import, name="packet-import"),
    path("packets/<int:pk>/", views.packet_detail, name="packet-detail"),
    path("packets/<int:pk>/withdraw/", views.packet_withdraw, name="packet-withdraw"),
    path("members/<int:pk>/export/", views.packet_export, name="packet-export"),
    path("p/<str:token>/", views.packet_download, name="packet-download"),
    path("installations/", views.installation_list, name="installations"),
    path("installations/<int:pk>/revoke/", views.installation_revoke, name="installation-revoke"),
]
