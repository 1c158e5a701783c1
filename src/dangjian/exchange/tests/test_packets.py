"""Signed transfer packets inside one database: export, verify, import, and every refusal."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest
from django.urls import reverse

from dangjian.audit.models import AuditEvent
from dangjian.conftest import Cast
from dangjian.core.exceptions import DomainError
from dangjian.exchange import signing
from dangjian.exchange.models import ImportedPacket, IncomingLetter, TrustedInstallation
from dangjian.exchange.services import (
    export_packet,
    import_packet,
    packet_capability_path,
    packet_file,
    parse_packet,
    revoke_trust,
    trust_installation,
    verify_packet,
)
from dangjian.exchange.tests.conftest import facts
from dangjian.members.models import Member, MemberEvent
from dangjian.members.services import record_event

ON = dt.date(2026, 11, 20)


def _left(cast: Cast) -> bytes:
    """李明's packet, then 李明 leaves (the 回执 came back): the far county may take him in."""
    data = packet_file(export_packet(actor=cast.secretary, member=cast.member, letter=facts()))
    record_event(
        actor=cast.county_admin,
        member=cast.member,
        kind=MemberEvent.Kind.TRANSFER_OUT,
        effective_date=dt.date(2026, 11, 15),
        counterpart="远山村党支部",
    )
    return data


def _trust_self(cast: Cast) -> TrustedInstallation:
    return trust_installation(
        actor=cast.secadmin, name="清河县党建工作平台", public_key=signing.own_public_key()
    )


def test_packet_is_canonical_json_signed_by_this_installation(cast: Cast) -> None:
    packet = export_packet(actor=cast.secretary, member=cast.member, letter=facts())
    payload, signature = parse_packet(packet_file(packet))
    assert payload["issuer"] == {
        "name": "清河县党建工作平台",
        "fingerprint": signing.own_fingerprint(),
    }
    assert payload["member"]["name"] == "李明"
    assert payload["member"]["id_number"] == cast.member.reveal_id_number()
    assert [e["kind"] for e in payload["history"]] == ["admit", "convert"]
    assert payload["letter"]["serial"] == "清组字第 0007 号"
    assert len(signature) == 64
    assert AuditEvent.objects.filter(action="exchange.export_packet").count() == 1


def test_round_trip_imports_the_member_with_no_retyping(cast: Cast) -> None:
    data = _left(cast)
    _trust_self(cast)
    letter = import_packet(actor=cast.outsider, data=data, org=cast.far_branch, received_on=ON)
    assert letter.source == IncomingLetter.Source.PACKET and letter.issuer == "清河县党建工作平台"
    member = Member.objects.get(pk=letter.member_id)
    assert (member.org, member.status, member.name) == (cast.far_branch, "active", "李明")
    assert letter.outcome == "restored"  # the same database: he left, and comes back
    assert [e["label"] for e in letter.history_elsewhere] == ["接收为预备党员", "转为正式党员"]
    assert ImportedPacket.objects.get().letter == letter
    assert AuditEvent.objects.filter(action="exchange.import_packet").count() == 1


def test_replayed_packet_is_refused(cast: Cast) -> None:
    data = _left(cast)
    _trust_self(cast)
    import_packet(actor=cast.outsider, data=data, org=cast.far_branch, received_on=ON)
    with pytest.raises(DomainError, match=r"已于 .* 导入.*不能重复导入"):
        import_packet(actor=cast.outsider, data=data, org=cast.far_branch, received_on=ON)
    assert IncomingLetter.objects.count() == 1


def test_every_changed_byte_is_refused(cast: Cast) -> None:
    packet = export_packet(actor=cast.secretary, member=cast.member, letter=facts())
    data = packet_file(packet)
    _trust_self(cast)
    assert verify_packet(data).payload["member"]["name"] == "李明"
    refused = 0
    for i in range(len(data)):
        for flip in (0x01, 0x20):
            changed = bytearray(data)
            changed[i] ^= flip
            try:
                verify_packet(bytes(changed))
            except DomainError:
                refused += 1
    assert refused == 2 * len(data)


