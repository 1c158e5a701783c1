"""审计日志 page: the audit administrator reads; nobody edits."""

from __future__ import annotations

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_safe

from dangjian.accounts.abilities import GlobalAbility
from dangjian.accounts.scope import scope_for
from dangjian.audit.actions import action_choices
from dangjian.audit.display import describe_all
from dangjian.audit.models import AuditEvent
from dangjian.core.forms import DateInput


class AuditFilterForm(forms.Form):
    # Choices are read per form: every declared action, by label (audit.actions).
    action = forms.ChoiceField(
        label="操作", choices=lambda: [("", "全部"), *action_choices()], required=False
    )
    actor = forms.CharField(label="操作人", required=False)
    since = forms.DateField(label="起始日期", required=False, widget=DateInput())
    until = forms.DateField(label="截止日期", required=False, widget=DateInput())


@require_safe
@login_required
def audit_list(request: HttpRequest) -> HttpResponse:
    scope_for(request.user).require_global(GlobalAbility.READ_AUDIT)
    form = AuditFilterForm(request.GET or None)
    qs = AuditEvent.objects.select_related("actor", "actor__member").prefetch_related(
        "actor__role_grants"
    )
    if form.is_valid():
        f = form.cleaned_data
        if f["action"]:
            qs = qs.filter(action=f["action"])
        if f["actor"]:
            # By login, by the account's name or by the linked member's name.
            qs = qs.filter(
                Q(actor_name__icontains=f["actor"])
                | Q(actor__first_name__icontains=f["actor"])
                | Q(actor__member__name__icontains=f["actor"])
            )
        if f["since"]:
            qs = qs.filter(at__date__gte=f["since"])
        if f["until"]:
            qs = qs.filter(at__date__lte=f["until"])
    page = Paginator(qs, 100).get_page(request.GET.get("page"))
    rows = describe_all(page.object_list)
    return render(request, "audit/list.html", {"form": form, "page": page, "rows": rows})
