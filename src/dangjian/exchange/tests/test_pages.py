"""跨系统转接 pages: the letter typed once → preview → receive/return; a packet uploaded →
verified → previewed → imported; the trust list; outsiders refused."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from dangjian.audit.models import AuditEvent
from dangjian.conftest import Cast
from dangjian.exchange import signing
from dangjian.exchange.models import ExportedPacket, IncomingLetter, TrustedInstallation
from dangjian.exchange.services import export_packet, packet_file, trust_installation
from dangjian.exchange.tests.conftest import facts
from dangjian.members.models import Member, MemberEvent
from dangjian.members.services import record_event
from dangjian.testing import make_id_number


def _letter_post(cast: Cast, **extra: Any) -> dict[str, Any]:
    return {
        "serial": "鄂组字第 0456 号",
        "from_org": "中共武汉市江岸区某街道工作委员会",
        "issue_date": "2026-10-01",
        "valid_until": "2026-12-31",
        "dues_paid_to": "2026年10月",
        "org": cast.branch.pk,
        "received_on": "2026-11-02",
        "name": "孙丽",
        "gender": "F",
        "ethnicity": "01",
        "birth_date": "1992-04-08",
        "id_number": make_id_number(dt.date(1992, 4, 8), "F", area="420102"),
        "education": "ba",
        "person_category": "prof",
        "join_date": "2016-06-01",
        "full_date": "2017-06-01",
        **extra,
    }


def test_letter_is_previewed_then_received(cast: Cast) -> None:
    client = cast.client(cast.secretary)
    assert client.get(reverse("exchange:letter-create")).status_code == 200
    post = _letter_post(cast)
    preview = client.post(reverse("exchange:letter-create"), post)
    page = preview.content.decode()
    assert preview.status_code == 200 and "新建党员档案" in page and "孙丽" in page
    assert post["id_number"] not in page.replace('value="' + post["id_number"], "")
    assert not Member.objects.filter(name="孙丽").exists()
    done = client.post(reverse("exchange:letter-create"), {**post, "action": "receive"})
    letter = IncomingLetter.objects.get()
    assert done.status_code == 302 and done["Location"] == letter.get_absolute_url()
    detail = client.get(letter.get_absolute_url()).content.decode()
    assert "已接收" in detail and "鄂组字第 0456 号" in detail and post["id_number"] not in detail


def test_overdue_letter_asks_for_the_explanation_on_the_page(cast: Cast) -> None:
    client = cast.client(cast.secretary)
    post = _letter_post(cast, valid_until="2026-11-01")
    page = client.post(reverse("exchange:letter-create"), post).content.decode()
    assert "已逾期 1 天" in page
    refused = client.post(reverse("exchange:letter-create"), {**post, "action": "receive"})
    assert refused.status_code == 400 and "逾期接收须填写情况说明" in refused.content.decode()
    note = {"action": "receive", "overdue_note": "支部证明"}
    assert client.post(reverse("exchange:letter-create"), {**post, **note}).status_code == 302


def test_letter_is_returned_with_a_reason(cast: Cast) -> None:
    client = cast.client(cast.secretary)
    post = {**_letter_post(cast), "action": "return", "return_reason": "不是本支部的党员"}
    assert client.post(reverse("exchange:letter-create"), post).status_code == 302
    assert IncomingLetter.objects.get().status == IncomingLetter.Status.RETURNED


def test_duplicate_person_is_refused_on_the_form(cast: Cast) -> None:
    client = cast.client(cast.secretary)
    number = cast.member.reveal_id_number()
    post = _letter_post(
        cast,
        name="李明",
        gender="M",
        birth_date=cast.member.birth_date.isoformat(),
        id_number=number,
    )
    response = client.post(reverse("exchange:letter-create"), post)
    assert response.status_code == 400 and "不能重复接收" in response.content.decode()


def test_packet_is_uploaded_verified_previewed_and_imported(cast: Cast) -> None:
    data = packet_file(export_packet(actor=cast.secretary, member=cast.member, letter=facts()))
    record_event(
        actor=cast.county_admin,
        member=cast.member,
        kind=MemberEvent.Kind.TRANSFER_OUT,
        effective_date=dt.date(2026, 11, 15),
    )
    trust_installation(
        actor=cast.secadmin, name="清河县党建工作平台", public_key=signing.own_public_key()
    )
    client = cast.client(cast.outsider)
    upload = {
        "file": SimpleUploadedFile("p.json", data),
        "org": cast.far_branch.pk,
        "received_on": "2026-11-20",
    }
    preview = client.post(reverse("exchange:packet-import"), upload)
    page = preview.content.decode()
    assert preview.status_code == 200 and "签名校验通过" in page and "恢复本系统原有档案" in page
    form = preview.context["form"]
    post = {"action": "import", **{k: form.initial[k] for k in ("packet", "org", "received_on")}}
    done = client.post(reverse("exchange:packet-import"), post)
    assert done.status_code == 302
    cast.member.refresh_from_db()
    assert cast.member.org == cast.far_branch


def test_tampered_upload_is_refused_and_logged(cast: Cast) -> None:
    data = packet_file(export_packet(actor=cast.secretary, member=cast.member, letter=facts()))
    trust_installation(
        actor=cast.secadmin, name="清河县党建工作平台", public_key=signing.own_public_key()
    )
    upload = {
        "file": SimpleUploadedFile("p.json", data.replace("李明".encode(), "李鸣".encode())),
        "org": cast.branch.pk,
        "received_on": "2026-11-20",
    }
    response = cast.client(cast.secretary).post(reverse("exchange:packet-import"), upload)
    assert response.status_code == 400 and "已被改动或损坏" in response.content.decode()
    assert AuditEvent.objects.filter(action="exchange.refuse_packet").count() == 1


def test_member_page_exports_a_packet_with_a_link_and_qr(cast: Cast) -> None:
    client = cast.client(cast.secretary)
    member_page = client.get(reverse("members:detail", args=[cast.member.pk])).content.decode()
    url = reverse("exchange:packet-export", args=[cast.member.pk])
    assert url in member_page
    post = {
        "serial": "清组字第 0007 号",
        "from_org": "中共清河县委组织部",
        "to_org": "远山村党支部",
        "issue_date": "2026-11-01",
        "valid_until": "2027-01-31",
    }
    response = client.post(url, post)
    packet = ExportedPacket.objects.get()
    assert response["Location"] == reverse("exchange:packet-detail", args=[packet.pk])
    page = client.get(response["Location"]).content.decode()
    assert packet.token in page and "<svg" in page


def test_outsider_cannot_export_or_see_the_packet(cast: Cast) -> None:
    packet = export_packet(actor=cast.secretary, member=cast.member, letter=facts())
    client = cast.client(cast.outsider)
    assert client.get(reverse("exchange:packet-export", args=[cast.member.pk])).status_code == 404
    assert client.get(reverse("exchange:packet-detail", args=[packet.pk])).status_code == 404
    assert client.post(reverse("exchange:packet-withdraw", args=[packet.pk])).status_code == 404
    assert packet.token not in client.get(reverse("exchange:home")).content.decode()


def test_outsider_cannot_see_letters_of_another_county(cast: Cast) -> None:
    client = cast.client(cast.secretary)
    client.post(reverse("exchange:letter-create"), {**_letter_post(cast), "action": "receive"})
    letter = IncomingLetter.objects.get()
    outsider = cast.client(cast.outsider)
    assert outsider.get(letter.get_absolute_url()).status_code == 404
    assert "孙丽" not in outsider.get(reverse("exchange:home")).content.decode()
    assert cast.client(cast.member_user).get(reverse("exchange:home")).status_code == 403


def test_security_administrator_trusts_and_revokes(cast: Cast) -> None:
    client = cast.client(cast.secadmin)
    nav = client.get(reverse("exchange:installations")).content.decode()
    assert "跨系统转接" in nav and signing.grouped(signing.own_fingerprint()) in nav
    post = {"name": "远山县党建工作平台", "public_key": signing.own_public_key()}
    assert client.post(reverse("exchange:installations"), post).status_code == 302
    trusted = TrustedInstallation.objects.get()
    url = reverse("exchange:installation-revoke", args=[trusted.pk])
    assert cast.client(cast.county_admin).post(url, {"reason": "x"}).status_code == 403
    assert client.post(url, {"reason": "不再往来"}).status_code == 302
    trusted.refresh_from_db()
    assert trusted.revoked_at is not None and trusted.revoke_reason == "不再往来"
    assert cast.client(cast.county_admin).get(reverse("exchange:installations")).status_code == 403
