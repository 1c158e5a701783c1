from django.urls import path

from dangjian.votes import views

app_name = "votes"
urlpatterns = [
    path("", views.poll_list, name="list"),
    path("new/", views.poll_create, name="create"),
    path("<int:pk>/", views.poll_detail, name="detail"),
    path("<int:pk>/turnout/", views.poll_turnout, name="turnout"),
    path("<int:pk>/reorder/", views.reorder, name="reorder"),
    path("<int:pk>/open/", views.poll_open, name="poll-open"),
    path("<int:pk>/close/", views.poll_close, name="poll-close"),
    path("<int:pk>/attendance/", views.attendance, name="attendance"),
    path("<int:pk>/written-opinion/", views.written_opinion, name="written-opinion"),
    path("<int:pk>/paper-ballot/", views.paper_ballot, name="paper-ballot"),
    path("<int:pk>/paper-counts/", views.paper_counts, name="paper-counts"),
    path("<int:pk>/recount/", views.recount, name="recount"),
    path("<int:pk>/next-round/", views.next_round, name="next-round"),
    path("<int:pk>/record.pdf", views.record_pdf, name="record-pdf"),
    path("v/<str:token>/", views.vote, name="vote"),
]
