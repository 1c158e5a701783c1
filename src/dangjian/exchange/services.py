"""跨系统转接: receiving members from other systems, and signed transfer packets.

- A paper 组织关系介绍信 from another system is typed in once, previewed, then received
  (`receive_letter`: the member registered, or a member who left earlier restored, through
  `members.services.receive_transferred_member`) or returned with a reason (`return_letter`).
- A transfer packet is a JSON file signed with this installation's Ed25519 key
  (`export_packet`), fetched at a capability URL (`packet_capability_path`). Another
  installation that trusts the key (`trust_installation`) verifies it, previews it and imports
  the member with no retyping (`import_packet`); a tampered, untrusted, revoked or replayed
  packet is refused with a message that says which.

The packet is signed, not encrypted (decision 45 in docs/decisions.md): it carries what the
paper letter carries, by the same hands.
"""

from __future__ import annotations

import base64
import datetime as dt
import json
import secrets
import uuid
from dataclasses import asdict, dataclass, field
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from dangjian.accounts.abilities import Ability, GlobalAbility
from dangjian.accounts.scope import scope_for
from dangjian.audit.actions import register_action
from dangjian.audit.services import record_audit
from dangjian.core.actors import actor_user
from dangjian.core.crypto import decrypt_bytes, encrypt_bytes
from dangjian.core.exceptions import DomainError
from dangjian.core.masking import mask_id_number
from dangjian.exchange import signing
from dangjian.exchange.models import (
    ExportedPacket,
    ImportedPacket,
    IncomingLetter,
    TrustedInstallation,
)
from dangjian.members.choices import MemberCategory, MemberStatus
from dangjian.members.models import Member, MemberEvent
from dangjian.members.services import (
    PERSONAL_FIELDS,
    MemberData,
    TransferArrival,
    TransferInOutcome,
    TransferredMember,
    receive_transferred_member,
)
from dangjian.orgs.models import Organization

RECEIVE_LETTER = register_action("exchange.receive_letter", "接收外系统介绍信")
RETURN_LETTER = register_action("exchange.return_letter", "退回外系统介绍信")
EXPORT_PACKET = register_action("exchange.export_packet", "生成转接数据包", tone="sensitive")
DOWNLOAD_PACKET = register_action("exchange.download_packet", "下载转接数据包", tone="sensitive")
WITHDRAW_PACKET = register_action("exchange.withdraw_packet", "停止转接数据包下载")
IMPORT_PACKET = register_action("exchange.import_packet", "导入转接数据包")
REFUSE_PACKET = register_action("exchange.refuse_packet", "拒绝导入转接数据包")
TRUST_INSTALLATION = register_action("exchange.trust_installation", "添加受信任的系统")
REVOKE_TRUST = register_action("exchange.revoke_trust", "撤销受信任的系统")

PACKET_FORMAT = "dangjian.transfer-packet/1"
MAX_PACKET_BYTES = 256 * 1024  # a member's record and history: a few kilobytes


# ---- the letter ---------------------------------------------------------------------------------


@dataclass
class LetterFacts:
    """组织关系介绍信的要素 as printed on the letter (serial 字第 号, both organizations named)."""

    serial: str
    from_org: str
    to_org: str
    issue_date: dt.date
    valid_until: dt.date
    dues_paid_to: str = ""  # 党费缴至 (e.g. "2026年11月")


@dataclass
class IncomingLetterInput:
    """A letter from another system as typed in (or read from a packet): the letter's facts,
    the receiving organization and the day the member reported (报到), and the member."""

    serial: str
    from_org: str
    issue_date: dt.date
    valid_until: dt.date
    org: Organization
    received_on: dt.date
    member: TransferredMember
    dues_paid_to: str = ""


@dataclass
class LetterPreview:
    outcome: TransferInOutcome
    overdue: bool
    overdue_days: int


def _require_receiver(actor: Any, org: Organization) -> None:
    if not scope_for(actor).can(Ability.EDIT_MEMBERS, org.path):
        raise DomainError("接收党组织不在您的管理范围内。", field="org")


