"""Member registry pages: thin views that parse, call services, render."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST, require_safe

from dangjian.accounts.abilities import Ability
from dangjian.accounts.forms import MemberAccountForm
from dangjian.accounts.scope import get_for, get_org_for_user, orgs_with, scope_for
from dangjian.core.actors import Actor
from dangjian.core.exceptions import DomainError
from dangjian.core.forms import add_domain_error, submit
from dangjian.core.http import attachment
from dangjian.core.names import person_name
from dangjian.core.printing import PdfFontMissing
from dangjian.members import services
from dangjian.members.accounts import may_create_member_accounts, members_without_login
from dangjian.members.forms import (
    EventForm,
    GroupForm,
    MemberAccountsForm,
    MemberCreateForm,
    MemberEditForm,
    MemberFilterForm,
    ProbationEndForm,
    ProbationForm,
    VoidEventForm,
    work_unit_id,
)
from dangjian.members.models import Member
from dangjian.members.selectors import (
    audit_entries_for,
    event_kinds_for,
    filter_members,
    get_member_for_user,
    has_groups,
    may_edit_member,
    may_reveal_personal,
    member_timeline,
    membership_state,
    work_unit_choices,
)
from dangjian.members.slips import issue_account_slips
from dangjian.orgs.models import Organization


def filtered_members(request: HttpRequest) -> tuple[MemberFilterForm, Any]:
    """The list's filters applied to what the user may see (shared by the page and export)."""
    return filter_members(request.user, request.GET)


@require_safe
@login_required
def member_list(request: HttpRequest) -> HttpResponse:
    """党员名册."""
    form, qs = filtered_members(request)
    page = Paginator(qs, 50).get_page(request.GET.get("page"))
    context = {
        "form": form,
        "page": page,
        "total": page.paginator.count,
        "can_create": scope_for(request.user).can_anywhere(Ability.EDIT_MEMBERS),
        "can_export_full": scope_for(request.user).can_anywhere(Ability.REVEAL_PERSONAL),
    }
    if request.headers.get("HX-Request"):
        context["oob"] = True  # the export form, re-sent with the filters now on screen
        return render(request, "members/partials/member_table.html", context)
    return render(request, "members/member_list.html", context)


@require_safe
@login_required
def member_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """党员档案."""
    member = get_member_for_user(request.user, pk)
    events = list(
        member.events.select_related("org", "recorded_by", "recorded_by__member").order_by(
            "effective_date", "id"
        )
    )
    can_edit = may_edit_member(request.user, member)
    state = membership_state(member, events)
    return render(
        request,
        "members/member_detail.html",
        {
            "member": member,
            "events": events,
            "timeline": member_timeline(member),
            "audit": audit_entries_for(member, limit=20),
            "can_edit": can_edit,
            # buttons only where they lead to a choice
            "probation_end": state.probation_end,
            "can_record_event": can_edit and bool(event_kinds_for(state)),
            "can_assign_group": can_edit and member.status == "active" and has_groups(member),
            "can_unmask": may_reveal_personal(request.user, member),
        },
    )


@login_required
@require_POST
def member_reveal(request: HttpRequest, pk: int) -> HttpResponse:
    """显示完整身份证号和电话 (logged); an htmx partial."""
    member = get_member_for_user(request.user, pk)
    try:
        values = services.reveal_sensitive(actor=Actor.from_request(request), member=member)
    except DomainError as exc:
        return HttpResponse(exc.message, status=403)
    return render(request, "members/partials/sensitive.html", {"values": values})


@login_required
def member_create(request: HttpRequest) -> HttpResponse:
    """党员建档."""
    orgs = orgs_with(request.user, Ability.EDIT_MEMBERS, holding_members=True)
    if not orgs.exists():
        raise PermissionDenied("您没有可以登记党员的党组织。")
    form = MemberCreateForm(
        request.POST or None,
        orgs=orgs,
        units=work_unit_choices(request.user),
        initial={"org": request.GET.get("org")},
    )
    member = submit(request, form, lambda f: _register(request, f))
    if member is not None:
        messages.success(request, f"已为 {member.name} 建立党员档案。")
        return redirect("members:detail", pk=member.pk)
    return render(request, "members/member_form.html", {"form": form, "title": "党员建档"})


def _register(request: HttpRequest, f: dict[str, Any]) -> Member:
    data, admission = services.registration_input(f, org=f["org"], work_unit_id=work_unit_id(f))
    return services.register_member(
        actor=Actor.from_request(request), data=data, admission=admission
    )


def _saved(request: HttpRequest, member: Member, message: str) -> HttpResponse:
    messages.success(request, message)
    return redirect("members:detail", pk=member.pk)


