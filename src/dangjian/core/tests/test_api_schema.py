"""The API against its own OpenAPI schema (schemathesis): every operation the schema lists
(including those added later), generated requests as the county organizer of the test cast, all
built-in checks.

Nothing is excluded: state-changing operations (dissolve, merge, undo, ballots …) run too, each
operation in its own test transaction on a fresh cast. One configured difference from the
defaults: a schema-valid request may be refused with 400, because the business rules (ID number
check digit, date order, scope, poll state …) are not expressible in the schema; such a refusal
still has to match the documented error body.
"""

from __future__ import annotations

import datetime as dt
import json
import os
from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis
from django.contrib.auth import get_user_model
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from drf_spectacular.generators import SchemaGenerator
from drf_spectacular.renderers import OpenApiJsonRenderer
from hypothesis import HealthCheck, settings
from rest_framework.authtoken.models import Token
from schemathesis.config import SchemathesisConfig

from dangjian.accounts.models import Role
from dangjian.accounts.services import grant_role
from dangjian.conftest import Cast
from dangjian.members.models import Member
from dangjian.orgs.models import Organization
from dangjian.recruitment.models import Applicant
from dangjian.recruitment.services import ApplicantData, register_applicant
from dangjian.rosters.models import ImportBatch
from dangjian.testing import make_id_number
from dangjian.votes.models import Poll
from dangjian.votes.services import PollDraft, create_poll, open_poll

TOKEN = "0123456789abcdef0123456789abcdef01234567"  # the county organizer's, made per test
ADMIN_TOKEN = "abcdef0123456789abcdef0123456789abcdef01"  # the 系统管理员's
# Operations only the 系统管理员 may call (三员分立): sent with the administrator's token.
ADMIN_PATHS = {"/api/rules/revisions/"}
CONFIG = {
    "checks": {"positive_data_acceptance": {"expected-statuses": ["2xx", "400", "404", "409"]}}
}
EXAMPLES = 20


def openapi() -> dict[str, Any]:
    """The schema /api/schema/ serves, as plain JSON."""
    raw = SchemaGenerator().get_schema(request=None, public=True)
    return json.loads(OpenApiJsonRenderer().render(raw))


schema = schemathesis.openapi.from_dict(openapi(), config=SchemathesisConfig.from_dict(CONFIG))
schema.app = get_wsgi_application()


# {id} of these resources mostly names a real object of the cast (generated ids rarely exist);
# other resources, and ids that are not integers (negative cases), keep what was generated.
RESOURCES = {
    "orgs": Organization, "members": Member, "polls": Poll, "roster-imports": ImportBatch,
    "recruitment": Applicant,
}  # fmt: skip


@schema.hook
def map_path_parameters(context: Any, path_parameters: dict[str, Any]) -> dict[str, Any]:
    model = RESOURCES.get(context.operation.path.split("/")[2])
    value = (path_parameters or {}).get("id")
    if model is None or not isinstance(value, int) or isinstance(value, bool) or value % 5 == 4:
        return path_parameters
    ids = list(model.objects.order_by("pk").values_list("pk", flat=True))
    return {**path_parameters, "id": ids[value % len(ids)]} if ids else path_parameters


@schema.auth()
class CountyOrganizer:
    """A DRF token, so schemathesis knows the credential and can probe without it: the county
    organizer's, or the system administrator's for the administrator's own operations."""

    def get(self, case: Any, context: Any) -> str:
        return TOKEN

    def set(self, case: Any, data: str, context: Any) -> None:
        # `get` is cached across operations; the administrator's operations swap it here.
        token = ADMIN_TOKEN if case.path in ADMIN_PATHS else data
        case.headers = {**(case.headers or {}), "Authorization": f"Token {token}"}


@pytest.fixture
def api_user(cast: Cast, settings: Any) -> Iterator[Any]:
    """The cast, a known token, and requests served inside the test's transaction."""
    settings.ALLOWED_HOSTS = ["*"]
    Token.objects.create(user=cast.county_admin, key=TOKEN)
    Token.objects.create(user=cast.sysadmin, key=ADMIN_TOKEN)
    open_motion(cast)
    an_application(cast)
    request_started.disconnect(close_old_connections)  # the WSGI handler would close the
    request_finished.disconnect(close_old_connections)  # connection of the test transaction
    try:
        yield get_user_model().objects.get(pk=cast.county_admin.pk)
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


def an_application(cast: Cast) -> None:
    """A 发展党员 file of the branch awaiting its 谈话, so its steps have one to work on; the
    organizer also holds the 党委's role over the branch (城关镇), so no step of the file is
    refused for want of an ability (403) whatever the generated step."""
    grant_role(actor=None, user=cast.county_admin, role=Role.PARTY_COMMITTEE, org=cast.township,
               bootstrap=True)  # fmt: skip
    born = dt.date(2000, 1, 5)
    data = ApplicantData(
        name="接口申请人", gender="M", ethnicity="01", birth_date=born,
        id_number=make_id_number(born), education="ba", person_category="worker",
        applied_on=dt.date(2026, 1, 5),
    )  # fmt: skip
    register_applicant(actor=cast.secretary, org=cast.branch, data=data)


def open_motion(cast: Cast) -> None:
    """A poll of the branch, open for votes, so the poll operations have one to work on."""
    draft = PollDraft(
        title="接口测试表决",
        kind=Poll.Kind.MOTION,
        method=Poll.Method.ONLINE,
        preset="meeting",
        electorate_on=dt.date(2026, 1, 5),
    )
    open_poll(
        actor=cast.secretary,
        poll=create_poll(actor=cast.secretary, organization=cast.branch, draft=draft),
    )


@schema.parametrize()
# derandomize: the same examples on every run, so `main` stays green unless the code or the
# schema changes; set DANGJIAN_SCHEMATHESIS_EXPLORE=1 to explore new examples locally.
@settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=list(HealthCheck),
    derandomize=not os.environ.get("DANGJIAN_SCHEMATHESIS_EXPLORE"),
)
def test_api_conforms_to_its_schema(case: Any, api_user: Any) -> None:
    case.call_and_validate()