def _check_letter(letter: IncomingLetterInput) -> None:
    if not letter.serial.strip():
        raise DomainError("请填写介绍信编号（字第 号）。", field="serial")
    if not letter.from_org.strip():
        raise DomainError("请填写开具介绍信的党组织。", field="from_org")
    if letter.valid_until < letter.issue_date:
        raise DomainError("有效期至不能早于开具日期。", field="valid_until")
    if letter.received_on < letter.issue_date:
        raise DomainError("报到日期不能早于介绍信开具日期。", field="received_on")


def is_overdue(letter: IncomingLetterInput) -> bool:
    """Past validity: the member reported after the last day the letter names (that day is
    still valid)."""
    return letter.received_on > letter.valid_until


def _arrival(letter: IncomingLetterInput, note: str) -> TransferArrival:
    return TransferArrival(
        org=letter.org,
        effective_date=letter.received_on,
        document_no=letter.serial.strip()[:100],
        note=note[:200],
        counterpart=letter.from_org.strip()[:100],
    )


def preview_letter(*, actor: Any, letter: IncomingLetterInput) -> LetterPreview:
    """预览: what receiving would do (new record or restored one), or the refusal; no write."""
    _require_receiver(actor, letter.org)
    _check_letter(letter)
    outcome = receive_transferred_member(
        actor=actor, data=letter.member, arrival=_arrival(letter, ""), dry_run=True
    )
    days = (letter.received_on - letter.valid_until).days
    return LetterPreview(outcome, days > 0, max(days, 0))


def _overdue_check(letter: IncomingLetterInput, overdue_note: str) -> str:
    if is_overdue(letter) and not overdue_note.strip():
        raise DomainError(
            f"介绍信有效期至 {letter.valid_until:%Y-%m-%d}，报到时已逾期："
            "逾期接收须填写情况说明（党支部出具的证明及本人申请）。",
            field="overdue_note",
        )
    return overdue_note.strip() if is_overdue(letter) else ""


def receive_letter(
    *,
    actor: Any,
    letter: IncomingLetterInput,
    overdue_note: str = "",
    source: str = IncomingLetter.Source.PAPER,
    issuer: str = "",
    history: list[dict[str, Any]] | None = None,
) -> IncomingLetter:
    """接收: the member registered (or restored) in the receiving organization on the day of
    报到, and the letter kept. A letter past validity needs a written 情况说明."""
    _require_receiver(actor, letter.org)
    _check_letter(letter)
    note = _overdue_check(letter, overdue_note)
    label = "转接数据包" if source == IncomingLetter.Source.PACKET else "外系统介绍信"
    event_note = f"{label}转入" + ("（逾期接收，有情况说明）" if note else "")
    with transaction.atomic():
        outcome = receive_transferred_member(
            actor=actor, data=letter.member, arrival=_arrival(letter, event_note)
        )
        assert outcome.member is not None
        stored = IncomingLetter.objects.create(
            source=source,
            status=IncomingLetter.Status.RECEIVED,
            outcome=outcome.kind,
            member=outcome.member,
            overdue_note=note,
            history_elsewhere=history or [],
            issuer=issuer,
            **_letter_columns(letter, actor),
        )
        record_audit(
            RECEIVE_LETTER,
            actor=actor,
            target=stored,
            detail={
                "source": source,
                "serial": letter.serial,
                "from": letter.from_org,
                "org": letter.org.name,
                "outcome": outcome.kind,
                "overdue": bool(note),
            },
        )
    return stored


def return_letter(*, actor: Any, letter: IncomingLetterInput, reason: str) -> IncomingLetter:
    """退回介绍信: the receiving organization refuses the letter, saying why; nobody is
    registered (the issuing organization remains responsible for the member)."""
    _require_receiver(actor, letter.org)
    if not reason.strip():
        raise DomainError("请填写退回原因。", field="return_reason")
    if not letter.serial.strip():
        raise DomainError("请填写介绍信编号（字第 号）。", field="serial")
    with transaction.atomic():
        stored = IncomingLetter.objects.create(
            source=IncomingLetter.Source.PAPER,
            status=IncomingLetter.Status.RETURNED,
            return_reason=reason.strip()[:200],
            **_letter_columns(letter, actor),
        )
        record_audit(
            RETURN_LETTER,
            actor=actor,
            target=stored,
            detail={"serial": letter.serial, "from": letter.from_org, "reason": reason.strip()},
        )
    return stored


