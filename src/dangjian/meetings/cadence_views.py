"""会议频次 pages and API: the compliance view of a subtree for a month, quarter or year (counts
per requirement, the organizations that missed something, the export) and one organization's
requirements with its meetings and missing periods. Only met/missed facts: no scores, no ranks.
Every organization comes through `get_org_for_user` with VIEW_MEMBERS."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import NoReverseMatch, reverse
from django.views.decorators.http import require_safe
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from dangjian.accounts.abilities import Ability
from dangjian.accounts.scope import get_org_for_user, orgs_with, scope_for
from dangjian.core.actors import Actor
from dangjian.core.dates import today
from dangjian.core.exceptions import DomainError
from dangjian.core.http import XLSX, attachment
from dangjian.meetings.cadence import (
    REQUIREMENTS,
    Compliance,
    Period,
    compliance,
    export_compliance,
    missed_count,
    missed_page,
    org_cadence,
)
from dangjian.orgs.models import Organization

PAGE = 50


class ComplianceForm(forms.Form):
    org = forms.IntegerField(required=False)
    period = forms.CharField(required=False, max_length=7)
    kind = forms.ChoiceField(
        required=False, choices=[("", "")] + [(r.kind, "") for r in REQUIREMENTS]
    )
    page = forms.IntegerField(required=False, min_value=1, max_value=100000)

    def value(self, name: str, default: Any) -> Any:
        if not self.is_valid():
            return default
        return self.cleaned_data.get(name) or default


def parse_period(text: str | None) -> Period:
    """The period asked for, or the current quarter; a Chinese message naming the field."""
    if not text:
        return Period.quarter_of(today())
    try:
        period = Period.parse(text)
    except ValueError as exc:
        raise DomainError(
            "期间应为年度（2026）、季度（2026-Q3）或月份（2026-08）。", field="period"
        ) from exc
    if not 2000 <= period.year <= today().year + 1:
        raise DomainError("期间的年度超出范围。", field="period")
    return period


def top_org(user: Any) -> Organization | None:
    """The highest organization the user views (the default), from the scope's paths."""
    paths = scope_for(user).paths(Ability.VIEW_MEMBERS)
    if not paths:
        return None
    return Organization.objects.filter(path=min(paths, key=lambda p: (len(p), p))).first()


def chosen_org(user: Any, pk: Any) -> Organization:
    if pk:
        return get_org_for_user(user, pk, Ability.VIEW_MEMBERS)
    top = top_org(user)
    if top is None:
        raise PermissionDenied("您没有查看组织会议情况的权限。")
    return top


def period_choices(current: Period) -> list[tuple[str, str]]:
    """This year and the last two: the years, their quarters, their months."""
    year = today().year
    found = []
    for y in (year, year - 1, year - 2):
        found.append((str(y), f"{y}年全年"))
        found += [(f"{y}-Q{q}", f"{y}年第{q}季度") for q in range(1, 5)]
        found += [(f"{y}-{m:02d}", f"{y}年{m}月") for m in range(1, 13)]
    if current.key not in dict(found):
        found.insert(0, (current.key, current.label))
    return found


def _subtrees(user: Any, current: Organization) -> list[Organization]:
    """The top three levels of what the user sees (never a province's 250,000) and the current."""
    paths = scope_for(user).paths(Ability.VIEW_MEMBERS)
    top = min((len(p) for p in paths), default=0) // Organization.steplen
    found = list(
        orgs_with(user, Ability.VIEW_MEMBERS, holding_members=True)
        .filter(depth__lte=top + 2)
        .order_by("path")[:300]
    )
    return found if current in found else [current, *found]


def meetings_url(org: Organization) -> str:
    """The organization's meeting list (the meetings pages), else its cadence page."""
    try:
        return reverse("meetings:list") + f"?org={org.pk}"
    except NoReverseMatch:
        return reverse("meetings:cadence-org", args=[org.pk])


