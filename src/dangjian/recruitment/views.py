"""发展党员 pages: the files a user sees, registering an application, one file with its steps
(what the engine offers, and why not), and one generic page per step.

Every record comes through a scope-checked getter (404 outside the scope); a step page checks
the step's ability first (403), parses the step's form and calls the step's one service; a soft
rule's warning comes back as a confirmation on the same page.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST, require_safe

from dangjian.accounts.abilities import Ability
from dangjian.accounts.scope import orgs_with, refusal_for, scope_for
from dangjian.core.actors import Actor
from dangjian.core.exceptions import DomainError
from dangjian.core.forms import add_domain_error
from dangjian.core.http import attachment
from dangjian.core.masking import mask_phone
from dangjian.core.printing import PdfFontMissing
from dangjian.core.procedures import NeedsConfirmation, may_act, steps_available, steps_of
from dangjian.orgs.models import BRANCH_KINDS
from dangjian.recruitment import services
from dangjian.recruitment.forms import (
    ApplicationForm,
    AssessmentEditForm,
    AssessmentForm,
    ReportEditForm,
    ReportForm,
    form_for,
)
from dangjian.recruitment.models import Applicant, Assessment, Report
from dangjian.recruitment.pdf import title_of
from dangjian.recruitment.procedures import RECRUITMENT
from dangjian.recruitment.selectors import (
    applicants_visible_to,
    get_applicant_for_user,
    manages,
    offered_steps,
)
from dangjian.recruitment.worklist_views import STAGE_CHOICES
from dangjian.recruitment.worklists import in_stage, search_applicants, status_label
from dangjian.votes.selectors import motion_not_carried

PDF = "application/pdf"
VOTE_STATES = (Applicant.Status.VOTING, Applicant.Status.CONVERSION_VOTING)


def confirmed_in(request: HttpRequest) -> bool:
    """The page's answer to a soft rule's warning (the form posted again with confirmed=1)."""
    return request.POST.get("confirmed") == "1"


@login_required
@require_safe
def applicant_list(request: HttpRequest) -> HttpResponse:
    """发展党员: the files of the user's branches and committees."""
    scope = scope_for(request.user)
    # 阶段 filter and 姓名 search (work lists part of issue 15)
    applicants = applicants_visible_to(request.user)
    stage, query = request.GET.get("stage", ""), request.GET.get("q", "").strip()
    if stage in dict(STAGE_CHOICES):
        applicants = in_stage(applicants, stage)
    if query:
        applicants = search_applicants(applicants, query)
    context = {
        "applicants": [
            (a, status_label(a.status))
            for a in applicants.order_by("org_path", "name_pinyin")[:500]
        ],
        "can_register": scope.can_anywhere(Ability.EDIT_MEMBERS),
        "stages": STAGE_CHOICES,
        "stage": stage,
        "q": query,
        "worklist": bool(scope.paths(Ability.VIEW_MEMBERS)),
    }
    return render(request, "recruitment/list.html", context)


@login_required
def applicant_new(request: HttpRequest) -> HttpResponse:
    """登记入党申请."""
    if not scope_for(request.user).can_anywhere(Ability.EDIT_MEMBERS):
        raise PermissionDenied(refusal_for(Ability.EDIT_MEMBERS))
    orgs = orgs_with(request.user, Ability.EDIT_MEMBERS).filter(kind__in=BRANCH_KINDS)
    form = ApplicationForm(request.POST or None, orgs=orgs)
    warnings: tuple[str, ...] = ()
    applicant = None
    if request.method == "POST" and form.is_valid():
        d = dict(form.cleaned_data)
        org, confirmed = d.pop("org"), confirmed_in(request)
        try:
            applicant = services.register_applicant(
                actor=Actor.from_request(request),
                org=org,
                data=services.ApplicantData(**d),
                confirmed=confirmed,
            )
        except NeedsConfirmation as exc:
            warnings = exc.warnings
        except DomainError as exc:
            add_domain_error(form, exc)
    if applicant is None:
        return render(request, "recruitment/new.html", {"form": form, "warnings": warnings})
    messages.success(request, "已登记入党申请，请在一个月内派人谈话。")
    return redirect("recruitment:detail", pk=applicant.pk)


@login_required
@require_safe
def applicant_detail(request: HttpRequest, pk: int) -> HttpResponse:
    applicant = get_applicant_for_user(request.user, pk)
    manager = manages(request.user, applicant)
    history = steps_of(RECRUITMENT, applicant)
    context = {
        "a": applicant,
        "manager": manager,
        "options": offered_steps(request.user, applicant) if manager else [],
        "vote_states": VOTE_STATES,
        "can_print_notice": manager and applicant.status not in services.NOT_YET_PRE_APPROVED,
        "can_count": scope_for(request.user).can(Ability.RUN_VOTES, applicant.org_path),
        "can_link": scope_for(request.user).can(Ability.EDIT_MEMBERS, applicant.org_path),
        "history": [
            (s, RECRUITMENT.step_label(s.step), RECRUITMENT.state_label(s.to_state))
            for s in history
        ],
    }
    context.update(_file_context(request.user, applicant, manager, history))
    return render(request, "recruitment/detail.html", context)