def _letter_columns(letter: IncomingLetterInput, actor: Any) -> dict[str, Any]:
    person = letter.member.person
    return {
        "serial": letter.serial.strip()[:50],
        "from_org": letter.from_org.strip()[:100],
        "org": letter.org,
        "issue_date": letter.issue_date,
        "valid_until": letter.valid_until,
        "dues_paid_to": letter.dues_paid_to.strip()[:20],
        "name": person.name.strip()[:50],
        "id_masked": mask_id_number(person.id_number.strip().upper()),
        "received_on": letter.received_on,
        "recorded_by": _user(actor),
    }


# ---- signed packets: export ---------------------------------------------------------------------


def may_export(actor: Any, member: Member) -> bool:
    scope = scope_for(actor)
    return scope.can(Ability.EDIT_MEMBERS, member.org_path) or scope.can(
        Ability.APPROVE_TRANSFERS, member.org_path
    )


def _iso(value: dt.date | None) -> str | None:
    return value.isoformat() if value is not None else None


def member_payload(member: Member) -> dict[str, Any]:
    """The member's record as a packet carries it (full ID number: the receiver matches on
    it, as it would on the paper letter's)."""
    events = [e for e in member.events.select_related("org") if e.voided_at is None]
    months = [
        e.months
        for e in events
        if e.months and e.kind in (MemberEvent.Kind.EXTEND, MemberEvent.Kind.TRANSFER_IN)
    ]
    record: dict[str, Any] = {f: getattr(member, f) for f in PERSONAL_FIELDS}
    record.update(
        birth_date=member.birth_date.isoformat(),
        id_number=member.reveal_id_number(),
        category=member.category,
        join_date=_iso(member.join_date),
        full_date=_iso(member.full_date if member.category == MemberCategory.FULL else None),
        extension_months=months[-1]
        if member.category == MemberCategory.PROBATIONARY and months
        else None,
    )
    return record


def history_payload(member: Member) -> list[dict[str, Any]]:
    """党籍变动 as the issuing installation recorded them (names, not ids)."""
    return [
        {
            "kind": e.kind,
            "label": e.get_kind_display(),
            "date": e.effective_date.isoformat(),
            "org": e.org.name if e.org else e.counterpart,
            "category": e.category,
            "document_no": e.document_no,
            "note": e.note,
            "months": e.months,
        }
        for e in member.events.select_related("org").order_by("effective_date", "id")
        if e.voided_at is None
    ]


def export_packet(*, actor: Any, member: Member, letter: LetterFacts) -> ExportedPacket:
    """生成转接数据包: the member's record, history and the letter's facts, signed with this
    installation's key; kept encrypted, fetched at `packet_capability_path(packet)`."""
    if not may_export(actor, member):
        raise DomainError("您没有为该党员生成转接数据包的权限。")
    if member.status != MemberStatus.ACTIVE:
        raise DomainError("只能为党籍状态正常的党员生成转接数据包。")
    if not letter.serial.strip() or not letter.to_org.strip():
        raise DomainError("请填写介绍信编号和接收党组织。", field="serial")
    if letter.valid_until < letter.issue_date:
        raise DomainError("有效期至不能早于开具日期。", field="valid_until")
    packet_id = str(uuid.uuid4())
    payload = {
        "format": PACKET_FORMAT,
        "packet_id": packet_id,
        "created": timezone.now().isoformat(timespec="seconds"),
        "issuer": {"name": signing.installation_name(), "fingerprint": signing.own_fingerprint()},
        "letter": {
            **{k: v for k, v in asdict(letter).items() if k not in ("issue_date", "valid_until")},
            "issue_date": letter.issue_date.isoformat(),
            "valid_until": letter.valid_until.isoformat(),
        },
        "member": member_payload(member),
        "history": history_payload(member),
    }
    body = signed_file(payload)
    with transaction.atomic():
        packet = ExportedPacket.objects.create(
            packet_id=packet_id,
            member=member,
            serial=letter.serial.strip()[:50],
            to_org=letter.to_org.strip()[:100],
            valid_until=letter.valid_until,
            token=secrets.token_urlsafe(32),
            body=encrypt_bytes(body),
            created_by=_user(actor),
        )
        record_audit(
            EXPORT_PACKET,
            actor=actor,
            target=member,
            detail={"packet_id": packet_id, "serial": letter.serial, "to": letter.to_org},
        )
    return packet


