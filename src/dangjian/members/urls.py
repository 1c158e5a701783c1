from django.urls import path

from dangjian.members import views

app_name = "members"
urlpatterns = [
    path("", views.member_list, name="list"),
    path("new/", views.member_create, name="create"),
    path("org/<int:pk>/accounts/", views.member_accounts, name="accounts"),
    path("<int:pk>/", views.member_detail, name="detail"),
    path("<int:pk>/edit/", views.member_edit, name="edit"),
    path("<int:pk>/reveal/", views.member_reveal, name="reveal"),
    path("<int:pk>/group/", views.group_assign, name="group"),
    path("<int:pk>/events/new/", views.event_create, name="event-create"),
    path("<int:pk>/events/<int:event_pk>/void/", views.event_void, name="event-void"),
    path("<int:pk>/account/", views.member_account, name="account"),
    path("<int:pk>/account/unlink/", views.member_account_unlink, name="account-unlink"),
    path("<int:pk>/probations/", views.probations, name="probations"),
    path("<int:pk>/probations/new/", views.probation_add, name="probation-add"),
    path("<int:pk>/probations/<int:probation_pk>/end/", views.probation_end, name="probation-end"),
]
