"""Every page fits a 390 px phone screen, for every role of the demo cast.

The pages are read from the URL resolver (as accounts/tests/test_scope_matrix.py does), their
path parameters filled with real objects of the demo county, so a page added later is opened
here without anyone listing it. Each role logs in once and opens every page in one browser
page; a page out of the role's scope is opened too (it shows the 403/404 page, which must fit
as well).

Which routes are not pages (skipped, see `is_page`):
- the API (`/api/…`: JSON, the schema and the Swagger UI, made for machines and developers)
  and the health probes (`/health/…`: JSON for a load balancer or systemd);
- downloads: a URL ending in a file name (`.pdf`, `.xlsx`) or a route named `*-download` /
  `*-file`;
- logging out (it would end the role's session);
- POST-only actions (open a poll, revoke a grant …) answer a GET with 405: not a page;
- htmx fragments (no `<html>` document, e.g. a poll's turnout box) are checked inside the
  page that loads them.

The overflow rule (`OVERFLOW_JS`): the document is no wider than the viewport
(`scrollWidth <= innerWidth`), and no visible element reaches past either edge of the
viewport, unless it sits inside a horizontally scrollable box (`overflow-x: auto|scroll`) that
itself fits: that is how a wide table is meant to be shown (`.table-wrap`), and only there may
content be wider than the screen.
"""

from __future__ import annotations

import datetime as dt
import os
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from playwright.sync_api import Error as PlaywrightError

from dangjian.browser_tests.conftest import login, screenshot
from dangjian.demo.generator import DEMO_PASSWORD
from dangjian.demo.services import LOGINS, load_demo
from dangjian.exchange.models import ExportedPacket, IncomingLetter, TrustedInstallation
from dangjian.members.models import Member, PartyProbation
from dangjian.members.services import record_party_probation
from dangjian.mobile.models import MobileStay
from dangjian.orgs.models import Organization, OrgKind
from dangjian.recruitment.models import Applicant
from dangjian.rosters import services as rosters
from dangjian.rosters.models import ExportJob, ImportBatch
from dangjian.rosters.testing import roster_row, xlsx
from dangjian.stations.models import HelpRecord, Station
from dangjian.transfers.models import Transfer
from dangjian.votes.models import Poll

PHONE = {"width": 390, "height": 844}
# DANGJIAN_PHONE_SHOTS=county,member: keep a picture of every page those roles open, to look
# at (test-artifacts/phone-*.png); pages that overflow are always kept.
SHOTS = set(os.environ.get("DANGJIAN_PHONE_SHOTS", "").split(","))

OVERFLOW_JS = """
() => {
  const vw = window.innerWidth;
  const found = [];
  const doc = document.documentElement.scrollWidth;
  if (doc > vw) found.push(`document ${doc}px`);
  const scroller = (el) => {
    for (let p = el.parentElement; p && p !== document.body; p = p.parentElement) {
      const x = getComputedStyle(p).overflowX;
      if (x === 'auto' || x === 'scroll') return p;
    }
    return null;
  };
  for (const el of document.body.querySelectorAll('*')) {
    const r = el.getBoundingClientRect();
    if (r.width === 0 || r.height === 0) continue;
    if (r.left >= -1 && r.right <= vw + 1) continue;
    const box = scroller(el);
    if (box) {
      const b = box.getBoundingClientRect();
      if (b.left >= -1 && b.right <= vw + 1) continue;
    }
    const cls = typeof el.className === 'string' ? el.className.trim() : '';
    const name = el.tagName.toLowerCase() + (el.id ? '#' + el.id : '') +
      (cls ? '.' + cls.split(/\\s+/).join('.') : '');
    found.push(`${name} ${Math.round(r.left)}..${Math.round(r.right)}px`);
    if (found.length > 5) break;
  }
  return found;
}
"""


@dataclass
class Objects:
    """One or more real objects for each kind of path parameter."""

    orgs: list[Organization]
    member: Member
    polls: list[Poll]
    batch: ImportBatch
    job: ExportJob
    probation: PartyProbation
    user: Any
    grant: Any
    stations: list[Any]
    helps: list[Any]
    stays: list[Any]
    letters: list[Any]
    packets: list[Any]
    installations: list[Any]
    transfers: list[Any]
    meetings: list[Any]
    matters: list[Any]
    appraisals: list[Any]
    entries: list[Any]
    dispositions: list[Any]
    applicants: list[Any]