# --- stages A–C: the file's person, people and entries ------------------------------------------


def _recommendation(history: list[Any]) -> str:
    """推荐方式 of the current case (the latest 确定为入党积极分子 since the last 申请)."""
    for taken in reversed(history):
        if taken.step == "apply":
            return ""
        if taken.step == "confirm_activist":
            code = taken.data.get("recommendation", "")
            return str(Applicant.Recommendation(code).label) if code else ""
    return ""


def _file_context(user: Any, applicant: Applicant, manager: bool, history: list[Any]) -> dict:
    """What the detail page adds to the steps: the person (masked), the people named for them,
    the 思想汇报 and 考察 entries and who may add to them."""
    return {
        "phone_masked": mask_phone(applicant.phone) if manager else "",
        "recommendation": _recommendation(history),
        "contacts": [m.name for m in applicant.contacts.order_by("name_pinyin")],
        "introducers": [m.name for m in applicant.introducers.order_by("name_pinyin")],
        "reports": list(applicant.reports.order_by("-submitted_on", "-id")),
        "assessments": list(applicant.assessments.order_by("-assessed_on", "-id")),
        "can_report": services.may_record_report(user, applicant),
        "can_assess": services.may_record_assessment(user, applicant),
        "editable_assessments": {
            e.pk for e in applicant.assessments.all() if services.may_edit_assessment(user, e)
        },
    }


@login_required
def report_new(request: HttpRequest, pk: int) -> HttpResponse:
    """登记思想汇报 (the branch)."""
    applicant = get_applicant_for_user(request.user, pk)
    if not services.may_record_report(request.user, applicant):
        raise PermissionDenied(refusal_for(Ability.EDIT_MEMBERS))
    form = ReportForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.record_report(actor=Actor.from_request(request), applicant=applicant,
                                   **form.cleaned_data)  # fmt: skip
        except DomainError as exc:
            add_domain_error(form, exc)
        else:
            messages.success(request, "已登记思想汇报。")
            return redirect("recruitment:detail", pk=applicant.pk)
    context = {"a": applicant, "form": form, "title": "登记思想汇报"}
    return render(request, "recruitment/entry.html", context)


@login_required
def assessment_new(request: HttpRequest, pk: int) -> HttpResponse:
    """登记培养考察 (the branch, or a 培养联系人 of this file)."""
    applicant = get_applicant_for_user(request.user, pk)
    if not services.may_record_assessment(request.user, applicant):
        raise PermissionDenied("只有所在党支部或该同志的培养联系人可以登记培养考察")
    probation = applicant.status in PROBATION_STATES
    initial = {
        "kind": Assessment.Kind.PROBATION if probation else Assessment.Kind.ACTIVIST,
        "by": getattr(request.user, "first_name", "") or request.user.get_username(),
    }
    form = AssessmentForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.record_assessment(actor=Actor.from_request(request), applicant=applicant,
                                       **form.cleaned_data)  # fmt: skip
        except DomainError as exc:
            add_domain_error(form, exc)
        else:
            messages.success(request, "已登记培养考察。")
            return redirect("recruitment:detail", pk=applicant.pk)
    context = {"a": applicant, "form": form, "title": "登记培养考察"}
    return render(request, "recruitment/entry.html", context)


def _entry_page(
    request: HttpRequest, applicant: Applicant, form: Any, save: Any, title: str, done: str
) -> HttpResponse:
    """An entry form (思想汇报, 考察): `save(actor, cleaned)` on a valid POST, else the form."""
    if request.method == "POST" and form.is_valid():
        try:
            save(Actor.from_request(request), form.cleaned_data)
        except DomainError as exc:
            add_domain_error(form, exc)
        else:
            messages.success(request, done)
            return redirect("recruitment:detail", pk=applicant.pk)
    return render(request, "recruitment/entry.html", {"a": applicant, "form": form, "title": title})


@login_required
def report_edit(request: HttpRequest, pk: int, report_pk: int) -> HttpResponse:
    """更正思想汇报 (the branch)."""
    applicant = get_applicant_for_user(request.user, pk)
    report = get_object_or_404(Report, pk=report_pk, applicant=applicant)
    if not services.may_record_report(request.user, applicant):
        raise PermissionDenied(refusal_for(Ability.EDIT_MEMBERS))
    initial = {"submitted_on": report.submitted_on, "summary": report.summary,
               "version": report.version}  # fmt: skip
    form = ReportEditForm(request.POST or None, initial=initial)

    def save(actor: Any, d: dict[str, Any]) -> None:
        services.edit_report(actor=actor, report=report, **d)

    return _entry_page(request, applicant, form, save, "更正思想汇报", "已更正思想汇报。")