def signed_file(payload: dict[str, Any]) -> bytes:
    """The packet file: canonical JSON of {payload, signature}; the signature (hex) covers the
    canonical bytes of the payload."""
    signature = signing.sign(signing.canonical_json(payload))
    return signing.canonical_json({"payload": payload, "signature": signature.hex()})


def packet_capability_path(packet: ExportedPacket) -> str:
    """The packet's download path (`/exchange/p/<token>/`): whoever holds the letter holds the
    link (the QR code on it); the token is 256 random bits."""
    return reverse("exchange:packet-download", args=[packet.token])


def packet_capability_url(packet: ExportedPacket, request: Any = None) -> str:
    """The download link in full, for a QR code on a printed letter: on `DANGJIAN_SITE_URL`
    when it is set, else on the address of `request`, else the bare path."""
    path = packet_capability_path(packet)
    site = str(settings.DANGJIAN_SITE_URL).rstrip("/")
    if site:
        return site + path
    return request.build_absolute_uri(path) if request is not None else path


def packet_file(packet: ExportedPacket) -> bytes:
    return decrypt_bytes(bytes(packet.body))


def packet_file_name(packet: ExportedPacket) -> str:
    return f"转接数据包-{packet.member.name}-{packet.serial}.json"


def download_packet(*, actor: Any, token: str) -> ExportedPacket:
    """下载: the packet at its capability URL (no login: the receiving side works in another
    installation); refused once withdrawn or after the letter's validity. Every download is
    audited with the address it came from."""
    packet = ExportedPacket.objects.select_related("member").filter(token=token).first()
    if packet is None:
        raise DomainError("数据包不存在或链接有误。")
    if packet.withdrawn_at is not None:
        raise DomainError("开具单位已停止该数据包的下载。")
    if timezone.localdate() > packet.valid_until:
        raise DomainError(
            f"介绍信有效期至 {packet.valid_until:%Y-%m-%d}，数据包已不能下载；"
            "请联系开具单位重新生成。"
        )
    record_audit(
        DOWNLOAD_PACKET,
        actor=actor,
        target=packet.member,
        detail={"packet_id": packet.packet_id, "serial": packet.serial},
        actor_name="" if actor_user(actor) else "凭链接下载",
    )
    return packet


def withdraw_packet(*, actor: Any, packet: ExportedPacket) -> None:
    """停止下载: the link stops working (a lost letter, a letter returned)."""
    if not may_export(actor, packet.member):
        raise DomainError("您没有管理该数据包的权限。")
    if packet.withdrawn_at is not None:
        return
    with transaction.atomic():
        packet.withdrawn_at = timezone.now()
        packet.save(update_fields=["withdrawn_at"])
        record_audit(
            WITHDRAW_PACKET,
            actor=actor,
            target=packet.member,
            detail={"packet_id": packet.packet_id},
        )


# ---- signed packets: verify and import ----------------------------------------------------------

TAMPERED = "数据包已被改动或损坏（签名校验失败），不能导入。请向开具单位重新索取数据包。"


@dataclass
class VerifiedPacket:
    """A packet whose signature checked out against a trusted installation's key."""

    payload: dict[str, Any]
    installation: TrustedInstallation
    raw: bytes = field(repr=False, default=b"")

    @property
    def packet_id(self) -> str:
        return str(self.payload["packet_id"])

    @property
    def letter(self) -> dict[str, Any]:
        return dict(self.payload["letter"])

    @property
    def member(self) -> dict[str, Any]:
        return dict(self.payload["member"])

    @property
    def history(self) -> list[dict[str, Any]]:
        return list(self.payload["history"])


def parse_packet(data: bytes) -> tuple[dict[str, Any], bytes]:
    """The payload and signature of a packet file, refusing any file that is not exactly the
    canonical form this software writes: a changed byte anywhere is caught here or by the
    signature."""
    if len(data) > MAX_PACKET_BYTES:
        raise DomainError("文件过大，不是转接数据包。", field="file")
    try:
        envelope = json.loads(data.decode("utf-8"))
        payload, signature_hex = envelope["payload"], envelope["signature"]
        if set(envelope) != {"payload", "signature"} or not isinstance(payload, dict):
            raise ValueError("unexpected envelope")
        signature = bytes.fromhex(signature_hex)
    except (UnicodeDecodeError, ValueError, KeyError, TypeError) as exc:
        raise DomainError(
            "文件无法读取，不是本软件生成的转接数据包，或已被改动。", field="file"
        ) from exc
    if signing.canonical_json(envelope) != data or signature.hex() != signature_hex:
        raise DomainError(TAMPERED, field="file")
    if payload.get("format") != PACKET_FORMAT:
        raise DomainError("数据包格式版本不受支持，请升级本系统后再导入。", field="file")
    return payload, signature