# Route name (or name prefix) → which objects fill its `pk`. A new route with a `pk` that no
# entry covers fails `test_every_parametrised_route_has_objects` until it is added here.
PK_SOURCES = {
    "orgs:": "orgs",
    "rosters:org-roster": "orgs",
    "members:": "member",
    "rosters:member-sheet": "member",
    "votes:": "polls",
    "rosters:batch": "batch",
    "rosters:export": "job",
    "accounts:user-": "user",
    "accounts:grant-": "grant",
    "accounts:otp-reset": "user",  # 重置两步验证: POST-only (405 on GET, not a page)
    "accounts:member-": "member",
    "core:notification-read": "member",  # POST-only (405 on GET, not a page): any id will do
    "members:accounts": "orgs",
    "documents:": "member",  # upload takes a member (label members.member); a download 404s
    "stations:": "stations",
    "stations:help": "helps",
    "mobile:": "stays",
    "mobile:create": "member",
    "exchange:letter": "letters",
    "exchange:packet": "packets",
    "exchange:packet-export": "member",
    "exchange:installation": "installations",
    "transfers:": "transfers",
    "transfers:create": "member",
    "meetings:": "meetings",
    "deliberations:": "matters",
    "appraisal:": "appraisals",
    "appraisal:entry": "entries",
    "appraisal:disposition": "dispositions",
    "appraisal:d-": "dispositions",  # a 组织处置's (POST-only) steps
    "appraisal:lapse-propose": "member",
    "meetings:cadence-org": "orgs",
    "meetings:plan": "orgs",  # an organization's plan (plan items' own pages 404: not pages here)
    "recruitment:": "applicants",  # the demo village's 发展党员 files, one per stage
}


def all_routes() -> dict[str, tuple[str, list[str]]]:
    """Route name → (its URL pattern from the root, its URL keyword arguments)."""
    found: dict[str, tuple[str, list[str]]] = {}

    def walk(patterns: list[Any], namespace: str | None, prefix: str) -> None:
        for p in patterns:
            if isinstance(p, URLResolver):
                walk(p.url_patterns, p.namespace or namespace, prefix + str(p.pattern))
            elif isinstance(p, URLPattern) and p.name:
                kwargs = list(p.pattern.regex.groupindex)
                if "format" in kwargs:
                    continue  # DRF's suffix variants (.json): API
                name = f"{namespace}:{p.name}" if namespace else p.name
                found[name] = (prefix + str(p.pattern), kwargs)

    walk(get_resolver().url_patterns, None, "")
    return found


def is_api(pattern: str) -> bool:
    return pattern.lstrip("^/").startswith("api/")


def _pk_source(name: str) -> str | None:
    matches = [prefix for prefix in PK_SOURCES if name.startswith(prefix)]
    return PK_SOURCES[max(matches, key=len)] if matches else None


def route_kwargs(name: str, params: list[str], objects: Objects) -> Iterator[dict[str, Any]]:
    """Every filling of the route's path parameters with the demo county's objects."""
    if not params:
        yield {}
        return
    if params == ["token"]:
        for poll in objects.polls:
            yield {"token": poll.token}
        return
    source = _pk_source(name)
    assert source is not None, f"{name}: say in PK_SOURCES which objects fill its pk"
    pks = getattr(objects, source)
    for obj in pks if isinstance(pks, list) else [pks]:
        kwargs: dict[str, Any] = {"pk": obj.pk}
        if "label" in params:
            kwargs["label"] = obj._meta.label_lower
        if "event_pk" in params:
            kwargs["event_pk"] = objects.member.events.order_by("id").first().pk  # type: ignore[union-attr]
        if "code" in params:  # 扫码确认出席: the code on the meeting's screen now
            from django.utils import timezone

            from dangjian.meetings.scan import current_code

            kwargs["code"] = current_code(obj, timezone.now())
        if "name" in params:  # a 发展党员 file's step page: a step leaving its state
            kwargs["name"] = _next_step(obj)
        if "report_pk" in params or "entry_pk" in params:  # a file's 思想汇报 or 考察 entry
            entry = (obj.reports if "report_pk" in params else obj.assessments).first()
            if entry is None:
                continue
            kwargs["report_pk" if "report_pk" in params else "entry_pk"] = entry.pk
        if "probation_pk" in params:
            kwargs = {"pk": objects.probation.member_id, "probation_pk": objects.probation.pk}
        yield kwargs


