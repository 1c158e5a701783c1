"""组织关系转接 pages: the two-sided list, starting or requesting a transfer, the detail with the
steps the engine offers, and the printed 介绍信."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST, require_safe

from dangjian.accounts.abilities import Ability
from dangjian.accounts.scope import refusal_for, scope_for
from dangjian.core.actors import Actor
from dangjian.core.exceptions import DomainError
from dangjian.core.forms import submit
from dangjian.core.http import attachment
from dangjian.core.printing import PdfFontMissing, qr_svg
from dangjian.core.procedures import may_act, steps_available, steps_of
from dangjian.members.models import Member
from dangjian.members.selectors import get_member_for_user
from dangjian.transfers import services
from dangjian.transfers.forms import StepForm, TransferForm
from dangjian.transfers.models import Transfer, TransferStatus
from dangjian.transfers.procedures import TRANSFER
from dangjian.transfers.selectors import get_transfer_for_user, incoming, outgoing
from dangjian.transfers.services import print_letter


@require_safe
@login_required
def transfer_list(request: HttpRequest) -> HttpResponse:
    """组织关系转接: 转出 and 转入, each newest first."""
    side = "in" if request.GET.get("side") == "in" else "out"
    rows = (incoming if side == "in" else outgoing)(request.user)[:200]
    return render(request, "transfers/list.html", {"side": side, "transfers": rows})


def _form_page(request: HttpRequest, member: Member, form: TransferForm, own: bool) -> HttpResponse:
    return render(request, "transfers/form.html", {"member": member, "form": form, "own": own},
                  status=400 if form.is_bound else 200)  # fmt: skip


@login_required
def transfer_create(request: HttpRequest, pk: int) -> HttpResponse:
    """发起转接 for member `pk` (the sending branch)."""
    member = get_member_for_user(request.user, pk, Ability.EDIT_MEMBERS)
    form = TransferForm(request.POST or None)
    transfer = submit(
        request,
        form,
        lambda d: services.start_transfer(
            actor=Actor.from_request(request),
            member=member,
            to_org=d["to_org_code"],
            to_org_text=d["to_org_text"],
            reason=d["reason"],
            dues_paid_to=d.get("dues_paid_to", ""),
        ),
    )
    if transfer is None:
        return _form_page(request, member, form, own=False)
    messages.success(request, "已发起组织关系转接，待上级党委审批并开具介绍信。")
    return redirect("transfers:detail", pk=transfer.pk)


@login_required
def transfer_request(request: HttpRequest) -> HttpResponse:
    """申请转接: a member asks for their own transfer; the branch accepts it."""
    own = scope_for(request.user).own_member_id
    if own is None:
        raise PermissionDenied("只有绑定了党员档案的账号才能申请组织关系转接。")
    member = Member.objects.select_related("org").get(pk=own)
    form = TransferForm(request.POST or None, with_dues=False)
    transfer = submit(
        request,
        form,
        lambda d: services.request_transfer(
            actor=Actor.from_request(request),
            member=member,
            to_org=d["to_org_code"],
            to_org_text=d["to_org_text"],
            reason=d["reason"],
        ),
    )
    if transfer is None:
        return _form_page(request, member, form, own=True)
    messages.success(request, "申请已提交，待党支部受理。")
    return redirect("transfers:detail", pk=transfer.pk)


@require_safe
@login_required
def transfer_detail(request: HttpRequest, pk: int) -> HttpResponse:
    transfer = get_transfer_for_user(request.user, pk)
    scope = scope_for(request.user)
    context = {
        "t": transfer,
        "steps": _steps(request.user, transfer),
        "history": [
            (s, TRANSFER.step_label(s.step), TRANSFER.state_label(s.to_state))
            for s in steps_of(TRANSFER, transfer)
        ],
        "can_print": transfer.has_letter and _may_print(request.user, transfer),
        "can_print_full": transfer.has_letter
        and scope.can(Ability.REVEAL_PERSONAL, transfer.from_org.path),
        "receipt_due": services.receipt_due(transfer) if transfer.external else None,
        "can_make_packet": transfer.external
        and transfer.status == TransferStatus.ISSUED
        and transfer.packet_id is None
        and scope.can(Ability.EDIT_MEMBERS, transfer.from_org.path),
    }
    path = services.packet_path(transfer)
    if path and scope.can(Ability.VIEW_MEMBERS, transfer.from_org.path):
        url = request.build_absolute_uri(path)
        context["packet_url"], context["packet_qr"] = url, qr_svg(url, title="转接数据包")
    return render(request, "transfers/detail.html", context)


# step → (URL name, what its form asks): the detail page shows the steps the engine offers.
STEP_FORMS: dict[str, tuple[str, dict[str, Any]]] = {
    "accept": ("transfers:accept", {"dues": 1, "primary": 1}),
    "decline": ("transfers:decline", {"reason": "不予受理的原因"}),
    "issue": ("transfers:issue", {"dues": 1, "primary": 1}),
    "refuse": ("transfers:refuse", {"reason": "不予审批的原因"}),
    "arrive": ("transfers:arrive", {"date": "报到日期（空为今天）", "primary": 1}),
    "return_letter": ("transfers:return", {"reason": "退回原因"}),
    "record_receipt": ("transfers:receipt", {"date": "回执上的报到日期", "primary": 1}),
    "withdraw": ("transfers:withdraw", {"reason": "撤回原因"}),
}


def _steps(user: Any, t: Transfer) -> list[tuple[Any, str, dict[str, Any]]]:
    found = []
    for option in steps_available(user, t, TRANSFER):
        if option.name in STEP_FORMS:
            name, asks = STEP_FORMS[option.name]
            found.append((option, reverse(name, args=[t.pk]), asks))
    return found


def _may_print(user: Any, t: Transfer) -> bool:
    return scope_for(user).can(Ability.VIEW_MEMBERS, t.from_org.path)


def require_step_ability(user: Any, transfer: Transfer, step: str) -> None:
    """403 unless the user holds the step's ability on its side (the sending branch, the
    approving 党委 or the receiving organization), whatever the transfer's state."""
    who = TRANSFER.step(step).who
    if not may_act(user, who, transfer):
        raise PermissionDenied(refusal_for(who.ability) if who else "该步骤由系统办理")