@login_required
def member_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """修改党员基本信息."""
    member = get_member_for_user(request.user, pk, Ability.EDIT_MEMBERS)
    initial = {f: getattr(member, f) for f in services.PERSONAL_FIELDS}
    if member.work_unit_id is not None:
        initial["work_unit"] = member.work_unit_id
    units = work_unit_choices(request.user, member.work_unit_id)
    form = MemberEditForm(
        request.POST or None, units=units, initial=initial | {"version": member.version}
    )
    if submit(request, form, lambda f: services.update_member(
        actor=Actor.from_request(request), member=member, expected_version=f["version"],
        changes=_changes(member, f), id_number=f["new_id_number"] or None,
    )):  # fmt: skip
        return _saved(request, member, "已保存。")
    title = f"修改 {member.name} 的基本信息"
    return render(request, "members/member_form.html",
                  {"form": form, "title": title, "member": member})  # fmt: skip


def _changes(member: Member, f: dict[str, Any]) -> dict[str, Any]:
    """What the edit form changed, as update_member takes it."""
    changes = {k: f[k] for k in services.PERSONAL_FIELDS if f[k] != getattr(member, k)}
    if work_unit_id(f) != member.work_unit_id:
        changes["work_unit_id"] = work_unit_id(f)
    return changes


@login_required
def event_create(request: HttpRequest, pk: int) -> HttpResponse:
    """登记党籍变动."""
    member = get_member_for_user(request.user, pk, Ability.EDIT_MEMBERS)
    state = membership_state(member)
    kinds = event_kinds_for(state)
    if not kinds:
        messages.error(request, f"{member.name}的党籍状态为「{member.get_status_display()}」，"
                                "没有可以登记的党籍变动。")  # fmt: skip
        return redirect("members:detail", pk=member.pk)
    orgs = orgs_with(request.user, Ability.EDIT_MEMBERS, holding_members=True)
    today = timezone.localdate()  # a 预备党员's 转正 is due on the end of probation
    due = state.probation_end if state.probation_end and state.probation_end <= today else today
    initial: dict[str, Any] = {"effective_date": due}
    if request.GET.get("kind") in kinds:  # from the 工作台: 预备期满 → 转正 chosen already
        initial["kind"] = request.GET["kind"]
    form = EventForm(request.POST or None, orgs=orgs, kinds=kinds, initial=initial)
    if submit(request, form, lambda f: services.record_event(
        actor=Actor.from_request(request), member=member, **f
    )):  # fmt: skip
        return _saved(request, member, "党籍变动已登记。")
    return render(request, "members/event_form.html", {"form": form, "member": member})


@login_required
def group_assign(request: HttpRequest, pk: int) -> HttpResponse:
    """编入党小组."""
    member = get_member_for_user(request.user, pk, Ability.EDIT_MEMBERS)
    groups = Organization.objects.get_children(member.org).filter(kind="group").active()
    form = GroupForm(request.POST or None, groups=groups, initial={"group": member.group})
    if submit(request, form, lambda f: services.assign_group(
        actor=Actor.from_request(request), member=member, group=f["group"]
    )):  # fmt: skip
        return _saved(request, member, "党小组已调整。")
    title = f"{member.name}：编入党小组"
    return render(request, "members/member_form.html",
                  {"form": form, "title": title, "member": member})  # fmt: skip


@login_required
@require_POST
def event_void(request: HttpRequest, pk: int, event_pk: int) -> HttpResponse:
    member = get_member_for_user(request.user, pk, Ability.EDIT_MEMBERS)
    event = get_for(request.user, None, member.events.all(), event_pk)
    form = VoidEventForm(request.POST)
    if not form.is_valid():
        messages.error(request, "请填写作废原因。")
    else:
        try:
            services.void_event(
                actor=Actor.from_request(request), event=event, reason=form.cleaned_data["reason"]
            )
        except DomainError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, "该变动记录已作废，党籍历史已重新计算。")
    return redirect("members:detail", pk=member.pk)


def _member_for_discipline(request: HttpRequest, pk: int) -> Member:
    """留党察看 is a disciplinary record: EDIT_MEMBERS and REVEAL_PERSONAL on the member."""
    member = get_member_for_user(request.user, pk, Ability.EDIT_MEMBERS)
    if not may_reveal_personal(request.user, member):
        raise PermissionDenied("您没有查看或登记该党员处分信息的权限。")
    return member