def _next_step(applicant: Any) -> str:
    from dangjian.recruitment.procedures import RECRUITMENT
    from dangjian.recruitment.services import STEPS

    return next(
        (s.name for s in RECRUITMENT.steps if applicant.status in s.sources and s.name in STEPS),
        "talk",
    )


def is_page(name: str, url: str) -> bool:
    """The explicit rule for what is not a page (see the module docstring)."""
    if url.startswith(("/api/", "/health/")):
        return False
    if re.search(r"\.[a-z]+$", url) or name.endswith(("-download", "-file")):
        return False
    return name != "accounts:logout"


# Extra states of some pages, reached through their query string.
QUERIES = {
    "stats:query": ["?rows=sub_org&cols=education", "?rows=age_band&cols=person_category"],
    "stats:query-members": ["?rows=sub_org&cols=category&cell_col=full"],
    "members:list": ["?status=", "?on=2020-12-31"],
    "mobile:information": ["?region=44", "?region=440300&which=lost"],
    "mobile:list": ["?closed=1"],
}


def page_urls(objects: Objects) -> list[str]:
    urls = []
    for name, (pattern, params) in sorted(all_routes().items()):
        if is_api(pattern):
            continue  # see is_page
        for kwargs in route_kwargs(name, params, objects):
            url = reverse(name, kwargs=kwargs)
            if is_page(name, url):
                urls.append(url)
                urls.extend(url + q for q in QUERIES.get(name, []))
    return urls


def build_objects() -> Objects:
    load_demo(members=60, seed=2026)
    county = Organization.objects.get(depth=1)
    member = Member.objects.get(user__username="member")
    branch = member.org
    township = Organization.objects.get(path=branch.path[: -Organization.steplen])
    while township.kind == OrgKind.GROUP:  # pragma: no cover - the demo member sits in a branch
        township = township.get_parent()
    users = get_user_model().objects
    admin = users.get(username="county")
    rows = [roster_row("陈建国", org=branch.name), roster_row("刘秀英", org=branch.name)]
    batch = rosters.start_import(actor=admin, org=branch, file_name="花名册.xlsx", data=xlsx(rows))
    job = rosters.start_export(actor=admin, params={}, full=False)
    other = Member.objects.in_party().filter(org=branch).exclude(pk=member.pk).first()
    probation = PartyProbation.objects.first() or record_party_probation(
        actor=admin,
        member=other,
        start_date=dt.date.today() - dt.timedelta(days=30),
        document_no="清纪发〔2026〕1号",
    )
    secretary = users.get(username="secretary")
    from django.utils import timezone

    from dangjian.meetings.models import Meeting
    from dangjian.meetings.tests.scan_helpers import meeting_with_list

    meeting_with_list(branch, [member], on=timezone.localdate())  # scanning on: the scan pages
    return Objects(
        orgs=[county, township, branch],
        member=member,
        polls=list(Poll.objects.order_by("pk")),
        batch=batch,
        job=job,
        probation=probation,
        user=secretary,
        grant=secretary.role_grants.first(),
        stations=list(Station.objects.order_by("pk")),
        helps=list(HelpRecord.objects.order_by("pk")[:2]),
        stays=list(MobileStay.objects.order_by("pk")[:2]),
        letters=list(IncomingLetter.objects.order_by("pk")),
        packets=list(ExportedPacket.objects.order_by("pk")),
        installations=list(TrustedInstallation.objects.order_by("pk")),
        transfers=list(Transfer.objects.order_by("pk")),
        meetings=list(Meeting.objects.order_by("-pk")[:2]),
        matters=[demo_matter(secretary, branch)],
        applicants=list(Applicant.objects.order_by("pk")),
        **demo_appraisal(secretary, branch, member),
    )


def demo_appraisal(secretary: Any, branch: Organization, member: Member) -> dict[str, Any]:
    """The village's 民主评议 of this year at 个人自评, the demo member's part, and a 组织处置
    of another member (its own pages)."""
    from dangjian.appraisal.models import Disposition
    from dangjian.appraisal.services import start_appraisal
    from dangjian.orgs.selectors import approving_committee

    today = dt.date.today()
    appraisal = start_appraisal(actor=secretary, org=branch, year=today.year, on=today)
    other = Member.objects.in_party().filter(org=branch).exclude(pk=member.pk).first()
    approver = approving_committee(branch)
    disposition = Disposition.objects.create(
        member=other, org=branch, org_path=branch.path, approver=approver,
        approver_path=approver.path, source=Disposition.Source.UNQUALIFIED,
    )  # fmt: skip
    return {
        "appraisals": [appraisal],
        "entries": list(appraisal.entries.filter(member=member)),
        "dispositions": [disposition],
    }


