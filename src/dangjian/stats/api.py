"""JSON API for statistics: the same forms, scope and numbers as the pages."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from dangjian.accounts.scope import get_org_for_user, scope_for
from dangjian.core.replica import replica_ok
from dangjian.stats.coverage import min_full_members, unit_coverage
from dangjian.stats.forms import QueryForm, ReportForm
from dangjian.stats.queries import crosstab
from dangjian.stats.reports import Report, standard_report

PARAMS = [
    OpenApiParameter("org", int, required=True, description="组织 id"),
    OpenApiParameter("on", str, description="统计日期 YYYY-MM-DD（默认今天）"),
    OpenApiParameter("start", str, description="发展党员统计起始日期（默认当年1月1日）"),
]


def _valid(request: Request, form_class: type[ReportForm]) -> dict[str, Any]:
    if not scope_for(request.user).sees_orgs:
        raise PermissionDenied("您没有查看统计的权限。")
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
        with replica_ok():  # the numbers may be a little stale, never the user's scope
            report = standard_report(f["org"], f["on"], (f["start"], f["on"]))
        return Response(report_data(report))


class QueryView(APIView):
    """综合查询: filters in any combination, cross-tabulated (same parameters as the page)."""

    @extend_schema(parameters=PARAMS, responses={200: dict})
    def get(self, request: Request) -> Response:
        f = _valid(request, QueryForm)
        with replica_ok():
            table = crosstab(f["org"], f["on"], f, f["rows"], f["cols"])
        return Response(
            {
                "rows": table.rows,
                "cols": table.cols,
                "total": table.total,
                "cells": [[table.cell(r, c) for c in table.cols] for r in table.rows],
            }
        )


class CoverageRowSerializer(serializers.Serializer):
    category = serializers.CharField(help_text="单位类别代码（Unit.Category）；合计行为空")
    # A field named like Field.label: DRF takes declared fields out of the class body.
    label = serializers.CharField(help_text="单位类别；最后一行为“合计”")  # type: ignore[assignment]
    units = serializers.IntegerField(help_text="单位数")
    eligible = serializers.IntegerField(help_text="具备建立党组织条件（正式党员达到规定人数）")
    own = serializers.IntegerField(help_text="其中单独建立党组织")
    joint = serializers.IntegerField(help_text="联合建立（党员编入联合党支部）")
    missing = serializers.IntegerField(help_text="未建立")
    rate = serializers.FloatField(allow_null=True, help_text="覆盖率（%）：单独建立÷具备条件")


class NamedOrgSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="pk")
    name = serializers.CharField()


class CoverageSerializer(serializers.Serializer):
    org = NamedOrgSerializer()
    on = serializers.DateField()
    min_full_members = serializers.IntegerField(
        help_text="《中国共产党章程》第三十条：正式党员人数"
    )
    rows = CoverageRowSerializer(many=True)


class CoverageView(APIView):
    """单位建立党组织情况: units with 3+ full members against units with a Party organization,
    by unit category (same parameters, scope and numbers as the report page's section)."""

    @extend_schema(parameters=PARAMS[:2], responses={200: CoverageSerializer})
    def get(self, request: Request) -> Response:
        if scope_for(request.user).sees_orgs and request.query_params.get("org"):
            get_org_for_user(request.user, request.query_params["org"])  # outside scope: 404
        f = _valid(request, ReportForm)
        org, on = f["org"], f["on"]
        data = {
            "org": org,
            "on": on,
            "min_full_members": min_full_members(on),
        }
        with replica_ok():
            data["rows"] = unit_coverage(org, on)
        return Response(CoverageSerializer(data).data)