def test_tampered_id_number_is_refused_with_a_clear_message(cast: Cast) -> None:
    data = _left(cast)
    _trust_self(cast)
    number = cast.member.reveal_id_number()
    forged = number[:-2] + ("00" if number[-2:] != "00" else "11")
    tampered = data.replace(number.encode(), forged.encode())
    with pytest.raises(DomainError, match="已被改动或损坏"):
        import_packet(actor=cast.outsider, data=tampered, org=cast.far_branch, received_on=ON)
    assert not IncomingLetter.objects.exists()


def test_packet_of_an_untrusted_installation_is_refused(cast: Cast) -> None:
    data = _left(cast)
    with pytest.raises(DomainError, match="未受信任的系统「清河县党建工作平台」"):
        import_packet(actor=cast.outsider, data=data, org=cast.far_branch, received_on=ON)


def test_packet_of_a_revoked_installation_is_refused(cast: Cast) -> None:
    data = _left(cast)
    trusted = _trust_self(cast)
    revoke_trust(actor=cast.secadmin, installation=trusted, reason="密钥泄露")
    with pytest.raises(DomainError, match=r"信任已于 .* 撤销（密钥泄露）"):
        import_packet(actor=cast.outsider, data=data, org=cast.far_branch, received_on=ON)


def test_only_the_security_administrator_manages_trust(cast: Cast) -> None:
    for user in (cast.county_admin, cast.sysadmin, cast.outsider):
        with pytest.raises(DomainError, match="安全管理员"):
            trust_installation(actor=user, name="x", public_key=signing.own_public_key())
    with pytest.raises(DomainError, match="公钥格式不正确"):
        trust_installation(actor=cast.secadmin, name="x", public_key="not a key")


def test_export_needs_the_register_of_the_members_branch(cast: Cast) -> None:
    with pytest.raises(DomainError, match="没有为该党员生成转接数据包的权限"):
        export_packet(actor=cast.outsider, member=cast.member, letter=facts())
    with pytest.raises(DomainError):
        export_packet(actor=cast.member_user, member=cast.member, letter=facts())


def test_capability_url_downloads_without_login_and_is_audited(cast: Cast, client: Any) -> None:
    packet = export_packet(actor=cast.secretary, member=cast.member, letter=facts())
    path = packet_capability_path(packet)
    assert path.startswith("/exchange/p/") and len(packet.token) >= 43
    response = client.get(path)
    assert response.status_code == 200 and response.content == packet_file(packet)
    assert "attachment" in response["Content-Disposition"]
    assert AuditEvent.objects.filter(action="exchange.download_packet").count() == 1
    assert (
        client.get(reverse("exchange:packet-download", args=["x" + packet.token])).status_code
        == 410
    )


def test_capability_url_ends_with_the_letters_validity_or_withdrawal(
    cast: Cast, client: Any
) -> None:
    expired = export_packet(
        actor=cast.secretary,
        member=cast.member,
        letter=facts(issue_date=dt.date(2026, 1, 1), valid_until=dt.date(2026, 3, 31)),
    )
    assert client.get(packet_capability_path(expired)).status_code == 410
    from dangjian.exchange.services import withdraw_packet

    live = export_packet(actor=cast.secretary, member=cast.member, letter=facts())
    withdraw_packet(actor=cast.secretary, packet=live)
    response = client.get(packet_capability_path(live))
    assert response.status_code == 410 and "停止" in response.content.decode()


def test_packet_json_is_readable_text(cast: Cast) -> None:
    data = packet_file(export_packet(actor=cast.secretary, member=cast.member, letter=facts()))
    assert json.loads(data)["payload"]["letter"]["to_org"] == "远山村党支部"


def test_capability_url_is_on_the_site_address_when_set(cast: Cast, settings: Any) -> None:
    from dangjian.exchange.services import packet_capability_url

    packet = export_packet(actor=cast.secretary, member=cast.member, letter=facts())
    assert packet_capability_url(packet) == packet_capability_path(packet)
    settings.DANGJIAN_SITE_URL = "https://dj.example.gov.cn/"
    assert packet_capability_url(packet) == "https://dj.example.gov.cn" + packet_capability_path(
        packet
    )