def verify_packet(data: bytes) -> VerifiedPacket:
    """校验: well-formed, signed by a trusted (not revoked) installation, not altered."""
    payload, signature = parse_packet(data)
    issuer = payload.get("issuer")
    fingerprint = issuer.get("fingerprint", "") if isinstance(issuer, dict) else ""
    name = issuer.get("name", "") if isinstance(issuer, dict) else ""
    trusted = TrustedInstallation.objects.filter(fingerprint=fingerprint)
    live = trusted.filter(revoked_at__isnull=True).first()
    if live is None:
        revoked = trusted.exclude(revoked_at__isnull=True).order_by("-revoked_at").first()
        if revoked is not None:
            when = timezone.localtime(revoked.revoked_at)
            raise DomainError(
                f"签发系统「{revoked.name}」的信任已于 {when:%Y-%m-%d}"
                f" 撤销（{revoked.revoke_reason or '未说明原因'}），其数据包不能导入。",
                field="file",
            )
        raise DomainError(
            f"数据包由未受信任的系统「{name or '未署名'}」签发（公钥指纹 "
            f"{signing.grouped(str(fingerprint))[:39]}…），不能导入。请先与对方核对公钥指纹，"
            "由安全管理员在“受信任的系统”中添加。",
            field="file",
        )
    raw_key = base64.b64decode(live.public_key)
    if not signing.verify(raw_key, signature, signing.canonical_json(payload)):
        raise DomainError(TAMPERED, field="file")
    return VerifiedPacket(payload, live, data)


def _check_not_imported(packet_id: str) -> None:
    earlier = ImportedPacket.objects.filter(packet_id=packet_id).select_related("letter").first()
    if earlier is not None:
        when = timezone.localtime(earlier.imported_at)
        raise DomainError(
            f"该数据包（编号 {packet_id}）已于 {when:%Y-%m-%d %H:%M}"
            f" 导入（接收党组织「{earlier.letter.org.name}」），不能重复导入。",
            field="file",
        )


def _date(value: Any, label: str) -> dt.date:
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError as exc:
        raise DomainError(f"数据包中的{label}不是有效日期。", field="file") from exc


def letter_from_packet(
    packet: VerifiedPacket, *, org: Organization, received_on: dt.date
) -> IncomingLetterInput:
    """The letter and the member exactly as the issuing installation signed them."""
    try:
        m, letter = packet.member, packet.letter
        texts: dict[str, Any] = {f: str(m.get(f) or "") for f in PERSONAL_FIELDS}
        texts["birth_date"] = _date(m["birth_date"], "出生日期")
        person = MemberData(**texts, id_number=str(m["id_number"]))
        member = TransferredMember(
            person=person,
            join_date=_date(m["join_date"], "入党日期"),
            full_date=_date(m["full_date"], "转正日期") if m.get("full_date") else None,
            extension_months=int(m["extension_months"]) if m.get("extension_months") else None,
        )
        return IncomingLetterInput(
            serial=str(letter["serial"]),
            from_org=str(letter["from_org"]),
            issue_date=_date(letter["issue_date"], "开具日期"),
            valid_until=_date(letter["valid_until"], "有效期"),
            dues_paid_to=str(letter.get("dues_paid_to") or ""),
            org=org,
            received_on=received_on,
            member=member,
        )
    except (KeyError, TypeError, ValueError) as exc:
        raise DomainError("数据包内容不完整，不能导入。", field="file") from exc


def preview_packet(
    *, actor: Any, data: bytes, org: Organization, received_on: dt.date
) -> tuple[VerifiedPacket, IncomingLetterInput, LetterPreview]:
    """校验 → 预览: refused if tampered, untrusted, revoked or imported before."""
    packet = verify_packet(data)
    _check_not_imported(packet.packet_id)
    letter = letter_from_packet(packet, org=org, received_on=received_on)
    return packet, letter, preview_letter(actor=actor, letter=letter)


