"""Every role against every object: nobody sees or changes anything outside their scope.

Which ability each route needs, and which role holds it, is the route × ability × role matrix
in `test_ability_matrix.py` (it fails for a route without an entry); the tests here walk the
object routes over every object of the cast, inside and outside each user's scope.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from dangjian.audit.models import AuditEvent
from dangjian.conftest import PASSWORD
from dangjian.members.models import Member, MemberEvent
from dangjian.orgs.models import Organization

ORG_ROUTES = {
    "orgs:detail",
    "orgs:children",
    "orgs:create",
    "orgs:edit",
    "orgs:move",
    "orgs:merge",
    "orgs:dissolve",
    "rosters:org-roster",
    "org-detail",
    "org-children",
    "org-roster",
    "org-move",
    "org-merge",
    "org-dissolve",
    "members:accounts",
}
MEMBER_ROUTES = {
    "members:detail",
    "members:edit",
    "members:reveal",
    "members:event-create",
    "members:group",
    "members:probations",
    "members:probation-add",
    "rosters:member-sheet",
    "member-detail",
    "member-events",
    "member-event-kinds",
    "member-reveal",
    "members:account",
    "members:account-unlink",
}
EVENT_ROUTES = {"members:event-void"}
# A member's 留党察看 period: its own scope tests in members/tests/test_party_probation.py.
PROBATION_ROUTES = {"members:probation-end"}
# Batches and export files: their own scope tests in rosters/tests/test_roster_pages.py.
ROSTER_OBJECT_ROUTES = {
    "rosters:batch",
    "rosters:batch-confirm",
    "rosters:batch-file",
    "rosters:batch-undo",
    "rosters:export-job",
    "rosters:export-download",
    "roster-import-detail",
    "roster-import-confirm",
    "roster-import-undo",
}
ROLE_PAGES = {
    "accounts:users": "sysadmin",
    "accounts:grants": "secadmin",
    "audit:list": "auditadmin",
}
ROLE_OBJECT_ROUTES = {
    "accounts:user-toggle": "sysadmin",
    "accounts:user-reset-password": "sysadmin",
    "accounts:grant-revoke": "secadmin",
}
SCOPED_LISTS = {
    "core:home",
    "orgs:tree",
    "members:list",
    "members:create",
    "rosters:home",
    "rosters:template",
    "rosters:upload",
    "rosters:export",
    "roster-import-list",
    "stats:report",
    "stats:report-xlsx",
    "stats:query",
    "stats:query-xlsx",
    "stats:query-members",
    "stats:coverage",
    "stats-report",
    "stats-query",
    "stats-coverage",
    "org-list",
    "member-list",
    "workbench",  # the 工作台 as data: core/tests/test_workbench.py
}
POLL_ROUTES = {
    "votes:detail",
    "votes:turnout",
    "votes:reorder",
    "votes:poll-open",
    "votes:poll-close",
    "votes:attendance",
    "votes:written-opinion",
    "votes:paper-ballot",
    "votes:paper-counts",
    "votes:recount",
    "votes:next-round",
    "votes:record-pdf",
    "poll-detail",
    "poll-open",
    "poll-close",
    "poll-attendance",
    "poll-written-opinions",
    "poll-paper-ballots",
    "poll-paper-counts",
    "poll-recount",
    "poll-next-round",
    "poll-ballot",
    "poll-turnout",
}
# By the poll's short code, not its id: its own tests in votes/tests/test_pages.py.
POLL_TOKEN_ROUTES = {"votes:vote"}
SCOPED_LISTS |= {"votes:list", "votes:create", "poll-list"}
# 档案材料 (by document id, or a registered record's label and id): their own scope tests in
# documents/tests (outsider refused upload, list, detail and download).
DOCUMENT_ROUTES = {
    "documents:upload",
    "documents:document-download",
    "document-list",
    "document-detail",
    "document-download",
}
PUBLIC = {"accounts:login", "accounts:logout"}
# 党员服务站名录: open stations' published details, no member data (stations/tests/test_pages.py).
PUBLIC |= {"stations:public"}
# The transfer packet's capability URL (the QR code on the letter): exchange/tests/test_packets.py.
PUBLIC |= {"exchange:packet-download"}
# 健康检查 for probes (no login, no data: check names only): core/tests/test_health.py.
PUBLIC |= {"health", "health-live"}
# Own account only (修改密码): accounts/tests/test_passwords.py.
ANY_LOGIN_OWN = {"accounts:password-change"}
# Own notifications only: core/tests/test_notifications.py.
ANY_LOGIN_OWN |= {"core:notifications", "core:notification-read", "core:notifications-read-all"}
ANY_LOGIN = {"api-root"}  # the API's list of entry points, no data
# 接口文档 for the roles that use the API only: accounts/tests/test_api_docs.py.
ROLE_PAGES_API = {"api-schema", "api-docs"}

USERS = [
    "county_admin",
    "township_admin",
    "secretary",
    "member_user",
    "outsider",
    "sysadmin",
    "secadmin",
    "auditadmin",
]
# Which cast members (by attribute) each user may see.
SEES_MEMBERS = {
    "county_admin": {"member", "neighbour"},
    "township_admin": {"member"},
    "secretary": {"member"},
    "member_user": {"member"},
    "outsider": {"far_member"},
    "sysadmin": set(),
    "secadmin": set(),
    "auditadmin": set(),
}
SEES_ORGS = {
    "county_admin": {"county", "township", "branch", "other_branch"},
    "township_admin": {"township", "branch"},
    "secretary": {"branch"},
    "member_user": set(),
    "outsider": {"far_county", "far_branch"},
    "sysadmin": set(),
    "secadmin": set(),
    "auditadmin": set(),
}
MEMBER_NAMES = {"member": "李明", "neighbour": "王芳", "far_member": "赵强"}
ORG_ATTRS = ["county", "township", "branch", "other_branch", "far_county", "far_branch"]


def all_routes() -> dict[str, list[str]]:
    """Route name → its URL keyword arguments, for every named route in the project."""
    found: dict[str, list[str]] = {}

    def walk(patterns: list[Any], namespace: str | None) -> None:
        for p in patterns:
            if isinstance(p, URLResolver):
                walk(p.url_patterns, p.namespace or namespace)
            elif isinstance(p, URLPattern) and p.name:
                kwargs = list(p.pattern.regex.groupindex)
                if "format" in kwargs:
                    continue
                name = f"{namespace}:{p.name}" if namespace else p.name
                found[name] = kwargs

    walk(get_resolver().url_patterns, None)
    return found


def _state() -> tuple:
    """A fingerprint of all writable data, to prove a refused request changed nothing."""
    return (
        list(Member.objects.order_by("pk").values_list("pk", "version", "org_id", "status")),
        list(Organization.objects.order_by("pk").values_list("pk", "version", "path", "status")),
        MemberEvent.objects.count(),
    )


@pytest.mark.parametrize("username", USERS)
def test_object_routes_refuse_what_lies_outside_scope(cast, username):
    user = getattr(cast, username)
    client = cast.client(user)
    before = _state()
    for name in sorted(ORG_ROUTES):
        for attr in ORG_ATTRS:
            url = reverse(name, kwargs={"pk": getattr(cast, attr).pk})
            visible = attr in SEES_ORGS[username]
            for method in ("get", "post"):
                status = getattr(client, method)(url).status_code
                if not visible:
                    assert status in (403, 404, 405), (username, name, attr, method, status)
    for name in sorted(MEMBER_ROUTES):
        for attr in MEMBER_NAMES:
            url = reverse(name, kwargs={"pk": getattr(cast, attr).pk})
            for method in ("get", "post"):
                status = getattr(client, method)(url).status_code
                if attr not in SEES_MEMBERS[username]:
                    assert status in (403, 404, 405), (username, name, attr, method, status)
    for attr in MEMBER_NAMES:
        member = getattr(cast, attr)
        event = member.events.first()
        url = reverse("members:event-void", kwargs={"pk": member.pk, "event_pk": event.pk})
        status = client.post(url, {"reason": "试探"}).status_code
        if attr not in SEES_MEMBERS[username] or username == "member_user":
            assert status in (403, 404), (username, attr, status)
    if username not in ("county_admin", "township_admin", "secretary"):
        assert _state() == before


# Which polls each user sees: the branch's to its managers above and to its voter (李明).
SEES_POLLS = {
    "county_admin": {"branch"},
    "township_admin": {"branch"},
    "secretary": {"branch"},
    "member_user": {"branch"},
    "outsider": {"far"},
    "sysadmin": set(),
    "secadmin": set(),
    "auditadmin": set(),
}


def _open_motion(actor, org):
    from dangjian.votes.models import Poll
    from dangjian.votes.services import PollDraft, create_poll, open_poll

    draft = PollDraft(
        title="试探表决",
        kind=Poll.Kind.MOTION,
        method=Poll.Method.ONLINE,
        preset="meeting",
        electorate_on=dt.date.today(),
    )
    return open_poll(actor=actor, poll=create_poll(actor=actor, organization=org, draft=draft))


def _poll_state():
    from dangjian.votes.models import Ballot, Poll

    return list(Poll.objects.order_by("pk").values_list("pk", "version")), Ballot.objects.count()


@pytest.mark.parametrize("username", USERS)
def test_poll_routes_refuse_what_lies_outside_scope(cast, username):
    polls = {
        "branch": _open_motion(cast.secretary, cast.branch),
        "far": _open_motion(cast.outsider, cast.far_branch),
    }
    client = cast.client(getattr(cast, username))
    before = _poll_state()
    for name in sorted(POLL_ROUTES):
        for where, poll in polls.items():
            url = reverse(name, kwargs={"pk": poll.pk})
            for method in ("get", "post"):
                status = getattr(client, method)(url).status_code
                if where not in SEES_POLLS[username]:
                    assert status in (403, 404, 405), (username, name, where, method, status)
    if username not in ("county_admin", "township_admin", "secretary", "member_user"):
        assert _poll_state() == before


@pytest.mark.parametrize("username", USERS)
def test_visible_objects_open(cast, username):
    client = cast.client(getattr(cast, username))
    for attr in SEES_MEMBERS[username]:
        assert (
            client.get(reverse("members:detail", args=[getattr(cast, attr).pk])).status_code == 200
        )
        assert (
            client.get(reverse("member-detail", args=[getattr(cast, attr).pk])).status_code == 200
        )
    for attr in SEES_ORGS[username]:
        assert client.get(reverse("orgs:detail", args=[getattr(cast, attr).pk])).status_code == 200


@pytest.mark.parametrize("username", USERS)
def test_lists_show_only_members_in_scope(cast, username):
    client = cast.client(getattr(cast, username))
    pages = [client.get(reverse("members:list")), client.get(reverse("member-list"))]
    for response in pages:
        body = response.content.decode() if response.status_code == 200 else ""
        for attr, name in MEMBER_NAMES.items():
            if attr not in SEES_MEMBERS[username]:
                assert name not in body, (username, response.request["PATH_INFO"], name)


@pytest.mark.parametrize("username", USERS)
def test_org_lists_show_only_orgs_in_scope(cast, username):
    client = cast.client(getattr(cast, username))
    body = client.get(reverse("org-list")).content.decode()
    tree = client.get(reverse("orgs:tree")).content.decode()
    for attr in ORG_ATTRS:
        name = getattr(cast, attr).name
        if attr not in SEES_ORGS[username]:
            assert name not in body and name not in tree, (username, attr)
        else:
            assert name in body, (username, attr)


@pytest.mark.parametrize("route,role", sorted(ROLE_PAGES.items()))
def test_admin_pages_are_for_their_administrator_only(cast, route, role):
    for username in USERS:
        status = cast.client(getattr(cast, username)).get(reverse(route)).status_code
        assert status == (200 if username == role else 403), (route, username, status)


def test_admin_object_routes_refuse_others(cast):
    grant = cast.secretary.role_grants.first()
    for username in USERS:
        client = cast.client(getattr(cast, username))
        if username != "sysadmin":
            url = reverse("accounts:user-toggle", args=[cast.secretary.pk])
            assert client.post(url).status_code == 403
            url = reverse("accounts:user-reset-password", args=[cast.secretary.pk])
            assert client.post(url, {"confirmed": "1"}).status_code == 403
        if username != "secadmin":
            url = reverse("accounts:grant-revoke", args=[grant.pk])
            assert client.post(url).status_code == 403
    cast.secretary.refresh_from_db()
    assert cast.secretary.is_active
    assert cast.secretary.check_password(PASSWORD)
    assert grant.__class__.objects.get(pk=grant.pk).revoked_at is None


def test_anonymous_is_sent_to_login_everywhere(client, cast):
    for name, kwargs in all_routes().items():
        if name in PUBLIC:
            continue
        args = {k: cast.member.pk for k in kwargs}
        if "event_pk" in kwargs:
            args["event_pk"] = cast.member.events.first().pk
        response = client.get(reverse(name, kwargs=args))
        assert response.status_code in (302, 401, 403), (name, response.status_code)
        if response.status_code == 302:
            assert "/accounts/login/" in response["Location"]


def test_member_cannot_write_own_record(cast):
    client = cast.client(cast.member_user)
    assert client.get(reverse("members:edit", args=[cast.member.pk])).status_code == 403
    response = client.patch(
        reverse("member-detail", args=[cast.member.pk]),
        {"version": 1, "name": "李小明"},
        content_type="application/json",
    )
    assert response.status_code == 403
    assert not AuditEvent.objects.filter(action="members.update_member").exists()


def test_api_description_needs_a_login(client, cast):
    assert client.get(reverse("api-schema")).status_code in (401, 403)
    assert cast.client(cast.county_admin).get(reverse("api-schema")).status_code == 200
