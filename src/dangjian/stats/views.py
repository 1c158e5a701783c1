"""Statistics pages: the standard report with charts and drill-down, its export, the ad-hoc
cross-tab. Any user who may see an organization may see its statistics (counts only)."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_safe

from dangjian.accounts.scope import get_org_for_user, scope_for
from dangjian.core.http import XLSX, attachment
from dangjian.orgs.selectors import top_nodes
from dangjian.stats.coverage import min_full_members, unit_coverage
from dangjian.stats.export import report_workbook
from dangjian.stats.forms import AXES, QueryForm, ReportForm
from dangjian.stats.queries import crosstab
from dangjian.stats.reports import Report, standard_report


def _form(request: HttpRequest, form_class: type[ReportForm]) -> ReportForm:
    if not scope_for(request.user).read_paths:
        raise PermissionDenied("您没有查看统计的权限。")
    data = request.GET.copy()
    today = timezone.localdate()
    data.setdefault("on", today.isoformat())  # shown in the form, not only assumed
    if not data.get("org"):
        tops = top_nodes(request.user)
        data["org"] = str(tops[0].pk) if tops else ""
    return form_class(data, user=request.user)


def _report(form: ReportForm) -> Report | None:
    if not form.is_valid():
        return None
    f = form.cleaned_data
    return standard_report(f["org"], f["on"], (f["start"], f["on"]))


@require_safe
@login_required
def report(request: HttpRequest) -> HttpResponse:
    """党内统计."""
    form = _form(request, ReportForm)
    result = _report(form)
    charts: dict[str, Any] = {}
    if result is not None:
        charts = {b.key: {"title": b.title, "rows": b.rows} for b in result.breakdowns}
        charts["children"] = {
            "title": "下级组织",
            "rows": [(c.name, n) for c, n in result.children],
        }
    context = {"form": form, "report": result, "charts": charts}
    return render(request, "stats/report.html", context)


@require_safe
@login_required
def coverage(request: HttpRequest) -> HttpResponse:
    """单位建立党组织情况: the report page's section, loaded by htmx after the page."""
    form = _form(request, ReportForm)
    if form.data.get("org"):
        get_org_for_user(request.user, form.data["org"])  # outside the user's scope: 404
    if not form.is_valid():
        return HttpResponse("请选择有权查看的组织和有效的日期。", status=400)
    org, on = form.cleaned_data["org"], form.cleaned_data["on"]
    rows = unit_coverage(org, on)
    shown = [r for r in rows[:-1] if r.units]
    chart = {
        "labels": [r.label for r in shown],
        "series": [
            {"name": "具备建立党组织条件", "values": [r.eligible for r in shown]},
            {"name": "单独建立党组织", "values": [r.own for r in shown]},
            {"name": "联合建立", "values": [r.joint for r in shown]},
        ],
    }
    context = {
        "rows": rows,
        "charts": {"coverage": chart},
        "threshold": min_full_members(on),
        "chart_height": max(200, 36 * len(shown)),
    }
    return render(request, "stats/partials/coverage.html", context)


@require_safe
@login_required
def report_xlsx(request: HttpRequest) -> HttpResponse:
    form = _form(request, ReportForm)
    result = _report(form)
    if result is None:  # a bad date or organization: say which, as the page does
        problems = [str(m) for errors in form.errors.values() for m in errors]
        return HttpResponse("；".join(problems), status=400, content_type="text/plain")
    name = f"{result.org.name}党内统计-{result.on:%Y%m%d}.xlsx"
    workbook = report_workbook(
        result, unit_coverage(result.org, result.on), min_full_members(result.on)
    )
    return attachment(workbook, name, XLSX)


@require_safe
@login_required
def query(request: HttpRequest) -> HttpResponse:
    """综合查询: filters in any combination, cross-tabulated for a subtree."""
    form = _form(request, QueryForm)
    table = None
    if form.is_valid():
        f = form.cleaned_data
        table = crosstab(f["org"], f["on"], f, f["rows"], f["cols"])
    titles = dict(AXES)
    context = {
        "form": form,
        "table": table,
        "today": timezone.localdate(),
        "row_title": titles.get(form.data.get("rows", "sub_org"), ""),
        "col_title": titles.get(form.data.get("cols", "category"), ""),
    }
    return render(request, "stats/query.html", context)
