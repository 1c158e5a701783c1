"""Organization tree pages: browse, view, create, edit, move, merge, dissolve."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_safe

from dangjian.accounts.abilities import Ability
from dangjian.accounts.scope import get_org_for_user, orgs_with, scope_for
from dangjian.core.actors import Actor
from dangjian.core.forms import submit
from dangjian.core.paths import subtree_q
from dangjian.members.models import Member, MemberQuerySet
from dangjian.members.selectors import roster_on
from dangjian.orgs import services
from dangjian.orgs.forms import DissolveForm, MergeForm, MoveForm, OrgCreateForm, OrgEditForm
from dangjian.orgs.models import ALLOWED_CHILD_KINDS, BRANCH_KINDS, Organization
from dangjian.orgs.selectors import (
    children_with_counts,
    member_counts_by_child,
    org_timeline,
    subtree_summary,
    top_nodes,
    unit_choices,
)


@require_safe
@login_required
def tree(request: HttpRequest) -> HttpResponse:
    """组织架构: the user's top nodes, expanded one level; deeper levels load on demand."""
    roots = top_nodes(request.user)
    for root in roots:
        root.children_list = children_with_counts(root, request.user)  # type: ignore[attr-defined]
        parent = Organization.objects.get_parent(root)
        counts = member_counts_by_child(parent) if parent else {}
        root.member_count = (  # type: ignore[attr-defined]
            counts.get(root.path) if parent else Member.objects.under(root).in_party().count()
        )
    return render(request, "orgs/tree.html", {"roots": roots})


@require_safe
@login_required
def children(request: HttpRequest, pk: int) -> HttpResponse:
    """htmx partial: the children of one node with their member counts."""
    org = get_org_for_user(request.user, pk)
    return render(
        request, "orgs/partials/children.html", {"nodes": children_with_counts(org, request.user)}
    )


@require_safe
@login_required
def detail(request: HttpRequest, pk: int) -> HttpResponse:
    """组织详情, with its roster today or on a past date (?on=YYYY-MM-DD)."""
    org = get_org_for_user(request.user, pk)
    on = _date(request.GET.get("on"))
    roster: list[Member] | MemberQuerySet
    if on is not None:
        roster = [s.member for s in roster_on(org, on)]
    else:
        roster = Member.objects.filter(org=org).in_party().order_by("name_pinyin")
    page = Paginator(roster, 50).get_page(request.GET.get("page"))
    ancestors = [
        a
        for a in Organization.objects.get_ancestors(org)
        if scope_for(request.user).can(Ability.VIEW_MEMBERS, a.path)
    ]
    return render(
        request,
        "orgs/detail.html",
        {
            "org": org,
            "ancestors": ancestors,
            "page": page,
            "on": on,
            "summary": subtree_summary(org),
            "children": children_with_counts(org, request.user),
            "timeline": org_timeline(org),
            "can_edit": scope_for(request.user).can(Ability.MANAGE_ORGS, org.path),
            "can_register": scope_for(request.user).can(Ability.EDIT_MEMBERS, org.path),
            "can_open_accounts": scope_for(request.user).can(
                Ability.MANAGE_ACCOUNTS_OF_MEMBERS, org.path
            ),
            "can_unmask": scope_for(request.user).can(Ability.REVEAL_PERSONAL, org.path),
            "is_branch": org.kind in BRANCH_KINDS,
            "today": timezone.localdate(),
        },
    )


def _date(raw: str | None) -> dt.date | None:
    try:
        return dt.date.fromisoformat(raw) if raw else None
    except ValueError:
        return None


@login_required
def create(request: HttpRequest, pk: int) -> HttpResponse:
    """新建下级组织."""
    parent = get_org_for_user(request.user, pk, Ability.MANAGE_ORGS)
    form = OrgCreateForm(request.POST or None, units=unit_choices(request.user))
    org = submit(request, form, lambda f: services.create_organization(
        actor=Actor.from_request(request), parent=parent, kind=f["kind"],
        values={k: v for k, v in f.items() if k != "kind"},
    ))  # fmt: skip
    if org is not None:
        messages.success(request, f"已建立 {org.name}。")
        return redirect("orgs:detail", pk=org.pk)
    return _form_page(request, form, parent, f"在「{parent.name}」下新建组织")


