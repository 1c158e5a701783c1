"""年度工作计划 pages and API: an organization's plan for a year, created empty or 按规定频次生成,
its items added, edited and deleted while no meeting fulfils them. Viewing needs VIEW_MEMBERS,
every change RUN_MEETINGS on the organization (checked again by the services)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST, require_safe
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from dangjian.accounts.abilities import Ability
from dangjian.accounts.scope import get_org_for_user, scope_for
from dangjian.core.actors import Actor
from dangjian.core.dates import today
from dangjian.core.exceptions import DomainError
from dangjian.core.forms import DateInput, submit
from dangjian.meetings import plans
from dangjian.meetings.models import MeetingKind, MeetingPlan
from dangjian.orgs.models import Organization


class PlanCreateForm(forms.Form):
    year = forms.IntegerField(label="年度", min_value=2000, max_value=2100)
    generate = forms.BooleanField(label="按规定频次生成计划事项", required=False)
    day = forms.IntegerField(label="每月固定日期", min_value=1, max_value=28, initial=15)


class GenerateForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)
    day = forms.IntegerField(label="每月固定日期", min_value=1, max_value=28, initial=15)


class ItemForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)
    kind = forms.ChoiceField(label="会议类型", choices=MeetingKind.choices)
    due_on = forms.DateField(label="计划日期", widget=DateInput)
    topic = forms.CharField(label="主题", max_length=200)


class DeleteForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)


def _year(request: HttpRequest) -> int:
    text = request.GET.get("year") or request.POST.get("year") or ""
    return int(text) if text.isdigit() and 2000 <= int(text) <= 2100 else today().year


def _page(
    request: HttpRequest, org: Organization, year: int, status: int = 200, **forms_: Any
) -> HttpResponse:
    plan = plans.plan_of(org, year)
    can_run = scope_for(request.user).can(Ability.RUN_MEETINGS, org.path)
    rows = plans.items_with_meetings(plan) if plan else []
    version = plan.version if plan else 0
    context = {
        "org": org,
        "year": year,
        "years": [year - 1, year, year + 1],
        "plan": plan,
        "can_run": can_run,
        "rows": [
            (
                item,
                meeting,
                plans.is_taken(item),
                ItemForm(
                    initial={
                        "version": version,
                        "kind": item.kind,
                        "due_on": item.due_on,
                        "topic": item.topic,
                    },
                    prefix=f"item{item.pk}",
                ),
            )
            for item, meeting in rows
        ],
        "create_form": forms_.get("create_form")
        or PlanCreateForm(initial={"year": year, "generate": True, "day": 15}),
        "generate_form": forms_.get("generate_form")
        or GenerateForm(initial={"version": version, "day": 15}),
        "item_form": forms_.get("item_form") or ItemForm(initial={"version": version}),
    }
    return render(request, "meetings/plan.html", context, status=status)


def _back(org: Organization, year: int) -> HttpResponse:
    return redirect(reverse("meetings:plan", args=[org.pk]) + f"?year={year}")


@login_required
@require_safe
def plan_view(request: HttpRequest, pk: int) -> HttpResponse:
    """年度工作计划."""
    org = get_org_for_user(request.user, pk, Ability.VIEW_MEMBERS)
    return _page(request, org, _year(request))


@login_required
@require_POST
def plan_create(request: HttpRequest, pk: int) -> HttpResponse:
    org = get_org_for_user(request.user, pk, Ability.RUN_MEETINGS)
    form = PlanCreateForm(request.POST)
    done = submit(
        request,
        form,
        lambda c: plans.create_plan(
            actor=Actor.from_request(request), org=org, year=c["year"],
            generate=c["generate"], day=c["day"],
        ),
    )  # fmt: skip
    if done is not None:
        messages.success(request, f"已制定 {done.year} 年度工作计划。")
        return _back(org, done.year)
    return _page(request, org, _year(request), 400, create_form=form)


def _plan_or_refuse(org: Organization, year: int) -> MeetingPlan:
    plan = plans.plan_of(org, year)
    if plan is None:
        raise DomainError(f"{org.name}尚无 {year} 年度工作计划，请先制定。")
    return plan


@login_required
@require_POST
def plan_generate(request: HttpRequest, pk: int) -> HttpResponse:
    org = get_org_for_user(request.user, pk, Ability.RUN_MEETINGS)
    year = _year(request)
    form = GenerateForm(request.POST)
    done = submit(
        request,
        form,
        lambda c: plans.generate_for_plan(
            actor=Actor.from_request(request), plan=_plan_or_refuse(org, year),
            version=c["version"], day=c["day"],
        ),
    )  # fmt: skip
    if done is not None:
        messages.success(request, f"已生成 {done} 个计划事项。")
        return _back(org, year)
    return _page(request, org, year, 400, generate_form=form)


@login_required
@require_POST
def plan_item_add(request: HttpRequest, pk: int) -> HttpResponse:
    org = get_org_for_user(request.user, pk, Ability.RUN_MEETINGS)
    year = _year(request)
    form = ItemForm(request.POST)
    done = submit(
        request,
        form,
        lambda c: plans.add_item(
            actor=Actor.from_request(request), plan=_plan_or_refuse(org, year),
            version=c["version"], data=plans.ItemData(c["kind"], c["due_on"], c["topic"]),
        ),
    )  # fmt: skip
    if done is not None:
        messages.success(request, "已增加计划事项。")
        return _back(org, year)
    return _page(request, org, year, 400, item_form=form)


@login_required
@require_POST
def plan_item_edit(request: HttpRequest, pk: int) -> HttpResponse:
    item = plans.get_item_for_user(request.user, pk, Ability.RUN_MEETINGS)
    form = ItemForm(request.POST, prefix=f"item{item.pk}")
    done = submit(
        request,
        form,
        lambda c: plans.update_item(
            actor=Actor.from_request(request), item=item, version=c["version"],
            data=plans.ItemData(c["kind"], c["due_on"], c["topic"]),
        ),
    )  # fmt: skip
    if done is not None:
        messages.success(request, "已修改计划事项。")
    else:
        messages.error(request, _first_error(form))
    return _back(item.plan.org, item.plan.year)


@login_required
@require_POST
def plan_item_delete(request: HttpRequest, pk: int) -> HttpResponse:
    item = plans.get_item_for_user(request.user, pk, Ability.RUN_MEETINGS)
    plan = item.plan
    form = DeleteForm(request.POST)
    done = submit(
        request,
        form,
        lambda c: plans.delete_item(
            actor=Actor.from_request(request), item=item, version=c["version"]
        ),
    )
    if done is not None:
        messages.success(request, "已删除计划事项。")
    else:
        messages.error(request, _first_error(form))
    return _back(plan.org, plan.year)


def _first_error(form: forms.Form) -> str:
    for name, errors in form.errors.items():
        label = form.fields[name].label if name in form.fields else ""
        return f"{label}：{errors[0]}" if label else str(errors[0])
    return "请检查填写的内容。"


class PlanView(APIView):
    """年度工作计划: an organization's plan for a year with its items and what fulfilled them."""

    @extend_schema(parameters=[OpenApiParameter("year", int)], responses={200: dict})
    def get(self, request: Request, pk: Any = None) -> Response:
        org = get_org_for_user(request.user, pk, Ability.VIEW_MEMBERS)
        text = request.query_params.get("year", "")
        year = int(text) if text.isdigit() else today().year
        plan = plans.plan_of(org, year)
        items = plans.items_with_meetings(plan) if plan else []
        return Response(
            {
                "org": {"id": org.pk, "name": org.name},
                "year": year,
                "exists": plan is not None,
                "version": plan.version if plan else None,
                "items": [
                    {
                        "id": item.pk,
                        "kind": item.kind,
                        "kind_label": item.get_kind_display(),
                        "due_on": item.due_on.isoformat(),
                        "topic": item.topic,
                        "fulfilled_by": _meeting_json(meeting) if plans.is_taken(item) else None,
                    }
                    for item, meeting in items
                ],
            }
        )


def _meeting_json(meeting: Any) -> dict[str, Any]:
    return {"id": meeting.pk, "date": meeting.date.isoformat(), "title": meeting.title}
