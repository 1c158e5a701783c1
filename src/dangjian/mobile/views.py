"""流动党员 pages: the two-sided list, 外出登记, the stay's page (contacts, participation, 活动证,
return), the printed 活动证 and the information system view with its export.

Every stay comes through `get_stay_for_user` (404 outside both sides); every change is one
service call whose refusal is shown on the page.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST, require_safe

from dangjian.accounts.abilities import Ability
from dangjian.accounts.scope import get_org_for_user, orgs_with, scope_for
from dangjian.core.actors import Actor
from dangjian.core.dates import today
from dangjian.core.exceptions import DomainError
from dangjian.core.forms import submit
from dangjian.core.http import XLSX, attachment
from dangjian.core.printing import PdfFontMissing
from dangjian.members.selectors import get_member_for_user
from dangjian.mobile import services
from dangjian.mobile.forms import (
    ContactForm,
    InformationForm,
    ParticipationForm,
    PermitForm,
    ReturnForm,
    StayForm,
)
from dangjian.mobile.models import MobileStay
from dangjian.mobile.regions import region_name
from dangjian.mobile.selectors import (
    LIST_FILTERS,
    Limits,
    flags,
    get_stay_for_user,
    information,
    information_list,
    page_of,
    participations,
    side_of,
    stays_visible_to,
    top_org,
    transfer_url,
)
from dangjian.orgs.models import Organization

PAGE = 50


def _rows(stays: Any, limits: Limits) -> list[tuple[MobileStay, Any]]:
    return [(s, flags(s, limits)) for s in stays]


@login_required
@require_safe
def stay_list(request: HttpRequest) -> HttpResponse:
    """流动党员: stays out of the user's organizations and stays into them."""
    scope = scope_for(request.user)
    show_closed = request.GET.get("closed") == "1"
    stays = stays_visible_to(request.user).select_related("member", "home_org", "destination_org")
    if not show_closed:
        stays = stays.filter(status=MobileStay.Status.OPEN)
    limits = Limits.on(today())
    outgoing: list[MobileStay] = []
    incoming: list[MobileStay] = []
    for stay in stays.order_by("-start_on", "-id")[:400]:
        (outgoing if side_of(request.user, stay) != "destination" else incoming).append(stay)
    context = {
        "outgoing": _rows(outgoing[:200], limits),
        "incoming": _rows(incoming[:200], limits),
        "show_closed": show_closed,
        "sees_orgs": scope.sees_orgs,
    }
    return render(request, "mobile/list.html", context)


@login_required
def stay_create(request: HttpRequest, pk: int) -> HttpResponse:
    """外出登记 of a member (from the member's page)."""
    member = get_member_for_user(request.user, pk, Ability.EDIT_MEMBERS)
    form = StayForm(request.POST or None, initial={"start_on": today(), "phone": member.phone})
    stay = submit(
        request,
        form,
        lambda _: services.register_stay(
            actor=Actor.from_request(request), member=member, data=form.data_for_service()
        ),
    )
    if stay is not None:
        messages.success(request, f"已登记{member.name}外出。")
        return redirect("mobile:detail", pk=stay.pk)
    status = 400 if form.is_bound else 200
    return render(request, "mobile/create.html", {"form": form, "member": member}, status=status)


def _detail(
    request: HttpRequest, stay: MobileStay, status: int = 200, **forms: Any
) -> HttpResponse:
    side = side_of(request.user, stay)
    home = side == "home" and scope_for(request.user).can(Ability.EDIT_MEMBERS, stay.home_path)
    limits = Limits.on(today())
    context = {
        "stay": stay,
        "side": side,
        "home": home,
        "can_participate": stay.is_open and services.may_record_participation(request.user, stay),
        "flags": flags(stay, limits),
        "limits": limits,
        "region": region_name(stay.region_code),
        "contacts": stay.contacts.select_related("recorded_by").all(),
        "participations": participations(stay),
        "transfer_url": transfer_url(stay.member_id),
        "member_url": reverse("members:detail", args=[stay.member_id]),
        # 停止党籍 is recorded by a person on the member's page, after the branch's proposal
        # and the higher organization's approval: a link to the form, never done here.
        "suspend_url": reverse("members:event-create", args=[stay.member_id]) + "?kind=suspend",
        "contact_form": forms.get("contact_form") or ContactForm(initial={"on": today()}),
        "participation_form": forms.get("participation_form")
        or ParticipationForm(initial={"on": today()}),
        "return_form": forms.get("return_form")
        or ReturnForm(initial={"on": today(), "version": stay.version}),
        "permit_form": forms.get("permit_form")
        or PermitForm(
            initial={
                "number": stay.permit_number,
                "valid_until": stay.permit_valid_until
                or services.default_permit_valid_until(stay.start_on),
                "version": stay.version,
            }
        ),
        "permit_allowed": services.permit_allowed(
            stay.expected_months, stay.cannot_transfer, stay.start_on
        ),
    }
    return render(request, "mobile/detail.html", context, status=status)


@login_required
@require_safe
def stay_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _detail(request, get_stay_for_user(request.user, pk))


@login_required
@require_POST
def stay_contact(request: HttpRequest, pk: int) -> HttpResponse:
    stay = get_stay_for_user(request.user, pk, Ability.EDIT_MEMBERS, home=True)
    form = ContactForm(request.POST)
    done = submit(
        request,
        form,
        lambda c: services.record_contact(
            actor=Actor.from_request(request), stay=stay, on=c["on"], means=c["means"],
            note=c["note"],
        ),
    )  # fmt: skip
    if done is not None:
        messages.success(request, "已登记联系记录。")
        return redirect("mobile:detail", pk=stay.pk)
    return _detail(request, stay, 400, contact_form=form)