@login_required
@require_POST
def probations(request: HttpRequest, pk: int) -> HttpResponse:
    """留党察看记录 (logged); an htmx partial with the forms to record or end one."""
    member = _member_for_discipline(request, pk)
    try:
        periods = services.party_probations(actor=Actor.from_request(request), member=member)
    except DomainError as exc:
        return HttpResponse(exc.message, status=403)
    context = {"member": member, "periods": periods, "form": ProbationForm()}
    return render(request, "members/partials/probations.html", context)


@login_required
@require_POST
def probation_add(request: HttpRequest, pk: int) -> HttpResponse:
    """登记留党察看."""
    member = _member_for_discipline(request, pk)
    form = ProbationForm(request.POST)
    done = submit(
        request,
        form,
        lambda f: services.record_party_probation(
            actor=Actor.from_request(request), member=member, **f
        ),
    )
    if done is None:
        messages.error(request, f"留党察看未登记：{_errors(form)}")
    else:
        messages.success(request, "已登记留党察看；察看期间该党员没有表决权、选举权和被选举权。")
    return redirect("members:detail", pk=member.pk)


@login_required
@require_POST
def probation_end(request: HttpRequest, pk: int, probation_pk: int) -> HttpResponse:
    """登记留党察看期满或恢复党员权利."""
    member = _member_for_discipline(request, pk)
    probation = get_for(request.user, None, member.probations.all(), probation_pk)
    form = ProbationEndForm(request.POST)
    done = submit(
        request,
        form,
        lambda f: (
            services.end_party_probation(
                actor=Actor.from_request(request), probation=probation, end_date=f["end_date"]
            )
            or True
        ),
    )
    if done is None:
        messages.error(request, f"未能登记：{_errors(form)}")
    else:
        messages.success(request, "已登记留党察看期满或恢复权利。")
    return redirect("members:detail", pk=member.pk)


def _errors(form: Any) -> str:
    """A form's errors on one line, for a message on the page it redirects to."""
    return "；".join(str(e) for field in form.errors.values() for e in field)


def parse_date(raw: str | None) -> dt.date | None:
    try:
        return dt.date.fromisoformat(raw) if raw else None
    except ValueError:
        return None


@login_required
def member_account(request: HttpRequest, pk: int) -> HttpResponse:
    """关联登录账号 of one member (whoever may open accounts for the member's branch)."""
    member = get_member_for_user(request.user, pk, Ability.MANAGE_ACCOUNTS_OF_MEMBERS)
    form = MemberAccountForm(request.POST or None)

    def link(f: dict[str, Any]) -> bool:
        services.link_account(
            actor=Actor.from_request(request), member=member, username=f["username"]
        )
        return True

    done = submit(request, form, link)
    if done:
        messages.success(request, "已关联登录账号，本人登录后可查看自己的党员档案。")
        return redirect("members:account", pk=member.pk)
    return render(request, "members/member_account.html", {"member": member, "form": form})


@login_required
@require_POST
def member_account_unlink(request: HttpRequest, pk: int) -> HttpResponse:
    member = get_member_for_user(request.user, pk, Ability.MANAGE_ACCOUNTS_OF_MEMBERS)
    try:
        services.unlink_account(actor=Actor.from_request(request), member=member)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, "已解除关联。")
    return redirect("members:account", pk=member.pk)


@login_required
def member_accounts(request: HttpRequest, pk: int) -> HttpResponse:
    """为党员开通账号: choose members without a login; the POST answers with the slips' PDF,
    drawn once from memory (the passwords are stored nowhere)."""
    org = get_org_for_user(request.user, pk)
    if not may_create_member_accounts(request.user, org):
        raise PermissionDenied("您没有为该党组织的党员开通账号的权限")
    form = MemberAccountsForm(request.POST or None, candidates=members_without_login(org))
    if request.method == "POST" and form.is_valid():
        login_url = settings.DANGJIAN_SITE_URL.rstrip("/") + reverse("accounts:login")
        if not settings.DANGJIAN_SITE_URL:
            login_url = request.build_absolute_uri(reverse("accounts:login"))
        try:
            count, body = issue_account_slips(
                actor=Actor.from_request(request),
                org=org,
                member_ids=form.cleaned_data["members"],
                login_url=login_url,
                printed_by=person_name(request.user),
            )
        except PdfFontMissing as exc:
            return render(request, "rosters/pdf_error.html", {"message": exc.message}, status=503)
        except DomainError as exc:
            add_domain_error(form, exc)
        else:
            response = attachment(body, f"{org.name}账号通知单（{count}人）.pdf", "application/pdf")
            response["Cache-Control"] = "private, no-store"
            return response
    return render(request, "members/member_accounts.html", {"org": org, "form": form})
