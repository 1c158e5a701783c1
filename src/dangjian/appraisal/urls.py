from django.urls import path

from dangjian.appraisal import views

app_name = "appraisal"
urlpatterns = [
    path("", views.appraisal_list, name="list"),
    path("start/", views.appraisal_start, name="start"),
    path("<int:pk>/", views.appraisal_detail, name="detail"),
    path("<int:pk>/peer-review/", views.peer_review, name="peer-review"),
    path("<int:pk>/test/", views.hold_test, name="hold-test"),
    path("<int:pk>/test/count/", views.count_test, name="count-test"),
    path("<int:pk>/test/record/", views.record_test, name="record-test"),
    path("<int:pk>/rate/", views.rate, name="rate"),
    path("<int:pk>/publish/", views.publish, name="publish"),
    path("<int:pk>/apply/", views.apply, name="apply"),
    path("<int:pk>/sheet.pdf", views.result_sheet, name="sheet"),
    path("entries/<int:pk>/", views.entry_detail, name="entry"),
    path("entries/<int:pk>/peer/", views.entry_peer, name="entry-peer"),
    path("dispositions/", views.disposition_list, name="dispositions"),
    path("dispositions/<int:pk>/", views.disposition_detail, name="disposition"),
    path("dispositions/<int:pk>/deadline/", views.d_set_deadline, name="d-set-deadline"),
    path("dispositions/<int:pk>/correct/", views.d_correct, name="d-correct"),
    path("dispositions/<int:pk>/propose/", views.d_propose, name="d-propose"),
    path("dispositions/<int:pk>/hear/", views.d_hear_member, name="d-hear-member"),
    path("dispositions/<int:pk>/vote/", views.d_put_to_vote, name="d-put-to-vote"),
    path("dispositions/<int:pk>/vote/count/", views.d_count, name="d-count"),
    path("dispositions/<int:pk>/decide/", views.d_decide, name="d-decide"),
    path("dispositions/<int:pk>/approve/", views.d_approve, name="d-approve"),
    path("dispositions/<int:pk>/refuse/", views.d_refuse, name="d-refuse"),
    path("dispositions/<int:pk>/refuses-advice/", views.d_refuses_advice, name="d-refuses-advice"),
    path("dispositions/<int:pk>/exit/", views.d_record_exit, name="d-record-exit"),
    path("dispositions/<int:pk>/withdraw/", views.d_withdraw, name="d-withdraw"),
    path("lapses/", views.lapses, name="lapses"),
    path("lapses/<int:pk>/propose/", views.lapse_propose, name="lapse-propose"),
]