@login_required
@require_safe
def cadence_view(request: HttpRequest) -> HttpResponse:
    """会议频次落实情况."""
    form = ComplianceForm(request.GET)
    org = chosen_org(request.user, form.value("org", None))
    try:
        period = parse_period(form.value("period", ""))
    except DomainError as exc:
        period = Period.quarter_of(today())
        form.add_error(None, exc.message)
    kind, page = form.value("kind", ""), form.value("page", 1)
    info = compliance(org, period, today())
    total = missed_count(info, kind)
    rows = missed_page(info, (page - 1) * PAGE, PAGE, kind)
    context = {
        "form": form,
        "org": org,
        "info": info,
        "period": period,
        "periods": period_choices(period),
        "subtrees": _subtrees(request.user, org),
        "kind": kind,
        "kind_label": next((r.label for r in REQUIREMENTS if r.kind == kind), ""),
        "rows": [(r, meetings_url(r.org)) for r in rows],
        "listed": total,
        "page": page,
        "pages": max(1, -(-total // PAGE)),
    }
    return render(request, "meetings/cadence.html", context)


@login_required
@require_safe
def cadence_export(request: HttpRequest) -> HttpResponse:
    form = ComplianceForm(request.GET)
    org = chosen_org(request.user, form.value("org", None))
    try:
        period = parse_period(form.value("period", ""))
    except DomainError:
        period = Period.quarter_of(today())
    body = export_compliance(
        actor=Actor.from_request(request), org=org, period=period, today=today()
    )
    return attachment(body, f"会议频次落实情况-{org.name}-{period.label}.xlsx", XLSX)


@login_required
@require_safe
def cadence_org(request: HttpRequest, pk: int) -> HttpResponse:
    """One organization: each requirement with its meetings and missing periods."""
    org = get_org_for_user(request.user, pk, Ability.VIEW_MEMBERS)
    form = ComplianceForm(request.GET)
    try:
        period = parse_period(form.value("period", ""))
    except DomainError as exc:
        period = Period.quarter_of(today())
        form.add_error(None, exc.message)
    context = {
        "org": org,
        "form": form,
        "period": period,
        "periods": period_choices(period),
        "requirements": org_cadence(org, period, today()),
        "meetings_url": meetings_url(org),
    }
    return render(request, "meetings/cadence_org.html", context)


# ---- API ----------------------------------------------------------------------------------------


def _compliance_json(info: Compliance) -> dict[str, Any]:
    return {
        "org": {"id": info.org.pk, "name": info.org.name},
        "period": {"key": info.period.key, "label": info.period.label},
        "today": info.today.isoformat(),
        "requirements": [
            {
                "kind": line.requirement.kind,
                "label": line.label,
                "owing": line.owing,
                "met": line.met,
                "missed": line.missed,
                "in_progress": line.pending,
            }
            for line in info.lines
        ],
        "orgs_missing": info.orgs_missing,
    }


class ComplianceView(APIView):
    """会议频次落实情况: counts per requirement, and one page of the organizations that missed."""

    @extend_schema(
        parameters=[
            OpenApiParameter("org", int, description="党组织 id（默认为可查看的最上级组织）"),
            OpenApiParameter("period", str, description="2026 / 2026-Q3 / 2026-08（默认本季度）"),
            OpenApiParameter("kind", str, description="只列未达到该会议类型要求的组织"),
            OpenApiParameter("page", int),
        ],
        responses={200: dict},
    )
    def get(self, request: Request) -> Response:
        params = request.query_params
        org = chosen_org(request.user, params.get("org"))
        period = parse_period(params.get("period"))
        kind = params.get("kind", "")
        if kind and kind not in {r.kind for r in REQUIREMENTS}:
            raise DomainError("kind 应为会议类型代码。", field="kind")
        page_text = params.get("page", "1")
        if not page_text.isdigit() or int(page_text) < 1:
            raise DomainError("page 应为从 1 开始的页码。", field="page")
        info = compliance(org, period, today())
        rows = missed_page(info, (int(page_text) - 1) * PAGE, PAGE, kind)
        body = _compliance_json(info)
        body["missed"] = [
            {"org": {"id": r.org.pk, "name": r.org.name}, "missed": r.missed} for r in rows
        ]
        return Response(body)


class OrgCadenceView(APIView):
    """One organization's requirements for a period, with its meetings and missing periods."""

    @extend_schema(
        parameters=[OpenApiParameter("period", str, description="2026 / 2026-Q3 / 2026-08")],
        responses={200: dict},
    )
    def get(self, request: Request, pk: Any = None) -> Response:
        org = get_org_for_user(request.user, pk, Ability.VIEW_MEMBERS)
        period = parse_period(request.query_params.get("period"))
        found = org_cadence(org, period, today())
        return Response(
            {
                "org": {"id": org.pk, "name": org.name},
                "period": {"key": period.key, "label": period.label},
                "requirements": [
                    {
                        "kind": r.requirement.kind,
                        "label": r.requirement.label,
                        "periods": [
                            {"label": s.slot.period.label, "state": s.state} for s in r.slots
                        ],
                        "meetings": [
                            {"id": m.pk, "date": m.date.isoformat(), "title": m.title}
                            for m in r.meetings
                        ],
                    }
                    for r in found
                ],
            }
        )
