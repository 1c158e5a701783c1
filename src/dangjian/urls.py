from django.urls import include, path, re_path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from dangjian.core import views as core_views
from dangjian.core.api import not_found

urlpatterns = [
    path("", include("dangjian.home.urls")),
    path("health/", core_views.health, name="health"),  # 就绪检查 (public: probes carry no login)
    path("health/live/", core_views.health_live, name="health-live"),
    path("accounts/", include("dangjian.accounts.urls")),
    path("orgs/", include("dangjian.orgs.urls")),
    path("members/", include("dangjian.members.urls")),
    path("documents/", include("dangjian.documents.urls")),
    path("rosters/", include("dangjian.rosters.urls")),
    path("stats/", include("dangjian.stats.urls")),
    path("audit/", include("dangjian.audit.urls")),
    path("votes/", include("dangjian.votes.urls")),
    path("transfers/", include("dangjian.transfers.urls")),
    path("mobile/", include("dangjian.mobile.urls")),
    path("exchange/", include("dangjian.exchange.urls")),
    path("stations/", include("dangjian.stations.urls")),
    path("meetings/", include("dangjian.meetings.urls")),
    path("appraisal/", include("dangjian.appraisal.urls")),
    path("deliberations/", include("dangjian.deliberations.urls")),
    path("recruitment/", include("dangjian.recruitment.urls")),
    path("api/", include("dangjian.api_urls")),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path(
        "api/docs/",
        SpectacularSwaggerSplitView.as_view(
            url_name="api-schema", template_name="core/swagger_ui.html"
        ),
        name="api-docs",
    ),
    re_path(r"^api/.", not_found),  # last: any other API path is a JSON 404, not an HTML page
]

# JSON for unknown /api/ addresses and API failures, the Chinese pages for everything else.
handler404 = "dangjian.core.views.not_found"
handler500 = "dangjian.core.views.server_error"
