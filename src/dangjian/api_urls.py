"""The JSON API (DRF). Each app's viewsets live in its own api.py."""

from django.urls import include, path
from rest_framework.routers import DefaultRouter

from dangjian.appraisal.api import AppraisalViewSet, DispositionViewSet, EntryViewSet
from dangjian.core.api import RuleListView
from dangjian.deliberations.api import MatterViewSet
from dangjian.documents.api import DocumentViewSet
from dangjian.exchange.api import IncomingLetterViewSet
from dangjian.home.views import RuleRevisionView, WorkbenchView
from dangjian.meetings.api import MeetingViewSet
from dangjian.meetings.cadence_views import ComplianceView, OrgCadenceView
from dangjian.meetings.plan_views import PlanView
from dangjian.members.api import MemberViewSet
from dangjian.mobile.api import InformationView, StayViewSet
from dangjian.orgs.api import OrganizationViewSet
from dangjian.recruitment.api import ApplicantViewSet
from dangjian.rosters.api import ImportBatchViewSet
from dangjian.stations.api import HelpRecordViewSet, StationViewSet
from dangjian.stats.api import CoverageView, QueryView, ReportView
from dangjian.transfers.api import TransferViewSet
from dangjian.votes.api import PollViewSet

router = DefaultRouter()
router.register("orgs", OrganizationViewSet, basename="org")
router.register("members", MemberViewSet, basename="member")
router.register("roster-imports", ImportBatchViewSet, basename="roster-import")
router.register("polls", PollViewSet, basename="poll")
router.register("documents", DocumentViewSet, basename="document")
# before "stations": its detail route would take "help" for an id
router.register("stations/help", HelpRecordViewSet, basename="station-help")
router.register("stations", StationViewSet, basename="station")
router.register("transfers", TransferViewSet, basename="transfer")
router.register("mobile/stays", StayViewSet, basename="mobile-stay")
router.register("meetings", MeetingViewSet, basename="meeting")
router.register("exchange-letters", IncomingLetterViewSet, basename="exchange-letter")
router.register("deliberations", MatterViewSet, basename="matter")
# before "appraisals": its detail route would take "entries" for an id
router.register("appraisals/entries", EntryViewSet, basename="appraisal-entry")
router.register("appraisals/dispositions", DispositionViewSet, basename="disposition")
router.register("appraisals", AppraisalViewSet, basename="appraisal")
router.register("recruitment/applicants", ApplicantViewSet, basename="recruitment-applicant")

urlpatterns = [
    path("", include(router.urls)),
    path("workbench/", WorkbenchView.as_view(), name="workbench"),
    path("stats/report/", ReportView.as_view(), name="stats-report"),
    path("stats/query/", QueryView.as_view(), name="stats-query"),
    path("stats/coverage/", CoverageView.as_view(), name="stats-coverage"),
    path("mobile/information/", InformationView.as_view(), name="mobile-information"),
    path("rules/", RuleListView.as_view(), name="rule-list"),
    path("rules/revisions/", RuleRevisionView.as_view(), name="rule-revise"),
    path("meetings/cadence/", ComplianceView.as_view(), name="meeting-cadence"),
    path("meetings/cadence/orgs/<int:pk>/", OrgCadenceView.as_view(), name="meeting-cadence-org"),
    path("meetings/plans/<int:pk>/", PlanView.as_view(), name="meeting-plan"),
]
