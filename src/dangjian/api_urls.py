"""The JSON API (DRF). Each app's viewsets live in its own api.py."""

from django.urls import include, path
from rest_framework.routers import DefaultRouter

from dangjian.members.api import MemberViewSet
from dangjian.orgs.api import OrganizationViewSet
from dangjian.rosters.api import ImportBatchViewSet

router = DefaultRouter()
router.register("orgs", OrganizationViewSet, basename="org")
router.register("members", MemberViewSet, basename="member")
router.register("roster-imports", ImportBatchViewSet, basename="roster-import")

urlpatterns = [path("", include(router.urls))]
