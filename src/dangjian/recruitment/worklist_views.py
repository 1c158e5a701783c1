"""发展党员 work lists: the 工作清单 of branches and committees (`recruitment:worklist`), the
applicant's own progress (`recruitment:mine`) and linking a login to a file
(`recruitment:link-account`). The reads are `worklists`; the write is `services`."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_safe

from dangjian.accounts.abilities import Ability
from dangjian.accounts.scope import get_org_for_user, refusal_for, scope_for
from dangjian.core.actors import Actor
from dangjian.core.dates import today as local_today
from dangjian.core.exceptions import DomainError
from dangjian.core.forms import add_domain_error
from dangjian.core.procedures import steps_of
from dangjian.orgs.models import Organization
from dangjian.recruitment import services
from dangjian.recruitment.deadlines import MAY_NOW, upcoming
from dangjian.recruitment.models import Applicant, Stage
from dangjian.recruitment.procedures import RECRUITMENT
from dangjian.recruitment.selectors import get_applicant_for_user, managed_files
from dangjian.recruitment.worklists import (
    ENDED,
    STAGE_OF,
    approval_dues,
    awaiting_committee,
    committee_action,
    due_within,
    in_stage,
    stage_counts,
    status_label,
)

LIMIT = 200
STAGE_CHOICES = [(s.value, s.label) for s in Stage] + [("ended", "已结束")]


@dataclass(frozen=True)
class Row:
    """One file on a work list: who, where, at which step, what next."""

    a: Applicant
    status: str
    action: str = ""
    due: dt.date | None = None
    overdue: bool = False
    may_now: bool = False


def _row(a: Applicant, today: dt.date, action: str = "", due: dt.date | None = None) -> Row:
    if due is None and not action:
        due = a.due_on
    may_now = not action and a.due_label in MAY_NOW
    overdue = due is not None and due < today and not may_now
    return Row(a, status_label(a.status), action, due, overdue, may_now)


def _org_choices(user: Any, files: QuerySet[Applicant]) -> list[Organization]:
    """The organizations the user's roles were granted on and the branches holding files."""
    paths = scope_for(user).paths(Ability.VIEW_MEMBERS)
    found = Organization.objects.filter(Q(path__in=paths) | Q(pk__in=files.values("org_id")))
    return list(found.order_by("path")[:300])


@login_required
@require_safe
def worklist(request: HttpRequest) -> HttpResponse:
    """发展党员工作清单: counts per stage, who is at which step, what is due this week, and what
    awaits the 党委, for the user's branches and committees (filter by organization, stage)."""
    user, today = request.user, local_today()
    scope = scope_for(user)
    if not scope.paths(Ability.VIEW_MEMBERS):
        raise PermissionDenied(refusal_for(Ability.VIEW_MEMBERS))
    files = managed_files(user)
    org = None
    if request.GET.get("org"):
        org = get_org_for_user(user, request.GET["org"], Ability.VIEW_MEMBERS)
        files = files.filter(org_path__startswith=org.path)
    stage = request.GET.get("stage", "")
    stage = stage if stage in dict(STAGE_CHOICES) else ""
    listed = in_stage(files, stage) if stage else files.exclude(status__in=ENDED)
    listed = listed.select_related("org").order_by("org_path", "name_pinyin", "id")
    due = due_within(files, today).select_related("org").order_by("due_on", "name_pinyin")
    approve_paths = scope.paths(Ability.APPROVE_RECRUITMENT)
    committee: list[Row] = []
    if approve_paths:
        waiting = awaiting_committee(approve_paths)
        if org is not None:
            waiting = waiting.filter(org_path__startswith=org.path)
        found = list(waiting.select_related("org").order_by("status_at", "id")[:LIMIT])
        dues = approval_dues(found)
        committee = [_row(a, today, committee_action(a), dues.get(a.pk)) for a in found]
    context = {
        "orgs": _org_choices(user, managed_files(user)),
        "org": org,
        "stage": stage,
        "stages": STAGE_CHOICES,
        "counts": stage_counts(files),
        "rows": [_row(a, today) for a in listed[:LIMIT]],
        "listed": listed.count(),
        "due": [_row(a, today) for a in due[:LIMIT]],
        "committee": committee,
        "is_committee": bool(approve_paths),
        "today": today,
    }
    return render(request, "recruitment/worklist.html", context)


# What the applicant sees of their own file: the day each stage opened (its first step), never
# the branch's notes, the 政审 or another person's data.
STAGE_STEPS = (
    (Stage.APPLY, "apply", "递交入党申请书"),
    (Stage.ACTIVIST, "confirm_activist", "确定为入党积极分子"),
    (Stage.CANDIDATE, "confirm_candidate", "确定为发展对象"),
    (Stage.ADMISSION, "committee_review", "支部委员会审查"),
    (Stage.PROBATION, "approve", "接收为预备党员"),
)


@dataclass(frozen=True)
class Reached:
    stage: str
    step: str
    on: dt.date | None
    current: bool


def own_progress(applicant: Applicant) -> list[Reached]:
    """The five stages, each with the day it opened, and 转为正式党员 at the end; after a 终止培养
    and a new application, only the new case counts."""
    history = steps_of(RECRUITMENT, applicant)
    starts = [i for i, s in enumerate(history) if s.step == "apply"]
    reached = {s.step: s.effective_date for s in history[starts[-1] :]} if starts else {}
    now = STAGE_OF.get(applicant.status, "")
    if applicant.status in (Applicant.Status.FULL, Applicant.Status.ARCHIVED):
        now = ""
    found = [
        Reached(f"{stage.label}", label, reached.get(step), stage.value == now)
        for stage, step, label in STAGE_STEPS
    ]
    found.append(Reached("转为正式党员", "上级党委批准转为正式党员", reached.get("approve_convert"),
                         False))  # fmt: skip
    return found


@login_required
@require_safe
def mine(request: HttpRequest) -> HttpResponse:
    """我的入党进度: the applicant's own file, stage by stage, and what comes next."""
    mine = Applicant.objects.filter(user_id=request.user.pk or 0)
    applicant = mine.select_related("org").first()
    context: dict[str, Any] = {"a": applicant}
    if applicant is not None:
        context["status"] = status_label(applicant.status)
    if applicant is not None:
        context["stages"] = own_progress(applicant)
        context["next"] = upcoming(applicant)[:3]
    return render(request, "recruitment/mine.html", context)


class LinkAccountForm(forms.Form):
    username = forms.CharField(label="登录账号（用户名）", max_length=150)


@login_required
def link_account(request: HttpRequest, pk: int) -> HttpResponse:
    """关联登录账号 of a file (the branch: 维护党员信息)."""
    applicant = get_applicant_for_user(request.user, pk, Ability.EDIT_MEMBERS)
    form = LinkAccountForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.link_applicant_account(
                actor=Actor.from_request(request),
                applicant=applicant,
                username=form.cleaned_data["username"],
            )
        except DomainError as exc:
            add_domain_error(form, exc)
        else:
            messages.success(request, "已关联登录账号，本人登录后可查看自己的入党进度。")
            return redirect("recruitment:detail", pk=applicant.pk)
    return render(request, "recruitment/link_account.html", {"a": applicant, "form": form})
