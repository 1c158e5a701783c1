"""组织关系转接: one function per step of `procedures.TRANSFER`; pages, API and the worker call
these. Until arrival the member stays where they are: only `confirm_arrival` (inside this
installation) and `record_receipt` (a letter to another system) change the member's register,
through `members.services`, in the step's own transaction.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from dateutil.relativedelta import relativedelta
from django.db import IntegrityError, transaction
from django.utils import timezone

from dangjian.accounts.abilities import Ability
from dangjian.accounts.scope import scope_for
from dangjian.audit.services import record_audit
from dangjian.core.actors import Actor, actor_user
from dangjian.core.exceptions import DomainError
from dangjian.core.models import rule_value
from dangjian.core.names import person_name
from dangjian.core.procedures import take_step
from dangjian.exchange import services as exchange
from dangjian.members import services as members
from dangjian.members.choices import MemberStatus
from dangjian.members.models import Member, MemberEvent
from dangjian.mobile import services as mobile
from dangjian.orgs.models import Organization, OrgKind
from dangjian.orgs.selectors import approving_committee
from dangjian.transfers.models import OPEN_STATUSES, SerialCounter, Transfer, TransferStatus
from dangjian.transfers.pdf import transfer_letter_pdf
from dangjian.transfers.procedures import PRINT_LETTER, PRINT_LETTER_FULL, TRANSFER

S = TransferStatus
VALIDITY = "transfer.letter_validity_months"
WARNING_DAYS = "transfer.expiry_warning_days"
RECEIPT_DAYS = "transfer.receipt_overdue_days"


def letter_valid_until(issued: dt.date) -> dt.date:
    """The last day the 介绍信 is valid: the rule's months after the issue date (the day the
    months end still counts; the letter has expired the day after)."""
    return issued + relativedelta(months=int(rule_value(VALIDITY, issued)))


def receipt_due(transfer: Transfer) -> dt.date | None:
    """The day by which the 回执 of a letter to another system is expected back."""
    if transfer.issue_date is None:
        return None
    days = int(rule_value(RECEIPT_DAYS, transfer.issue_date))
    return transfer.issue_date + dt.timedelta(days=days)


def open_transfer_of(member: Member) -> Transfer | None:
    return Transfer.objects.filter(member=member, status__in=OPEN_STATUSES).first()


# --- starting -------------------------------------------------------------------------------


def _check_destination(member: Member, to_org: Organization | None, to_org_text: str) -> None:
    if (to_org is None) == (not to_org_text.strip()):
        raise DomainError("请选择本系统内的接收党组织，或填写系统外接收党组织的名称（二选一）。",
                          field="to_org")  # fmt: skip
    if to_org is None:
        return
    if to_org.pk == member.org_id:
        raise DomainError("接收党组织与党员现在的党组织相同。", field="to_org")
    if to_org.kind == OrgKind.GROUP or not to_org.is_active:
        raise DomainError("只能转入正常状态的党支部或党委。", field="to_org")


def _open(
    *,
    actor: Any,
    member: Member,
    to_org: Organization | None,
    to_org_text: str,
    reason: str,
    dues_paid_to: str,
    step: str,
    on: dt.date,
) -> Transfer:
    """Create the transfer and take its first step, with the member locked: at most one open
    transfer per member (the lock orders concurrent attempts; the constraint backs it up)."""
    if not reason.strip():
        raise DomainError("请填写转接原因。", field="reason")
    _check_destination(member, to_org, to_org_text)
    try:
        with transaction.atomic():
            locked = Member.objects.select_for_update().select_related("org").get(pk=member.pk)
            if locked.status != MemberStatus.ACTIVE:
                raise DomainError(f"党员「{locked.name}」党籍状态为{locked.get_status_display()}，"
                                  "不能办理组织关系转接。")  # fmt: skip
            if open_transfer_of(locked) is not None:
                raise DomainError(_ALREADY_OPEN.format(name=locked.name))
            transfer = Transfer.objects.create(
                member=locked,
                from_org=locked.org,
                to_org=to_org,
                to_org_text="" if to_org else to_org_text.strip()[:100],
                approver=approving_committee(locked.org),
                reason=reason.strip()[:200],
                dues_paid_to=dues_paid_to.strip()[:20],
                requested_by=actor_user(actor),
            )
            take_step(
                actor=actor,
                definition=TRANSFER,
                record=transfer,
                step=step,
                effective_date=on,
                data={"to": transfer.destination, "reason": transfer.reason},
                system=step == "request",
            )
    except IntegrityError as exc:  # another transfer of the member committed meanwhile
        raise DomainError(_ALREADY_OPEN.format(name=member.name)) from exc
    return transfer


_ALREADY_OPEN = "党员「{name}」已有一项正在办理的组织关系转接，须办结或撤回后才能再发起。"


def start_transfer(
    *,
    actor: Any,
    member: Member,
    reason: str,
    to_org: Organization | None = None,
    to_org_text: str = "",
    dues_paid_to: str = "",
    on: dt.date | None = None,
) -> Transfer:
    """发起转接 by the sending branch (维护党员信息 on the member's organization)."""
    if not scope_for(actor).can(Ability.EDIT_MEMBERS, member.org_path):
        raise DomainError("您没有为该党员办理组织关系转接的权限。")
    return _open(actor=actor, member=member, to_org=to_org, to_org_text=to_org_text,
                 reason=reason, dues_paid_to=dues_paid_to, step="start",
                 on=on or timezone.localdate())  # fmt: skip


def request_transfer(
    *,
    actor: Any,
    member: Member,
    reason: str,
    to_org: Organization | None = None,
    to_org_text: str = "",
) -> Transfer:
    """党员申请转接 (self-service): only the member's own login; the branch accepts it."""
    if scope_for(actor).own_member_id != member.pk:
        raise DomainError("只能为本人申请组织关系转接。")
    return _open(actor=actor, member=member, to_org=to_org, to_org_text=to_org_text,
                 reason=reason, dues_paid_to="", step="request",
                 on=timezone.localdate())  # fmt: skip


# --- the steps ------------------------------------------------------------------------------


def _step(
    actor: Any,
    transfer: Transfer,
    step: str,
    version: int | None,
    *,
    on: dt.date | None = None,
    note: str = "",
    data: dict[str, Any] | None = None,
    perform: Any = None,
) -> Transfer:
    take_step(
        actor=actor,
        definition=TRANSFER,
        record=transfer,
        step=step,
        effective_date=on or timezone.localdate(),
        note=note,
        data=data,
        expected_version=version,
        perform=perform,
    )
    return transfer


def accept_request(
    *, actor: Any, transfer: Transfer, version: int | None = None, dues_paid_to: str = ""
) -> Transfer:
    """支部受理 a member's request: it goes to the 党委 for approval."""

    def perform(locked: Transfer) -> dict[str, Any]:
        if dues_paid_to.strip():
            locked.dues_paid_to = dues_paid_to.strip()[:20]
            locked.save(update_fields=["dues_paid_to"])
        return {"dues_paid_to": locked.dues_paid_to}

    return _step(actor, transfer, "accept", version, perform=perform)


def decline_request(
    *, actor: Any, transfer: Transfer, reason: str, version: int | None = None
) -> Transfer:
    """不予受理 a member's request, with the reason the member is told."""
    return _step(actor, transfer, "decline", version, note=_required(reason, "不予受理的原因"))


def issue_letter(
    *,
    actor: Any,
    transfer: Transfer,
    version: int | None = None,
    on: dt.date | None = None,
    dues_paid_to: str = "",
) -> Transfer:
    """审批并开具介绍信: the 党委 approves; the letter gets its serial number (字第 号, counted
    per issuing 党委 and year), issue date and validity (rule `transfer.letter_validity_months`
    in force on the issue date)."""
    issued = on or timezone.localdate()

    def perform(locked: Transfer) -> dict[str, Any]:
        counter, _ = SerialCounter.objects.get_or_create(issuer=locked.approver, year=issued.year)
        counter = SerialCounter.objects.select_for_update().get(pk=counter.pk)
        counter.last += 1
        counter.save(update_fields=["last"])
        issuer = locked.approver
        locked.serial_year, locked.serial_no = issued.year, counter.last
        locked.serial = (
            f"{issuer.short_name or issuer.name}组转字〔{issued.year}〕第{counter.last}号"
        )
        locked.issue_date = issued
        locked.valid_until = letter_valid_until(issued)
        if dues_paid_to.strip():
            locked.dues_paid_to = dues_paid_to.strip()[:20]
        locked.save(update_fields=["serial", "serial_year", "serial_no", "issue_date",
                                   "valid_until", "dues_paid_to"])  # fmt: skip
        return {"serial": locked.serial, "valid_until": locked.valid_until.isoformat()}

    return _step(actor, transfer, "issue", version, on=issued, perform=perform)


def refuse_transfer(
    *, actor: Any, transfer: Transfer, reason: str, version: int | None = None
) -> Transfer:
    """不予审批, with the reason."""
    return _step(actor, transfer, "refuse", version, note=_required(reason, "不予审批的原因"))


def confirm_arrival(
    *, actor: Any, transfer: Transfer, on: dt.date | None = None, version: int | None = None
) -> Transfer:
    """确认报到 by the receiving organization: the member moves there on the arrival date, in
    the same transaction as the step (the sending organization was responsible until then)."""
    arrived = on or timezone.localdate()

    def perform(locked: Transfer) -> dict[str, Any]:
        assert locked.to_org is not None
        members.record_transfer_arrival(
            actor=actor,
            member=locked.member,
            org=locked.to_org,
            effective_date=arrived,
            document_no=locked.serial,
            note=f"组织关系转接报到（由{locked.from_org.name}转入）",
        )
        closed = mobile.close_for_transfer(actor=actor, member=locked.member, on=arrived)
        locked.arrival_date = arrived
        locked.save(update_fields=["arrival_date"])
        return {"arrival_date": arrived.isoformat(), "org": locked.to_org.name,
                "mobile_stay_closed": closed is not None}  # fmt: skip

    return _step(actor, transfer, "arrive", version, on=arrived, perform=perform)


def return_letter(
    *, actor: Any, transfer: Transfer, reason: str, version: int | None = None
) -> Transfer:
    """退回介绍信 by the receiving organization, with the reason: the member stays where they
    were (nothing in the register had changed)."""
    text = _required(reason, "退回原因")

    def perform(locked: Transfer) -> dict[str, Any]:
        locked.return_reason = text[:200]
        locked.save(update_fields=["return_reason"])
        return {"reason": text}

    return _step(actor, transfer, "return_letter", version, note=text, perform=perform)


def record_receipt(
    *,
    actor: Any,
    transfer: Transfer,
    arrival_date: dt.date,
    version: int | None = None,
) -> Transfer:
    """登记回执 of a letter to another system: the member reported there on `arrival_date`
    (the date on the 回执) and leaves this installation's register as 组织关系转出."""
    today = timezone.localdate()

    def perform(locked: Transfer) -> dict[str, Any]:
        members.record_event(
            actor=actor,
            member=locked.member,
            kind=MemberEvent.Kind.TRANSFER_OUT,
            effective_date=arrival_date,
            counterpart=locked.to_org_text,
            document_no=locked.serial,
            note="组织关系介绍信回执已收回",
        )
        mobile.close_for_transfer(actor=actor, member=locked.member, on=arrival_date)
        locked.arrival_date, locked.receipt_date = arrival_date, today
        locked.save(update_fields=["arrival_date", "receipt_date"])
        return {"arrival_date": arrival_date.isoformat(), "to": locked.to_org_text}

    return _step(actor, transfer, "record_receipt", version, on=arrival_date, perform=perform)


def withdraw_transfer(
    *, actor: Any, transfer: Transfer, reason: str, version: int | None = None
) -> Transfer:
    """撤回 by the sending branch, before arrival (an issued letter is taken back; its
    转接数据包, if any, can no longer be downloaded)."""

    def perform(locked: Transfer) -> dict[str, Any]:
        if locked.packet is not None:
            exchange.withdraw_packet(actor=actor, packet=locked.packet)
        return {}

    return _step(actor, transfer, "withdraw", version, note=_required(reason, "撤回原因"),
                 perform=perform)  # fmt: skip


def make_packet(*, actor: Any, transfer: Transfer) -> Transfer:
    """生成转接数据包 for an issued letter to another system: the member's record and history
    with the letter's facts, signed by this installation (`exchange.export_packet`); its link
    is printed on the letter as a QR code. Once per letter."""
    if not scope_for(actor).can(Ability.EDIT_MEMBERS, transfer.from_org.path):
        raise DomainError("只有转出方可以生成转接数据包。")
    with transaction.atomic():
        locked = Transfer.objects.select_for_update().get(pk=transfer.pk)
        if not locked.external or locked.status != S.ISSUED:
            raise DomainError("只有已开具、转往其他系统的介绍信可以生成转接数据包。")
        if locked.packet_id is not None:
            raise DomainError("该介绍信已生成转接数据包。")
        assert locked.issue_date is not None and locked.valid_until is not None
        letter = exchange.LetterFacts(
            serial=locked.serial[:50],
            from_org=locked.from_org.name,
            to_org=locked.to_org_text,
            issue_date=locked.issue_date,
            valid_until=locked.valid_until,
            dues_paid_to=locked.dues_paid_to,
        )
        locked.packet = exchange.export_packet(actor=actor, member=locked.member, letter=letter)
        locked.version += 1
        locked.save(update_fields=["packet", "version"])
    transfer.refresh_from_db()
    return transfer


def packet_path(transfer: Transfer) -> str | None:
    """The download path of the letter's packet while it may be downloaded, else None."""
    packet = transfer.packet
    if packet is None or packet.withdrawn_at is not None:
        return None
    return exchange.packet_capability_path(packet)


def expire_letters(today: dt.date | None = None) -> int:
    """介绍信过期: every issued letter inside this installation whose validity ended before
    `today` (daily, from the worker). Letters to another system wait for their 回执 instead
    (the member may have reported there in time; `transfers.receipt_overdue` flags them)."""
    day = today or timezone.localdate()
    due = Transfer.objects.filter(status=S.ISSUED, valid_until__lt=day, to_org__isnull=False)
    done = 0
    for transfer in due.order_by("pk"):
        take_step(
            actor=Actor.system(),
            definition=TRANSFER,
            record=transfer,
            step="expire",
            effective_date=day,
            data={"valid_until": transfer.valid_until.isoformat() if transfer.valid_until else ""},
            system=True,
        )
        done += 1
    return done


def expire_due_letters() -> int:
    """The daily job (no arguments): expire the letters past validity today."""
    return expire_letters()


def _required(text: str, what: str) -> str:
    if not text.strip():
        raise DomainError(f"请填写{what}。", field="reason")
    return text.strip()


def print_letter(
    *, actor: Any, transfer: Transfer, full: bool = False, qr_url: str | None = None
) -> bytes:
    """打印组织关系介绍信: the sending side (查看党组织和党员 on the sending organization: its
    branch, the issuing 党委 above it); the ID number masked unless
    `full` (only with 查看完整身份证号和电话 on the sending organization). Every print is
    audited, a full one as sensitive."""
    scope = scope_for(actor)
    if not scope.can(Ability.VIEW_MEMBERS, transfer.from_org.path):
        raise DomainError("只有转出方（含审批党委）可以打印介绍信。")
    if not transfer.has_letter:
        raise DomainError("介绍信尚未开具。")
    if full and not scope.can(Ability.REVEAL_PERSONAL, transfer.from_org.path):
        raise DomainError("您没有打印完整身份证号的权限。")
    member = transfer.member
    id_number = member.reveal_id_number() if full else member.id_masked
    body = transfer_letter_pdf(
        transfer,
        id_number=id_number,
        printed_by=person_name(actor_user(actor)),
        qr_url=qr_url,
    )
    record_audit(
        PRINT_LETTER_FULL if full else PRINT_LETTER,
        actor=actor,
        target=member,
        detail={"serial": transfer.serial, "to": transfer.destination, "full": full},
    )
    return body