@login_required
def edit(request: HttpRequest, pk: int) -> HttpResponse:
    """修改组织信息 (更名、换届、书记…)."""
    org = get_org_for_user(request.user, pk, Ability.MANAGE_ORGS)
    initial = {f: getattr(org, f) for f in services.EDITABLE_FIELDS} | {"version": org.version}
    units = unit_choices(request.user, org.unit_id)
    secretaries = Member.objects.under(org).in_party().order_by("name_pinyin")
    form = OrgEditForm(request.POST or None, initial=initial, units=units, secretaries=secretaries)
    return _operation(
        request, org, form, f"修改「{org.name}」",
        lambda f: services.update_organization(
            actor=Actor.from_request(request), org=org, expected_version=f["version"],
            values={k: v for k, v in f.items() if k != "version" and v != getattr(org, k)},
        ),
        "已保存。",
    )  # fmt: skip


def _operation(
    request: HttpRequest,
    org: Organization,
    form: forms.Form,
    title: str,
    run: Callable[[dict[str, Any]], Any],
    done: str,
) -> HttpResponse:
    """Shared shape of move/merge/dissolve: validate, call the service, report."""
    if submit(request, form, run) is not None:
        messages.success(request, done)
        return redirect("orgs:detail", pk=org.pk)
    return _form_page(request, form, org, title)


@login_required
def move(request: HttpRequest, pk: int) -> HttpResponse:
    """调整隶属关系."""
    org = get_org_for_user(request.user, pk, Ability.MANAGE_ORGS)
    parent_kinds = [k for k, allowed in ALLOWED_CHILD_KINDS.items() if org.kind in allowed]
    parents = (
        orgs_with(request.user, Ability.MANAGE_ORGS)
        .filter(kind__in=parent_kinds)
        .exclude(subtree_q("path", org.path))
    )
    form = MoveForm(
        request.POST or None,
        parents=parents,
        within=scope_for(request.user).paths(Ability.MANAGE_ORGS),
    )
    return _operation(
        request,
        org,
        form,
        f"调整「{org.name}」的隶属关系",
        lambda f: services.move_organization(
            actor=Actor.from_request(request), org=org, new_parent=f["new_parent"]
        ),
        "隶属关系已调整，下级组织和党员随之移动。",
    )


@login_required
def merge(request: HttpRequest, pk: int) -> HttpResponse:
    """合并党支部."""
    org = get_org_for_user(request.user, pk, Ability.MANAGE_ORGS)
    targets = (
        orgs_with(request.user, Ability.MANAGE_ORGS)
        .filter(kind__in=BRANCH_KINDS)
        .exclude(pk=org.pk)
    )
    form = MergeForm(
        request.POST or None,
        targets=targets,
        within=scope_for(request.user).paths(Ability.MANAGE_ORGS),
        initial={"effective_date": timezone.localdate()},
    )
    return _operation(
        request,
        org,
        form,
        f"将「{org.name}」并入其他党支部",
        lambda f: services.merge_branches(
            actor=Actor.from_request(request),
            source=org,
            target=f["target"],
            effective_date=f["effective_date"],
        ),
        "已合并：党员已转入目标党支部，本支部已标记为撤销。",
    )


@login_required
def dissolve(request: HttpRequest, pk: int) -> HttpResponse:
    """撤销党组织."""
    org = get_org_for_user(request.user, pk, Ability.MANAGE_ORGS)
    form = DissolveForm(request.POST or None, initial={"effective_date": timezone.localdate()})
    return _operation(
        request,
        org,
        form,
        f"撤销「{org.name}」",
        lambda f: services.dissolve_organization(actor=Actor.from_request(request), org=org, **f),
        "组织已撤销，其历史记录仍可查询。",
    )


def _form_page(
    request: HttpRequest, form: forms.Form, org: Organization, title: str
) -> HttpResponse:
    return render(request, "orgs/form.html", {"form": form, "org": org, "title": title})