@login_required
@require_POST
def stay_participation(request: HttpRequest, pk: int) -> HttpResponse:
    stay = get_stay_for_user(request.user, pk, Ability.EDIT_MEMBERS)
    form = ParticipationForm(request.POST)
    done = submit(
        request,
        form,
        lambda c: services.record_participation(
            actor=Actor.from_request(request), stay=stay, on=c["on"], kind=c["kind"],
            note=c["note"],
        ),
    )  # fmt: skip
    if done is not None:
        messages.success(request, "已登记参加组织生活情况。")
        return redirect("mobile:detail", pk=stay.pk)
    return _detail(request, stay, 400, participation_form=form)


@login_required
@require_POST
def stay_return(request: HttpRequest, pk: int) -> HttpResponse:
    stay = get_stay_for_user(request.user, pk, Ability.EDIT_MEMBERS, home=True)
    form = ReturnForm(request.POST)
    done = submit(
        request,
        form,
        lambda c: services.end_stay(
            actor=Actor.from_request(request), stay=stay, on=c["on"], version=c["version"]
        ),
    )
    if done is not None:
        messages.success(request, f"已登记{stay.member.name}返回。")
        return redirect("mobile:detail", pk=stay.pk)
    return _detail(request, stay, 400, return_form=form)


@login_required
@require_POST
def stay_permit(request: HttpRequest, pk: int) -> HttpResponse:
    stay = get_stay_for_user(request.user, pk, Ability.EDIT_MEMBERS, home=True)
    form = PermitForm(request.POST)
    done = submit(
        request,
        form,
        lambda c: services.issue_permit(
            actor=Actor.from_request(request), stay=stay, number=c["number"],
            valid_until=c["valid_until"], version=c["version"],
        ),
    )  # fmt: skip
    if done is not None:
        messages.success(request, "已发放流动党员活动证。")
        return redirect("mobile:detail", pk=stay.pk)
    return _detail(request, stay, 400, permit_form=form)


@login_required
@require_safe
def permit_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    """流动党员活动证 (PDF)."""
    stay = get_stay_for_user(request.user, pk, Ability.EDIT_MEMBERS, home=True)
    url = request.build_absolute_uri(stay.get_absolute_url())
    try:
        body = services.print_permit(actor=Actor.from_request(request), stay=stay, record_url=url)
    except PdfFontMissing as exc:
        return render(request, "rosters/pdf_error.html", {"message": exc.message}, status=503)
    except DomainError as exc:
        messages.error(request, exc.message)
        return redirect("mobile:detail", pk=stay.pk)
    return attachment(
        body, f"流动党员活动证-{stay.member.name}.pdf", "application/pdf", inline=True
    )


# ---- the information system view ---------------------------------------------------------------


def _information_org(request: HttpRequest, form: InformationForm) -> Organization:
    chosen = form.value("org", None)
    if chosen:
        return get_org_for_user(request.user, chosen, Ability.VIEW_MEMBERS)
    top = top_org(request.user)
    if top is None:
        raise PermissionDenied("您没有查看流动党员信息的权限。")
    return top


def _subtree_choices(request: HttpRequest, current: Organization) -> list[Organization]:
    """The organizations to pick from: the top three levels of what the user sees (a province
    has ~250,000 organizations: never all of them), and the current one."""
    paths = scope_for(request.user).paths(Ability.VIEW_MEMBERS)
    top = min((len(p) for p in paths), default=0) // Organization.steplen
    found = list(
        orgs_with(request.user, Ability.VIEW_MEMBERS, holding_members=True)
        .filter(depth__lte=top + 2)
        .order_by("path")[:300]
    )
    return found if current in found else [current, *found]


@login_required
@require_safe
def information_view(request: HttpRequest) -> HttpResponse:
    """流动党员信息管理: a subtree's mobile members by region, attended organization, contact."""
    form = InformationForm(request.GET)
    org = _information_org(request, form)
    region, which = form.value("region", ""), form.value("which", "all")
    page = form.value("page", 1)
    info = information(org, today(), region)
    total = {"all": info.total, "overdue": info.overdue, "lost": info.lost}.get(
        which, info.transfer
    )
    start = (page - 1) * PAGE
    rows = page_of(information_list(org, info.limits, region=region, which=which), start, PAGE)
    context = {
        "info": info,
        "org": org,
        "region": region,
        "region_label": region_name(region.ljust(6, "0")) if region else "",
        "parent_region": region[:2] if len(region) == 6 else "",
        "which": which,
        "filters": LIST_FILTERS,
        "which_label": LIST_FILTERS.get(which, ""),
        "rows": _rows(rows, info.limits),
        "page": page,
        "pages": max(1, -(-total // PAGE)),
        "listed": total,
        "subtrees": _subtree_choices(request, org),
    }
    return render(request, "mobile/information.html", context)


@login_required
@require_safe
def information_export(request: HttpRequest) -> HttpResponse:
    form = InformationForm(request.GET)
    org = _information_org(request, form)
    body = services.export_information(
        actor=Actor.from_request(request),
        org=org,
        on=today(),
        region=form.value("region", ""),
        which=form.value("which", "all"),
    )
    return attachment(body, f"流动党员信息-{org.name}-{today():%Y%m%d}.xlsx", XLSX)
