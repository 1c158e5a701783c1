"""四议两公开 pages: the matters in scope, a new proposal, the detail with its steps (each stage's
form where the engine allows it, the reason otherwise) and the printed 工作记录."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST, require_safe

from dangjian.accounts.abilities import Ability
from dangjian.accounts.scope import refusal_for, scope_for
from dangjian.core.actors import Actor
from dangjian.core.exceptions import DomainError
from dangjian.core.forms import add_domain_error, submit
from dangjian.core.http import attachment
from dangjian.core.printing import PdfFontMissing
from dangjian.core.procedures import Option, steps_available, steps_of
from dangjian.deliberations import services
from dangjian.deliberations.forms import (
    ConsultForm,
    ConveneForm,
    MatterForm,
    PollForm,
    PublishForm,
    ResolveForm,
    SendPlanForm,
    StageForm,
)
from dangjian.deliberations.models import Matter, MatterStatus
from dangjian.deliberations.procedures import FOUR_TWO, STAGES
from dangjian.deliberations.selectors import (
    get_matter_for_user,
    matters_visible_to,
    orgs_for_proposing,
)
from dangjian.votes.models import Poll


@require_safe
@login_required
def matter_list(request: HttpRequest) -> HttpResponse:
    """村级重大事项 of the organizations in scope, newest first, with their status."""
    rows = matters_visible_to(request.user)
    status = request.GET.get("status", "")
    if status in MatterStatus.values:
        rows = rows.filter(status=status)
    can_propose = orgs_for_proposing(request.user).exists()
    return render(request, "deliberations/list.html", {
        "matters": rows[:200], "statuses": MatterStatus.choices, "status": status,
        "can_propose": can_propose,
    })  # fmt: skip


@login_required
def matter_create(request: HttpRequest) -> HttpResponse:
    """党组织提议: a new matter of a village 党组织 where the user runs meetings."""
    if not scope_for(request.user).can_anywhere(Ability.RUN_MEETINGS):
        raise PermissionDenied(refusal_for(Ability.RUN_MEETINGS))
    orgs = orgs_for_proposing(request.user)
    form = MatterForm(request.POST or None, orgs=orgs)
    matter = submit(
        request,
        form,
        lambda d: services.propose_matter(
            actor=Actor.from_request(request), org=d["org"], draft=form.draft()
        ),
    )
    if matter is None:
        return render(request, "deliberations/form.html", {"form": form, "has_orgs": orgs.exists()},
                      status=400 if form.is_bound else 200)  # fmt: skip
    messages.success(request, "已登记党组织提议，下一步召开“两委”会议商议。")
    return redirect("deliberations:detail", pk=matter.pk)


@dataclass
class Stage:
    """One stage of the detail page: its form, URL and what the engine says about its steps."""

    name: str
    title: str
    url: str
    form: forms.Form
    allowed: bool
    reasons: list[str]


STAGE_TITLES = {
    "consult": "“两委”会议商议",
    "send_plan": "方案送达党员",
    "convene": "召开党员大会",
    "review": "登记党员大会审议结果",
    "resolve": "村民会议或村民代表会议决议",
    "publish_decision": "决议公开",
    "publish_result": "实施结果公开",
}
STAGE_FORMS: dict[str, type[forms.Form]] = {
    "consult": ConsultForm,
    "send_plan": SendPlanForm,
    "convene": ConveneForm,
    "review": StageForm,
    "resolve": ResolveForm,
    "publish_decision": PublishForm,
    "publish_result": PublishForm,
}


def _stages(user: Any, m: Matter, bound: tuple[str, forms.Form] | None = None) -> list[Stage]:
    options: dict[str, Option] = {o.name: o for o in steps_available(user, m, FOUR_TWO)}
    found = []
    for stage, steps in STAGES.items():
        offered = [options[s] for s in steps if s in options]
        if not offered:
            continue
        allowed = any(o.allowed for o in offered)
        if bound and bound[0] == stage:
            form = bound[1]
        else:
            form = STAGE_FORMS[stage](initial={"version": m.version})
        reasons = [] if allowed else sorted({o.reason for o in offered if o.reason})
        url = reverse(f"deliberations:{stage.replace('_', '-')}", args=[m.pk])
        found.append(Stage(stage, STAGE_TITLES[stage], url, form, allowed, reasons))
    return found


def _detail(request: HttpRequest, m: Matter, bound: tuple[str, forms.Form] | None = None,
            status: int = 200) -> HttpResponse:  # fmt: skip
    scope = scope_for(request.user)
    history = [(s, FOUR_TWO.step_label(s.step)) for s in steps_of(FOUR_TWO, m)]
    runs = scope.can(Ability.RUN_MEETINGS, m.org.path)
    context = {
        "m": m,
        "history": history,
        "stages": _stages(request.user, m, bound) if runs else [],
        "villager_meetings": list(m.villager_meetings.all()),
        "publications": list(m.publications.order_by("published_on", "pk")),
        "can_print": scope.can(Ability.VIEW_MEMBERS, m.org.path),
        "poll_form": PollForm() if runs and _poll_pending(m) else None,
        "review_counts": services.review_counts(m.poll) if m.poll and m.poll.result else None,
    }
    return render(request, "deliberations/detail.html", context, status=status)


def _poll_pending(m: Matter) -> bool:
    return (
        m.status == MatterStatus.CONVENED
        and m.poll is None
        and m.meeting is not None
        and m.meeting.date <= timezone.localdate()
    )


@require_safe
@login_required
def matter_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _detail(request, get_matter_for_user(request.user, pk))


Run = Callable[[Actor, Matter, Any], Any]


def _stage_view(stage: str, run: Run, done: str) -> Any:
    @login_required
    @require_POST
    def view(request: HttpRequest, pk: int) -> HttpResponse:
        matter = get_matter_for_user(request.user, pk, Ability.RUN_MEETINGS)
        form = STAGE_FORMS[stage](request.POST)
        if not form.is_valid():
            return _detail(request, matter, (stage, form), status=400)
        try:
            run(Actor.from_request(request), matter, form)
        except DomainError as exc:
            add_domain_error(form, exc)
            matter.refresh_from_db()
            return _detail(request, matter, (stage, form), status=400)
        messages.success(request, done)
        return redirect("deliberations:detail", pk=matter.pk)

    view.__name__ = stage
    return view


def _v(f: Any) -> int:
    return int(f.cleaned_data["version"])


consult = _stage_view(
    "consult",
    lambda a, m, f: services.record_consultation(
        actor=a, matter=m, version=_v(f), c=f.consultation()
    ),
    "已登记“两委”会议商议。",
)
send_plan = _stage_view(
    "send_plan",
    lambda a, m, f: services.send_plan(
        actor=a, matter=m, version=_v(f), on=f.cleaned_data["on"], note=f.cleaned_data["note"]
    ),
    "已登记方案送达党员。",
)
convene = _stage_view(
    "convene",
    lambda a, m, f: services.convene_review(
        actor=a,
        matter=m,
        version=_v(f),
        on=f.cleaned_data["on"],
        place=f.cleaned_data["place"],
        method=f.cleaned_data["method"],
    ),
    "已登记党员大会；请在会上按表决页面进行表决并计票。",
)
review = _stage_view(
    "review",
    lambda a, m, f: services.record_review(actor=a, matter=m, version=_v(f)),
    "已登记党员大会审议结果。",
)
resolve = _stage_view(
    "resolve",
    lambda a, m, f: services.record_resolution(actor=a, matter=m, version=_v(f), vote=f.vote()),
    "已登记村民（代表）会议决议。",
)
publish_decision = _stage_view(
    "publish_decision",
    lambda a, m, f: services.publish_decision(actor=a, matter=m, version=_v(f), notice=f.notice()),
    "已登记决议公开。",
)
publish_result = _stage_view(
    "publish_result",
    lambda a, m, f: services.publish_result(actor=a, matter=m, version=_v(f), notice=f.notice()),
    "已登记实施结果公开。",
)


@login_required
@require_POST
def prepare_poll(request: HttpRequest, pk: int) -> HttpResponse:
    """创建党员大会表决 on the meeting's day (the meeting was registered ahead)."""
    matter = get_matter_for_user(request.user, pk, Ability.RUN_MEETINGS)
    form = PollForm(request.POST)
    method = form.cleaned_data["method"] if form.is_valid() else Poll.Method.TOTALS
    try:
        services.prepare_review_poll(actor=Actor.from_request(request), matter=matter,
                                     method=method)  # fmt: skip
        messages.success(request, "已创建党员大会表决。")
    except DomainError as exc:
        messages.error(request, exc.message)
    return redirect("deliberations:detail", pk=matter.pk)


@require_safe
@login_required
def record_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    """打印「四议两公开」工作记录 (audited)."""
    matter = get_matter_for_user(request.user, pk, Ability.VIEW_MEMBERS)
    try:
        body = services.print_record(actor=Actor.from_request(request), matter=matter)
    except PdfFontMissing as exc:
        return render(request, "rosters/pdf_error.html", {"message": exc.message}, status=503)
    return attachment(body, f"四议两公开工作记录-{matter.title}.pdf", "application/pdf",
                      inline=True)  # fmt: skip
