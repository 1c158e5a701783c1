"""JSON API for statistics: the same forms, scope and numbers as the pages."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from dangjian.accounts.scope import scope_for
from dangjian.core.exceptions import DomainError
from dangjian.stats.forms import QueryForm, ReportForm
from dangjian.stats.queries import crosstab, member_filter
from dangjian.stats.reports import Report, standard_report

PARAMS = [
    OpenApiParameter("org", int, required=True, description="组织 id"),
    OpenApiParameter("on", str, description="统计日期 YYYY-MM-DD（默认今天）"),
    OpenApiParameter("start", str, description="发展党员统计起始日期（默认当年1月1日）"),
]


def _valid(request: Request, form_class: type[ReportForm]) -> dict[str, Any]:
    if not scope_for(request.user).read_paths:
        raise DomainError("您没有查看统计的权限。")
    form = form_class(request.query_params, user=request.user)
    if not form.is_valid():
        raise serializers.ValidationError(form.errors.get_json_data())
    return form.cleaned_data


def report_data(report: Report) -> dict[str, Any]:
    return {
        "org": {"id": report.org.pk, "name": report.org.name},
        "on": report.on,
        "period": {"start": report.period[0], "end": report.period[1]},
        "total": report.total,
        "breakdowns": {
            b.key: {"title": b.title, "rows": [{"label": k, "count": n} for k, n in b.rows]}
            for b in report.breakdowns
        },
        "developed": report.developed,
        "converted": report.converted,
        "org_kinds": [{"label": k, "count": n} for k, n in report.org_kinds],
        "due_reelection": report.due_reelection,
        "children": [{"id": c.pk, "name": c.name, "members": n} for c, n in report.children],
    }


class ReportView(APIView):
    """党内统计: the standard report of an organization on a date."""

    @extend_schema(parameters=PARAMS, responses={200: dict})
    def get(self, request: Request) -> Response:
        f = _valid(request, ReportForm)
        return Response(report_data(standard_report(f["org"], f["on"], (f["start"], f["on"]))))


class QueryView(APIView):
    """综合查询: filters in any combination, cross-tabulated (same parameters as the page)."""

    @extend_schema(parameters=PARAMS, responses={200: dict})
    def get(self, request: Request) -> Response:
        f = _valid(request, QueryForm)
        table = crosstab(f["org"], f["on"], member_filter(f["on"], f), f["rows"], f["cols"])
        return Response(
            {
                "rows": table.rows,
                "cols": table.cols,
                "total": table.total,
                "cells": [[table.cell(r, c) for c in table.cols] for r in table.rows],
            }
        )
