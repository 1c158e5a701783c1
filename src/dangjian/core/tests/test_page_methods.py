"""Pages answer only what a page can send: PUT/PATCH/DELETE get 405 everywhere, and pages that
only show something refuse POST too."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import resolve, reverse
from rest_framework.views import APIView

from dangjian.accounts.tests.test_scope_matrix import all_routes
from dangjian.conftest import Cast

GET_ONLY = {
    "core:home",
    "core:notifications",
    "core:rules",
    "orgs:tree",
    "orgs:children",
    "orgs:detail",
    "members:list",
    "members:detail",
    "rosters:home",
    "rosters:template",
    "rosters:batch",
    "rosters:batch-file",
    "rosters:export-job",
    "rosters:export-download",
    "rosters:member-sheet",
    "rosters:org-roster",
    "stats:report",
    "stats:coverage",
    "stats:report-xlsx",
    "stats:query",
    "audit:list",
    "votes:list",
    "votes:detail",
    "votes:turnout",
    "votes:record-pdf",
    "transfers:list",
    "transfers:detail",
    "transfers:letter",
    "stations:list",
    "stations:public",
    "stations:detail",
    "stations:help-list",
    "stations:help-detail",
    "exchange:home",
    "exchange:letter-detail",
    "exchange:packet-detail",
    "exchange:packet-download",
    "meetings:scan",
    "meetings:scan-screen",
    "meetings:scan-screen-code",
    "meetings:cadence",
    "meetings:cadence-export",
    "meetings:cadence-org",
    "meetings:plan",
    "accounts:otp",
    "accounts:otp-accounts",
}


def _url(name: str, kwargs: list[str]) -> str:
    return reverse(name, kwargs={k: ("abc" if k == "token" else 1) for k in kwargs})


def page_routes() -> dict[str, str]:
    """Every named route that is a page, not the JSON API (DRF answers 405 itself)."""
    found = {}
    for name, kwargs in all_routes().items():
        url = _url(name, kwargs)
        view_class = getattr(resolve(url).func, "cls", None)
        if not (isinstance(view_class, type) and issubclass(view_class, APIView)):
            found[name] = url
    return found


def test_get_only_list_names_real_pages() -> None:
    assert GET_ONLY - set(page_routes()) == set()


@pytest.mark.parametrize("method", ["put", "patch", "delete"])
def test_every_page_refuses_put_patch_delete(cast: Cast, method: str) -> None:
    client = cast.client(cast.county_admin)
    answers = {
        name: getattr(client, method)(url).status_code for name, url in page_routes().items()
    }
    assert {name: s for name, s in answers.items() if s != 405} == {}


def test_every_get_only_page_refuses_post(cast: Cast) -> None:
    client = cast.client(cast.county_admin)
    routes = page_routes()
    answers = {name: client.post(routes[name]).status_code for name in sorted(GET_ONLY)}
    assert {name: s for name, s in answers.items() if s != 405} == {}


@pytest.mark.parametrize("method", ["post", "put", "patch", "delete"])
def test_audit_log_refuses_writes_even_to_its_administrator(cast: Cast, method: str) -> None:
    client = cast.client(cast.auditadmin)
    response = getattr(client, method)(reverse("audit:list"))
    assert response.status_code == 405 and "GET" in response["Allow"]
    assert client.get(reverse("audit:list")).status_code == 200


def test_anonymous_put_is_refused_before_the_login_redirect(client: Any) -> None:
    assert client.put(reverse("core:home")).status_code == 405
