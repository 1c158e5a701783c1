"""跨系统转接 pages: letters received from other systems, packets imported and signed, and the
installations this one trusts. Views parse, call one service, and render its answer."""

from __future__ import annotations

import base64
import binascii
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST, require_safe

from dangjian.accounts.abilities import Ability
from dangjian.accounts.scope import orgs_with
from dangjian.core.actors import Actor
from dangjian.core.exceptions import DomainError
from dangjian.core.forms import add_domain_error
from dangjian.core.http import attachment
from dangjian.core.printing import qr_svg
from dangjian.exchange import services, signing
from dangjian.exchange.forms import (
    ExportForm,
    LetterForm,
    PacketImportForm,
    PacketUploadForm,
    ReceiveForm,
    ReturnForm,
    RevokeForm,
    TrustForm,
)
from dangjian.exchange.models import TrustedInstallation
from dangjian.exchange.selectors import (
    get_letter_for_user,
    get_packet_for_user,
    installations,
    letters_visible_to,
    may_manage_trust,
    may_use_exchange,
    packets_visible_to,
)
from dangjian.members.selectors import get_member_for_user, may_edit_member


def _require_use(request: HttpRequest) -> None:
    if not may_use_exchange(request.user):
        raise PermissionDenied("您没有办理跨系统转接的权限。")


def _receiving_orgs(request: HttpRequest) -> Any:
    orgs = orgs_with(request.user, Ability.EDIT_MEMBERS, holding_members=True)
    if not orgs.exists():
        raise PermissionDenied("您没有可以接收党员的党组织。")
    return orgs


def _single(orgs: Any) -> dict[str, Any]:
    """The receiving organization chosen already when the user keeps only one register."""
    first_two = list(orgs[:2])
    return {"org": first_two[0].pk} if len(first_two) == 1 else {}


@login_required
@require_safe
def home(request: HttpRequest) -> HttpResponse:
    """跨系统转接: letters received, packets signed here, and the trust list's state."""
    _require_use(request)
    context = {
        "letters": letters_visible_to(request.user)[:100],
        "packets": packets_visible_to(request.user)[:100],
        "can_receive": orgs_with(request.user, Ability.EDIT_MEMBERS).exists(),
        "trusted": installations().filter(revoked_at__isnull=True),
        **_own_key(),
    }
    return render(request, "exchange/home.html", context)


# ---- the paper letter ---------------------------------------------------------------------------


@login_required
def letter_create(request: HttpRequest) -> HttpResponse:
    """登记外系统介绍信: type it in once → 预览 → 接收 (or 退回 with a reason)."""
    orgs = _receiving_orgs(request)
    form = LetterForm(request.POST or None, orgs=orgs, initial=_single(orgs))
    action = request.POST.get("action", "preview")
    receive_form = ReceiveForm(request.POST if action == "receive" else None)
    return_form = ReturnForm(request.POST if action == "return" else None)
    if request.method != "POST" or not form.is_valid():
        status = 400 if form.is_bound else 200
        return render(request, "exchange/letter_form.html", {"form": form}, status=status)
    if action == "edit":  # back from the preview, the fields as typed
        return render(request, "exchange/letter_form.html", {"form": form})
    letter = form.letter()
    actor = Actor.from_request(request)
    try:
        preview = services.preview_letter(actor=actor, letter=letter)
    except DomainError as exc:
        add_domain_error(form, exc)
        return render(request, "exchange/letter_form.html", {"form": form}, status=400)
    try:
        if action == "receive" and receive_form.is_valid():
            stored = services.receive_letter(
                actor=actor, letter=letter, overdue_note=receive_form.cleaned_data["overdue_note"]
            )
            messages.success(request, f"已接收{stored.name}同志的组织关系。")
            return redirect("exchange:letter-detail", pk=stored.pk)
        if action == "return" and return_form.is_valid():
            stored = services.return_letter(
                actor=actor, letter=letter, reason=return_form.cleaned_data["return_reason"]
            )
            messages.success(request, "已登记退回介绍信。")
            return redirect("exchange:letter-detail", pk=stored.pk)
    except DomainError as exc:
        add_domain_error(receive_form if action == "receive" else return_form, exc)
    context = {
        "form": form,
        "letter": letter,
        "preview": preview,
        "receive_form": receive_form,
        "return_form": return_form,
    }
    status = 400 if action in ("receive", "return") else 200
    return render(request, "exchange/letter_preview.html", context, status=status)


