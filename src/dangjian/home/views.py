"""工作台: the landing page, shaped by what the user may do."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_safe

from dangjian.accounts.scope import scope_for
from dangjian.orgs.models import Organization
from dangjian.orgs.selectors import subtree_summary, top_nodes


@require_safe
@login_required
def home(request: HttpRequest) -> HttpResponse:
    scope = scope_for(request.user)
    if not scope.sees_orgs and scope.own_member_id is not None:
        return redirect("members:detail", pk=scope.own_member_id)
    nodes = top_nodes(request.user)
    cards = [{"org": org, "summary": subtree_summary(org)} for org in nodes]
    today = timezone.localdate()
    due = (
        Organization.objects.visible_to(scope)
        .active()
        .filter(term_end__lt=today)
        .order_by("term_end")[:10]
    )
    return render(request, "core/home.html", {"cards": cards, "due": due, "scope": scope})
