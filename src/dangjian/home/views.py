"""工作台: the landing page, and the user's notifications. It reads every app, so it sits above
them all (docs/architecture.md, Layers); `core` below knows none of them."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST, require_safe
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from dangjian.accounts.abilities import GlobalAbility
from dangjian.accounts.scope import scope_for
from dangjian.core import notify, workbench
from dangjian.core.actors import Actor
from dangjian.core.api import RuleValueSerializer
from dangjian.core.exceptions import DomainError
from dangjian.core.forms import add_domain_error
from dangjian.core.models import Notification, RuleValue
from dangjian.core.procedures import NeedsConfirmation
from dangjian.core.selectors import in_force_on
from dangjian.home import rules
from dangjian.home.forms import RevisionForm
from dangjian.orgs.selectors import subtree_summary, top_nodes

HOME_ITEMS = 20  # per group on the page; the API lists them all


@require_safe
@login_required
def home(request: HttpRequest) -> HttpResponse:
    """工作台: what the user must act on (each app's providers), then the scope's figures."""
    scope = scope_for(request.user)
    today = timezone.localdate()
    groups = workbench.groups_for(request.user, scope, today, limit=HOME_ITEMS)
    cards = [{"org": org, "summary": subtree_summary(org)} for org in top_nodes(request.user)]
    context = {"cards": cards, "groups": groups, "today": today, "scope": scope}
    return render(request, "core/home.html", context)


@require_safe
@login_required
def notifications(request: HttpRequest) -> HttpResponse:
    """通知: the user's own notifications, newest first, unread ones marked."""
    mine = Notification.objects.filter(recipient_id=request.user.pk)
    page = Paginator(mine, 50).get_page(request.GET.get("page"))
    return render(request, "core/notifications.html", {"page": page})


@login_required
@require_POST
def notification_read(request: HttpRequest, pk: int) -> HttpResponse:
    """标为已读 (one's own only: another user's id changes nothing), then go where it points
    when asked to (`open=1`)."""
    notify.mark_read(user=request.user, pk=pk)
    note = Notification.objects.filter(recipient_id=request.user.pk, pk=pk).first()
    link = note.link if note is not None and request.POST.get("open") == "1" else ""
    if link and url_has_allowed_host_and_scheme(link, allowed_hosts=None):
        return redirect(link)
    return redirect("core:notifications")


@login_required
@require_POST
def notifications_read_all(request: HttpRequest) -> HttpResponse:
    notify.mark_read(user=request.user)
    return redirect("core:notifications")


class WorkItemSerializer(serializers.Serializer):
    """One thing to act on (工作台)."""

    group = serializers.CharField(help_text="分组，如“预备期将满”")
    kind = serializers.CharField(help_text="事项类别，如“预备期满”“换届”“投票”")
    title = serializers.CharField(help_text="要办的事")
    subject = serializers.CharField(help_text="涉及的党组织或党员")
    due = serializers.DateField(allow_null=True, help_text="到期日期")
    overdue = serializers.BooleanField(help_text="是否已逾期")
    due_in_words = serializers.CharField(help_text="如“还有 12 天”“已逾期 3 天”")
    url = serializers.CharField(help_text="办理页面的地址")


class WorkbenchView(APIView):
    """工作台: the items the user must act on, in their scope (the page's list, as data)."""

    @extend_schema(
        operation_id="workbench_list",
        summary="我的待办事项（工作台）",
        responses=WorkItemSerializer(many=True),
    )
    def get(self, request: Request) -> Response:
        today = timezone.localdate()
        rows = [
            {
                "group": group.label,
                "kind": item.kind,
                "title": item.title,
                "subject": item.subject,
                "due": item.due,
                "overdue": item.overdue,
                "due_in_words": item.due_in_words(today),
                "url": item.url,
            }
            for group in workbench.groups_for(request.user, scope_for(request.user), today)
            for item in group.items
        ]
        return Response(WorkItemSerializer(rows, many=True).data)


@login_required
def rule_revise(request: HttpRequest) -> HttpResponse:
    """录入规则参数修订 (系统管理员): a rule's new value from a date, with its source."""
    scope_for(request.user).require_global(GlobalAbility.MANAGE_ACCOUNTS)
    form = RevisionForm(request.POST or None, initial={"key": request.GET.get("key", "")})
    warnings: tuple[str, ...] = ()
    if request.method == "POST" and form.is_valid():
        try:
            row = rules.revise_rule(
                actor=Actor.from_request(request),
                revision=rules.Revision(**form.cleaned_data),
                confirmed=request.POST.get("confirmed") == "1",
            )
        except NeedsConfirmation as exc:
            warnings = exc.warnings
        except DomainError as exc:
            add_domain_error(form, exc)
        else:
            messages.success(
                request,
                f"已录入修订：{row.description}，自 {row.effective_from:%Y-%m-%d} 起取值 "
                f"{row.value.normalize():f}。",
            )
            return redirect("core:rules")
    return render(request, "core/rule_revise.html", {"form": form, "warnings": warnings})


class RevisionSerializer(serializers.Serializer):  # type: ignore[type-arg]
    key = serializers.CharField(label="规则", max_length=60)
    value = serializers.DecimalField(label="新取值", max_digits=12, decimal_places=4)
    effective_from = serializers.DateField(label="生效日期")
    description = serializers.CharField(label="说明", max_length=200, required=False, default="")
    basis = serializers.ChoiceField(label="依据性质", choices=RuleValue.Basis.choices)
    confirmed = serializers.BooleanField(label="确认追溯生效", required=False, default=False)

    def get_fields(self) -> dict[str, Any]:
        # "source" is a Field attribute of the serializer itself: added here, not as a class
        # attribute, so the body's 依据 keeps its plain name.
        fields = super().get_fields()
        fields["source"] = serializers.CharField(label="依据", max_length=200)
        return fields


class RuleRevisionView(APIView):
    """录入规则参数修订 (系统管理员), as the page does; a retroactive date answers 400 with the
    warning until it is sent again with confirmed=true."""

    @extend_schema(
        operation_id="rules_revise",
        summary="录入规则参数修订",
        request=RevisionSerializer,
        responses={201: RuleValueSerializer},
    )
    def post(self, request: Request) -> Response:
        scope_for(request.user).require_global(GlobalAbility.MANAGE_ACCOUNTS)
        given = RevisionSerializer(data=request.data)
        given.is_valid(raise_exception=True)
        data = dict(given.validated_data)
        confirmed = bool(data.pop("confirmed"))
        row = rules.revise_rule(
            actor=Actor.from_request(request), revision=rules.Revision(**data), confirmed=confirmed
        )
        on = timezone.localdate()
        context = {"on": on, "in_force": in_force_on(on)}
        return Response(RuleValueSerializer(row, context=context).data, status=201)