def import_packet(
    *,
    actor: Any,
    data: bytes,
    org: Organization,
    received_on: dt.date,
    overdue_note: str = "",
) -> IncomingLetter:
    """导入: verified again, then received like a typed letter, and its id put in the ledger
    in the same transaction (a second import of the same packet is refused)."""
    _require_receiver(actor, org)
    packet = verify_packet(data)
    letter = letter_from_packet(packet, org=org, received_on=received_on)
    try:
        with transaction.atomic():
            _check_not_imported(packet.packet_id)
            stored = receive_letter(
                actor=actor,
                letter=letter,
                overdue_note=overdue_note,
                source=IncomingLetter.Source.PACKET,
                issuer=packet.installation.name,
                history=packet.history,
            )
            ImportedPacket.objects.create(
                packet_id=packet.packet_id,
                issuer=packet.installation.name,
                fingerprint=packet.installation.fingerprint,
                letter=stored,
                imported_by=_user(actor),
            )
            record_audit(
                IMPORT_PACKET,
                actor=actor,
                target=stored,
                detail={"packet_id": packet.packet_id, "issuer": packet.installation.name},
            )
    except IntegrityError as exc:  # two imports of one packet at once: the ledger decides
        _check_not_imported(packet.packet_id)
        raise DomainError("该数据包正在被导入，请稍后刷新查看。") from exc
    return stored


def refuse_packet_audit(*, actor: Any, reason: str) -> None:
    """A refused packet is worth a line in the log (tampering, an unknown signer)."""
    record_audit(REFUSE_PACKET, actor=actor, detail={"reason": reason[:200]})


# ---- trusted installations ----------------------------------------------------------------------


def _require_trust_admin(actor: Any) -> None:
    if actor is None:  # a management command run by the operator
        return
    if not scope_for(actor).has_global(GlobalAbility.MANAGE_GRANTS):
        raise DomainError("只有安全管理员可以管理受信任的系统。")


def trust_installation(
    *, actor: Any, name: str, public_key: str, note: str = ""
) -> TrustedInstallation:
    """添加受信任的系统: its packets are imported from now on. Compare the fingerprint with
    the other side (by phone, on paper) before adding."""
    _require_trust_admin(actor)
    if not name.strip():
        raise DomainError("请填写系统名称。", field="name")
    raw = signing.parse_public_key(public_key)
    fingerprint = signing.fingerprint_of(raw)
    with transaction.atomic():
        if TrustedInstallation.objects.filter(
            fingerprint=fingerprint, revoked_at__isnull=True
        ).exists():
            raise DomainError("该公钥已在受信任的系统中。", field="public_key")
        installation = TrustedInstallation.objects.create(
            name=name.strip()[:100],
            public_key=base64.b64encode(raw).decode(),
            fingerprint=fingerprint,
            note=note.strip()[:200],
            trusted_by=_user(actor),
        )
        record_audit(
            TRUST_INSTALLATION,
            actor=actor,
            target=installation,
            detail={"name": installation.name, "fingerprint": fingerprint},
        )
    return installation


def revoke_trust(*, actor: Any, installation: TrustedInstallation, reason: str) -> None:
    """撤销信任: packets signed with that key are refused from now on."""
    _require_trust_admin(actor)
    if not reason.strip():
        raise DomainError("请填写撤销原因。", field="reason")
    with transaction.atomic():
        locked = TrustedInstallation.objects.select_for_update().get(pk=installation.pk)
        if locked.revoked_at is not None:
            raise DomainError("该系统的信任已经撤销。")
        locked.revoked_at = timezone.now()
        locked.revoked_by = _user(actor)
        locked.revoke_reason = reason.strip()[:200]
        locked.save(update_fields=["revoked_at", "revoked_by", "revoke_reason"])
        record_audit(
            REVOKE_TRUST,
            actor=actor,
            target=locked,
            detail={"name": locked.name, "fingerprint": locked.fingerprint, "reason": reason},
        )
    installation.refresh_from_db()


def _user(actor: Any) -> Any:
    user = actor_user(actor)
    return user if getattr(user, "is_authenticated", False) else None