@login_required
def assessment_edit(request: HttpRequest, pk: int, entry_pk: int) -> HttpResponse:
    """更正培养考察 (the branch, or the 培养联系人 who recorded it)."""
    applicant = get_applicant_for_user(request.user, pk)
    entry = get_object_or_404(Assessment, pk=entry_pk, applicant=applicant)
    if not services.may_edit_assessment(request.user, entry):
        raise PermissionDenied("只有所在党支部或登记该考察的培养联系人可以修改")
    initial = {"kind": entry.kind, "assessed_on": entry.assessed_on, "opinion": entry.opinion,
               "by": entry.by, "version": entry.version}  # fmt: skip
    form = AssessmentEditForm(request.POST or None, initial=initial)

    def save(actor: Any, d: dict[str, Any]) -> None:
        services.edit_assessment(actor=actor, entry=entry, **d)

    return _entry_page(request, applicant, form, save, "更正培养考察", "已更正培养考察。")


PROBATION_STATES = frozenset(
    {
        Applicant.Status.PROBATIONARY,
        Applicant.Status.CONVERSION_VOTING,
        Applicant.Status.TO_CONVERT,
        Applicant.Status.TO_EXTEND,
        Applicant.Status.TO_CANCEL,
    }
)


@login_required
def step(request: HttpRequest, pk: int, name: str) -> HttpResponse:
    """One step of a file: its form, the engine's reason when it may not be taken now, and the
    confirmation a soft rule asks for."""
    if name not in services.STEPS:
        raise Http404("没有这个办理步骤")
    applicant = get_applicant_for_user(request.user, pk)
    definition = RECRUITMENT.step(name)
    if not may_act(request.user, definition.who, applicant):
        raise PermissionDenied(refusal_for(definition.who.ability) if definition.who else "")
    option = next(
        (o for o in steps_available(request.user, applicant, RECRUITMENT) if o.name == name), None
    )
    form = form_for(name)(
        request.POST or None, applicant=applicant, initial={"version": applicant.version}
    )
    warnings: tuple[str, ...] = ()
    if request.method == "POST" and form.is_valid():
        try:
            services.STEPS[name](
                Actor.from_request(request), applicant, form.cleaned_data, confirmed_in(request)
            )
        except NeedsConfirmation as exc:
            warnings = exc.warnings
        except DomainError as exc:
            add_domain_error(form, exc)
        else:
            messages.success(request, f"已办理：{definition.label}。")
            return redirect("recruitment:detail", pk=applicant.pk)
    context: dict[str, Any] = {
        "a": applicant,
        "step": definition,
        "option": option,
        "form": form,
        "warnings": warnings,
    }
    return render(request, "recruitment/step.html", context)


# --- stage D: 预备党员的接收 ------------------------------------------------------------------


@login_required
@require_POST
def count(request: HttpRequest, pk: int) -> HttpResponse:
    """支部党员大会表决计票 (组织表决和选举 on the branch): not a step; 通过 or 未通过 follows."""
    applicant = get_applicant_for_user(request.user, pk)
    if not scope_for(request.user).can(Ability.RUN_VOTES, applicant.org_path):
        raise PermissionDenied(refusal_for(Ability.RUN_VOTES))
    try:
        poll = services.count_vote(actor=Actor.from_request(request), applicant=applicant)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        carried = motion_not_carried(poll) is None
        messages.success(request, "已计票：表决通过。" if carried else "已计票：表决未通过。")
    return redirect("recruitment:detail", pk=applicant.pk)


@login_required
@require_safe
def notice(request: HttpRequest, pk: int) -> HttpResponse:
    """发展对象公示 (PDF; printing is audited): no ID number, no phone."""
    applicant = get_applicant_for_user(request.user, pk, Ability.VIEW_MEMBERS)
    try:
        data = services.print_notice(actor=Actor.from_request(request), applicant=applicant)
    except PdfFontMissing as exc:
        return render(request, "rosters/pdf_error.html", {"message": exc.message}, status=503)
    except DomainError as exc:
        messages.error(request, exc.message)
        return redirect("recruitment:detail", pk=applicant.pk)
    return attachment(data, f"{title_of(applicant.name)}.pdf", PDF, inline=True)


# --- stage E: 发展党员全程纪实表 ----------------------------------------------------------------


@login_required
@require_safe
def full_record(request: HttpRequest, pk: int) -> HttpResponse:
    """发展党员全程纪实表 (PDF), for the branch and the committee that keep the file; audited."""
    applicant = get_applicant_for_user(request.user, pk)
    if not manages(request.user, applicant):
        raise PermissionDenied(refusal_for(Ability.VIEW_MEMBERS))
    try:
        data = services.print_full_record(actor=Actor.from_request(request), applicant=applicant)
    except PdfFontMissing as exc:
        return render(request, "rosters/pdf_error.html", {"message": exc.message}, status=503)
    return attachment(
        data, f"{applicant.name}发展党员全程纪实表.pdf", "application/pdf", inline=True
    )
