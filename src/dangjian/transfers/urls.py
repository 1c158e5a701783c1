from django.urls import path

from dangjian.transfers import views

app_name = "transfers"
urlpatterns = [
    path("", views.transfer_list, name="list"),
    path("request/", views.transfer_request, name="request"),
    path("members/<int:pk>/new/", views.transfer_create, name="create"),
    path("<int:pk>/", views.transfer_detail, name="detail"),
    path("<int:pk>/accept/", views.accept, name="accept"),
    path("<int:pk>/decline/", views.decline, name="decline"),
    path("<int:pk>/issue/", views.issue, name="issue"),
    path("<int:pk>/refuse/", views.refuse, name="refuse"),
    path("<int:pk>/arrive/", views.arrive, name="arrive"),
    path("<int:pk>/return/", views.return_letter, name="return"),
    path("<int:pk>/receipt/", views.receipt, name="receipt"),
    path("<int:pk>/withdraw/", views.withdraw, name="withdraw"),
    path("<int:pk>/packet/", views.make_packet, name="packet"),
    path("<int:pk>/letter.pdf", views.letter_pdf, name="letter"),
]