def _step_view(step: str, run: Callable[[Actor, Transfer, StepForm], Any], done: str) -> Any:
    @login_required
    @require_POST
    def view(request: HttpRequest, pk: int) -> HttpResponse:
        transfer = get_transfer_for_user(request.user, pk)
        require_step_ability(request.user, transfer, step)
        form = StepForm(request.POST)
        try:
            if not form.is_valid():
                raise DomainError("请求不完整，请刷新页面后重试。")
            run(Actor.from_request(request), transfer, form)
            messages.success(request, done)
        except DomainError as exc:
            messages.error(request, exc.message)
        return redirect("transfers:detail", pk=transfer.pk)

    return view


def _v(form: StepForm) -> int:
    return int(form.cleaned_data["version"])


def _r(form: StepForm) -> str:
    return str(form.cleaned_data.get("reason") or "")


accept = _step_view(
    "accept",
    lambda a, t, f: services.accept_request(
        actor=a, transfer=t, version=_v(f), dues_paid_to=f.cleaned_data.get("dues_paid_to") or ""
    ),
    "已受理，待上级党委审批。",
)
decline = _step_view(
    "decline",
    lambda a, t, f: services.decline_request(actor=a, transfer=t, version=_v(f), reason=_r(f)),
    "已不予受理。",
)
issue = _step_view(
    "issue",
    lambda a, t, f: services.issue_letter(
        actor=a, transfer=t, version=_v(f), dues_paid_to=f.cleaned_data.get("dues_paid_to") or ""
    ),
    "已审批并开具介绍信，可打印。",
)
refuse = _step_view(
    "refuse",
    lambda a, t, f: services.refuse_transfer(actor=a, transfer=t, version=_v(f), reason=_r(f)),
    "已不予审批。",
)
arrive = _step_view(
    "arrive",
    lambda a, t, f: services.confirm_arrival(actor=a, transfer=t, version=_v(f), on=f.day()),
    "已确认报到，党员已转入本组织。",
)
return_letter = _step_view(
    "return_letter",
    lambda a, t, f: services.return_letter(actor=a, transfer=t, version=_v(f), reason=_r(f)),
    "已退回介绍信。",
)
receipt = _step_view(
    "record_receipt",
    lambda a, t, f: services.record_receipt(
        actor=a, transfer=t, version=_v(f), arrival_date=f.day()
    ),
    "已登记回执，党员已转出。",
)
withdraw = _step_view(
    "withdraw",
    lambda a, t, f: services.withdraw_transfer(actor=a, transfer=t, version=_v(f), reason=_r(f)),
    "已撤回。",
)


@login_required
@require_POST
def make_packet(request: HttpRequest, pk: int) -> HttpResponse:
    """生成转接数据包 for an issued letter to another system (the sending side)."""
    transfer = get_transfer_for_user(request.user, pk)
    if not scope_for(request.user).can(Ability.EDIT_MEMBERS, transfer.from_org.path):
        raise PermissionDenied(refusal_for(Ability.EDIT_MEMBERS))
    try:
        services.make_packet(actor=Actor.from_request(request), transfer=transfer)
        messages.success(request, "已生成转接数据包；重新打印的介绍信带有它的二维码。")
    except DomainError as exc:
        messages.error(request, exc.message)
    return redirect("transfers:detail", pk=transfer.pk)


@require_safe
@login_required
def letter_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    """打印组织关系介绍信 (存根, 介绍信, 回执); ?full=1 prints the full ID number (audited).
    404 until the letter is issued."""
    transfer = get_transfer_for_user(request.user, pk)
    if not transfer.has_letter:
        raise Http404("介绍信尚未开具")
    try:
        path = services.packet_path(transfer)
        body = print_letter(
            actor=Actor.from_request(request),
            transfer=transfer,
            full=request.GET.get("full") == "1",
            qr_url=request.build_absolute_uri(path) if path else None,
        )
    except PdfFontMissing as exc:
        return render(request, "rosters/pdf_error.html", {"message": exc.message}, status=503)
    except DomainError as exc:
        raise PermissionDenied(exc.message) from exc
    return attachment(body, f"组织关系介绍信-{transfer.member.name}.pdf", "application/pdf",
                      inline=True)  # fmt: skip