@login_required
@require_safe
def letter_detail(request: HttpRequest, pk: int) -> HttpResponse:
    letter = get_letter_for_user(request.user, pk)
    return render(request, "exchange/letter_detail.html", {"letter": letter})


# ---- packets: import ----------------------------------------------------------------------------


def _refused(request: HttpRequest, form: Any, exc: DomainError, template: str) -> HttpResponse:
    services.refuse_packet_audit(actor=Actor.from_request(request), reason=exc.message)
    add_domain_error(form, exc)
    return render(request, template, {"form": form}, status=400)


@login_required
def packet_import(request: HttpRequest) -> HttpResponse:
    """导入转接数据包: upload → 校验 → 预览 (the member as signed) → 导入."""
    orgs = _receiving_orgs(request)
    if request.POST.get("action") == "import":
        return _packet_import_confirm(request, orgs)
    form = PacketUploadForm(
        request.POST or None, request.FILES or None, orgs=orgs, initial=_single(orgs)
    )
    if request.method != "POST" or not form.is_valid():
        status = 400 if form.is_bound else 200
        return render(request, "exchange/packet_upload.html", {"form": form}, status=status)
    data = form.cleaned_data["file"].read(services.MAX_PACKET_BYTES + 1)
    org, received_on = form.cleaned_data["org"], form.cleaned_data["received_on"]
    try:
        packet, letter, preview = services.preview_packet(
            actor=Actor.from_request(request), data=data, org=org, received_on=received_on
        )
    except DomainError as exc:
        return _refused(request, form, exc, "exchange/packet_upload.html")
    import_form = PacketImportForm(
        initial={
            "packet": base64.b64encode(data).decode(),
            "org": org.pk,
            "received_on": received_on,
        },
        orgs=orgs,
    )
    return render(
        request,
        "exchange/packet_preview.html",
        _packet_context(packet, letter, preview, import_form),
    )


def _packet_context(packet: Any, letter: Any, preview: Any, form: Any) -> dict[str, Any]:
    return {
        "packet": packet,
        "letter": letter,
        "preview": preview,
        "form": form,
        "fingerprint": signing.grouped(packet.installation.fingerprint),
    }


def _packet_import_confirm(request: HttpRequest, orgs: Any) -> HttpResponse:
    form = PacketImportForm(request.POST, orgs=orgs)
    if not form.is_valid():
        return redirect("exchange:packet-import")
    try:
        data = base64.b64decode(form.cleaned_data["packet"], validate=True)
    except (binascii.Error, ValueError):
        return redirect("exchange:packet-import")
    actor = Actor.from_request(request)
    org, received_on = form.cleaned_data["org"], form.cleaned_data["received_on"]
    try:
        stored = services.import_packet(
            actor=actor,
            data=data,
            org=org,
            received_on=received_on,
            overdue_note=form.cleaned_data["overdue_note"],
        )
    except DomainError as exc:
        if exc.field == "overdue_note":
            packet, letter, preview = services.preview_packet(
                actor=actor, data=data, org=org, received_on=received_on
            )
            add_domain_error(form, exc)
            context = _packet_context(packet, letter, preview, form)
            return render(request, "exchange/packet_preview.html", context, status=400)
        upload = PacketUploadForm(orgs=orgs)
        return _refused(request, upload, exc, "exchange/packet_upload.html")
    messages.success(request, f"已导入{stored.name}同志的转接数据包并接收组织关系。")
    return redirect("exchange:letter-detail", pk=stored.pk)


# ---- packets: export and download ---------------------------------------------------------------