def demo_matter(secretary: Any, branch: Organization) -> Any:
    """A 四议两公开 matter of the demo village, with its 两委 consultation recorded."""
    from dangjian.deliberations import services as four_two

    today = dt.date.today()
    plan = "拟修建村东至村西道路 1.2 公里。"
    draft = four_two.MatterDraft(title="修建村东道路", category="public_works", content=plan,
                                 proposed_on=today)  # fmt: skip
    matter = four_two.propose_matter(actor=secretary, org=branch, draft=draft)
    c = four_two.Consultation(on=today, participants="张书记、李主任、王委员", outcome="agreed")
    four_two.record_consultation(actor=secretary, matter=matter, version=matter.version, c=c)
    return matter


class Phone:
    """One role's phone: a browser page that opens URLs and says what overflows.

    `pages`, shared by the roles, holds the URLs an earlier role found to be pages."""

    def __init__(self, context: Any, pages: set[str]) -> None:
        self.context, self.pages = context, pages
        self.page = self._new_page()

    def _new_page(self) -> Any:
        page = self.context.new_page()
        page.set_default_timeout(10_000)
        return page

    def overflow(self, url: str) -> list[str] | None:
        """Open `url`; None when it is not a page (405 action, fragment), else what overflows.

        A URL no earlier role found to be a page is asked first without rendering (same
        session): Chromium shows no page at all for an empty error answer (a 405 action), and
        a fragment is no page of its own. A URL that was a page for an earlier role is opened
        at once, which spares the server rendering it twice; should it be none for this role
        after all (an error answer, a fragment, a file to download), goto says so."""
        if url not in self.pages:
            answer = self.page.request.get(url)
            if answer.status == 405 or "<html" not in answer.text()[:500]:
                return None
            self.page.goto(url)
        else:
            try:
                answer = self.page.goto(url)
            except PlaywrightError as exc:
                # An empty error answer, or a file (an export this role may make): no page.
                if not any(m in str(exc) for m in ("ERR_HTTP_RESPONSE_CODE_FAILURE", "Download")):
                    raise
                # Chromium goes on to its own error page, which would cut the next navigation
                # short: go on in a new page of the same session.
                self.page.close()
                self.page = self._new_page()
                return None
            assert answer is not None, url  # only a same-document navigation answers nothing
            if answer.status == 405 or "<html" not in answer.text()[:500]:
                return None
        self.pages.add(url)
        if self.page.locator("[hx-trigger=load]").count():
            # htmx sent those requests before the load event and marks each sender until its
            # answer is swapped in: wait for that, not for 500 ms of network silence a page.
            self.page.wait_for_function("() => !document.querySelector('.htmx-request')")
        return self.page.evaluate(OVERFLOW_JS)


def test_every_parametrised_route_has_objects() -> None:
    for name, (pattern, params) in all_routes().items():
        if "pk" in params and not is_api(pattern):
            assert _pk_source(name) is not None, name


# Every role, in two halves: the browser stage runs on two workers (xdist), one half each.
ROLES = [None, *(login.username for login in LOGINS)]
HALVES = [ROLES[0::2], ROLES[1::2]]


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("roles", HALVES, ids=["half-1", "half-2"])
def test_every_page_fits_a_phone_for_every_role(
    chromium: Any, live_server: Any, roles: list[str | None]
) -> None:
    objects = build_objects()
    urls = page_urls(objects)
    problems: dict[str, list[str]] = {}
    seen = 0
    pages: set[str] = set()
    for username in roles:
        context = chromium.new_context(
            base_url=live_server.url, locale="zh-CN", timezone_id="Asia/Shanghai", viewport=PHONE
        )
        phone = Phone(context, pages)
        try:
            if username is None:
                urls_here = ["/accounts/login/"]
            else:
                login(phone.page, username, DEMO_PASSWORD)
                urls_here = urls
            for url in urls_here:
                found = phone.overflow(url)
                if found is None:
                    continue
                seen += 1
                if found or username in SHOTS:
                    screenshot(phone.page, f"phone-{username}-{url}")
                if found:
                    problems[f"{username} {url}"] = found
        finally:
            context.close()
    assert seen > 100, seen  # the rule skipped too much: pages were not opened
    assert problems == {}, "\n".join(f"{k}: {v}" for k, v in problems.items())
