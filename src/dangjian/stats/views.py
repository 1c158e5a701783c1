"""Statistics pages: the standard report with charts and drill-down, its export, the ad-hoc
cross-tab. Any user who may see an organization may see its statistics (counts only)."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_safe

from dangjian.accounts.scope import get_org_for_user, scope_for
from dangjian.core.actors import Actor
from dangjian.core.http import XLSX, attachment
from dangjian.core.replica import replica_ok
from dangjian.members.models import Member
from dangjian.orgs.selectors import top_nodes
from dangjian.stats.coverage import min_full_members, unit_coverage
from dangjian.stats.export import report_workbook
from dangjian.stats.forms import AXES, QueryForm, ReportForm
from dangjian.stats.queries import CrossTab, cell_members, child_labels, crosstab
from dangjian.stats.reports import LABELS, Report, standard_report
from dangjian.stats.services import export_query


def _form(
    request: HttpRequest, form_class: type[ReportForm], defaults: dict[str, str] | None = None
) -> ReportForm:
    if not scope_for(request.user).sees_orgs:
        raise PermissionDenied("您没有查看统计的权限。")
    data = request.GET.copy()
    for name, value in (defaults or {}).items():
        data.setdefault(name, value)
    today = timezone.localdate()
    data.setdefault("on", today.isoformat())  # shown in the form, not only assumed
    if not data.get("org"):
        tops = top_nodes(request.user)
        data["org"] = str(tops[0].pk) if tops else ""
    return form_class(data, user=request.user)


def _report(form: ReportForm) -> Report | None:
    """The form is checked on the primary (the user's scope is never read stale), the numbers
    may come from the read replica (core.replica)."""
    if not form.is_valid():
        return None
    f = form.cleaned_data
    return _standard_report(f["org"], f["on"], (f["start"], f["on"]))


_standard_report = replica_ok()(standard_report)
_unit_coverage = replica_ok()(unit_coverage)
_crosstab_counts = replica_ok()(crosstab)


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
    rows = _unit_coverage(org, on)
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
    with replica_ok():  # the report and its coverage sheet from one database
        result = _report(form)
        rows = _unit_coverage(result.org, result.on) if result is not None else []
    if result is None:
        return _refused(form)
    name = f"{result.org.name}党内统计-{result.on:%Y%m%d}.xlsx"
    workbook = report_workbook(result, rows, min_full_members(result.on))
    return attachment(workbook, name, XLSX)


def _refused(form: ReportForm) -> HttpResponse:
    """A download asked for an organization outside the user's scope (403), or with a bad
    date (400, saying which, as the page does)."""
    if "org" in form.errors:
        raise PermissionDenied("请选择有权查看的组织。")
    problems = [str(m) for errors in form.errors.values() for m in errors]
    return HttpResponse("；".join(problems), status=400, content_type="text/plain")


def _query_form(request: HttpRequest) -> QueryForm:
    """The query as asked, or, before the first 查询 (no axes in the URL), an unbound form
    filled with the defaults: a form nobody has submitted shows no errors."""
    if "rows" in request.GET:
        form = _form(request, QueryForm)
        assert isinstance(form, QueryForm)
        return form
    bound = _form(request, ReportForm)  # the same defaults (organization, today) as the report
    initial = {"org": bound.data.get("org"), "on": bound.data.get("on")}
    return QueryForm(initial=initial, user=request.user)


def _crosstab(form: QueryForm) -> CrossTab | None:
    if not form.is_bound or not form.is_valid():
        return None
    f = form.cleaned_data
    return _crosstab_counts(f["org"], f["on"], f, f["rows"], f["cols"])


def _titles(form: QueryForm) -> tuple[str, str]:
    titles = dict(AXES)
    return titles.get(form.data.get("rows", "sub_org"), ""), titles.get(
        form.data.get("cols", "category"), ""
    )


def _query_string(request: HttpRequest, *drop: str) -> str:
    params = request.GET.copy()
    for name in ("page", *drop):
        params.pop(name, None)
    return params.urlencode()


@require_safe
@login_required
def query(request: HttpRequest) -> HttpResponse:
    """综合查询: filters in any combination, cross-tabulated for a subtree."""
    form = _query_form(request)
    row_title, col_title = _titles(form)
    context = {
        "form": form,
        "table": _crosstab(form),
        "today": timezone.localdate(),
        "row_title": row_title,
        "col_title": col_title,
        "query": _query_string(request, CELL_ROW, CELL_COL),
    }
    return render(request, "stats/query.html", context)


@require_safe
@login_required
def query_xlsx(request: HttpRequest) -> HttpResponse:
    """综合查询 → .xlsx: the same cross-tab as the page, logged as an export."""
    form = _form(request, QueryForm)
    table = _crosstab(form)  # type: ignore[arg-type]
    if table is None:
        return _refused(form)
    org, on = form.cleaned_data["org"], form.cleaned_data["on"]
    row_title, col_title = _titles(form)  # type: ignore[arg-type]
    title = f"{org.name} 综合查询（截至 {on:%Y-%m-%d}）"
    body = export_query(
        actor=Actor.from_request(request),
        org=org,
        on=on,
        table=table,
        titles=(title, row_title, col_title),
        filters=_query_string(request),
    )
    return attachment(body, f"{org.name}综合查询-{on:%Y%m%d}.xlsx", XLSX)


CELL_ROW, CELL_COL = "cell_row", "cell_col"  # the value of the row / column a number is in


@require_safe
@login_required
def query_members(request: HttpRequest) -> HttpResponse:
    """The members behind one number of the cross-tab (its row's and column's values on top of
    the query's filters), masked and paginated like the 党员名册."""
    form = _form(request, QueryForm, {"rows": "sub_org", "cols": "category"})
    if not form.is_valid():
        raise PermissionDenied("请选择有权查看的组织和有效的日期。")
    f = form.cleaned_data
    axes = {}
    for axis, param in ((f["rows"], CELL_ROW), (f["cols"], CELL_COL)):
        if param in request.GET:
            axes[axis] = request.GET[param]
    members = cell_members(f["org"], f["on"], f, axes)
    members = members & Member.objects.visible_to(request.user)
    page = Paginator(members.select_related("org").order_by("name_pinyin", "pk"), 50)
    page_obj = page.get_page(request.GET.get("page"))
    context = {
        "form": form,
        "page": page_obj,
        "total": page.count,
        "cell": _cell_words(form, axes),
        "back": _query_string(request, CELL_ROW, CELL_COL),
    }
    return render(request, "stats/query_members.html", context)


def _cell_words(form: ReportForm, axes: dict[str, str]) -> list[str]:
    """「性别：女」… for the heading: each fixed axis with the label of its value."""
    titles = dict(AXES)
    org = form.cleaned_data["org"]
    labels = {**LABELS, "sub_org": child_labels(org)}
    return [f"{titles[axis]}：{labels[axis].get(value, value)}" for axis, value in axes.items()]