@login_required
def packet_export(request: HttpRequest, pk: int) -> HttpResponse:
    """生成转接数据包 (from a member's page): the letter's facts, then the signed file."""
    member = get_member_for_user(request.user, pk, Ability.EDIT_MEMBERS)
    form = ExportForm(request.POST or None, initial={"from_org": member.org.name})
    if request.method == "POST" and form.is_valid():
        try:
            packet = services.export_packet(
                actor=Actor.from_request(request), member=member, letter=form.facts()
            )
        except DomainError as exc:
            add_domain_error(form, exc)
        else:
            messages.success(request, "已生成转接数据包。")
            return redirect("exchange:packet-detail", pk=packet.pk)
    status = 400 if form.is_bound else 200
    context = {"form": form, "member": member}
    return render(request, "exchange/packet_export.html", context, status=status)


@login_required
@require_safe
def packet_detail(request: HttpRequest, pk: int) -> HttpResponse:
    packet = get_packet_for_user(request.user, pk)
    link = services.packet_capability_url(packet, request)
    context = {
        "packet": packet,
        "link": link,
        "qr": qr_svg(link, scale=3, title="转接数据包下载链接"),
        "can_manage": may_edit_member(request.user, packet.member),
    }
    return render(request, "exchange/packet_detail.html", context)


@login_required
@require_POST
def packet_withdraw(request: HttpRequest, pk: int) -> HttpResponse:
    packet = get_packet_for_user(request.user, pk, Ability.EDIT_MEMBERS)
    try:
        services.withdraw_packet(actor=Actor.from_request(request), packet=packet)
    except DomainError as exc:
        raise PermissionDenied(exc.message) from exc
    messages.success(request, "已停止该数据包的下载。")
    return redirect("exchange:packet-detail", pk=packet.pk)


@require_safe
def packet_download(request: HttpRequest, token: str) -> HttpResponse:
    """The capability URL (the QR code on the letter): the file itself, no login."""
    try:
        packet = services.download_packet(actor=Actor.from_request(request), token=token)
    except DomainError as exc:
        return render(request, "exchange/packet_gone.html", {"message": exc.message}, status=410)
    body = services.packet_file(packet)
    response = attachment(body, services.packet_file_name(packet), "application/json")
    response["Cache-Control"] = "no-store"
    response["Referrer-Policy"] = "no-referrer"
    return response


# ---- trusted installations ----------------------------------------------------------------------


@login_required
def installation_list(request: HttpRequest) -> HttpResponse:
    """受信任的系统 (the security administrator's): whose packets this installation imports."""
    if not may_manage_trust(request.user):
        raise PermissionDenied("只有安全管理员可以管理受信任的系统。")
    form = TrustForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.trust_installation(actor=Actor.from_request(request), **form.cleaned_data)
        except DomainError as exc:
            add_domain_error(form, exc)
        else:
            messages.success(request, f"已添加受信任的系统「{form.cleaned_data['name']}」。")
            return redirect("exchange:installations")
    context = {
        "installations": installations(),
        "form": form,
        "revoke_form": RevokeForm(),
        **_own_key(),
    }
    return render(
        request, "exchange/installations.html", context, status=400 if form.is_bound else 200
    )


def _own_key() -> dict[str, str]:
    """This installation's name, public key and fingerprint, to give to the other side."""
    return {
        "own_name": signing.installation_name(),
        "own_key": signing.own_public_key(),
        "own_fingerprint": signing.grouped(signing.own_fingerprint()),
    }


@login_required
@require_POST
def installation_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    if not may_manage_trust(request.user):
        raise PermissionDenied("只有安全管理员可以管理受信任的系统。")
    installation = get_object_or_404(TrustedInstallation, pk=pk)
    form = RevokeForm(request.POST)
    if not form.is_valid():
        messages.error(request, "请填写撤销原因。")
        return redirect("exchange:installations")
    try:
        services.revoke_trust(
            actor=Actor.from_request(request),
            installation=installation,
            reason=form.cleaned_data["reason"],
        )
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, f"已撤销对「{installation.name}」的信任。")
    return redirect("exchange:installations")
