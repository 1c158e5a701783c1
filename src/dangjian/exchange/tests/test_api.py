"""/api/exchange-letters/: the same services and scope as the pages."""

from __future__ import annotations

from django.urls import reverse

from dangjian.conftest import Cast
from dangjian.exchange.models import IncomingLetter
from dangjian.exchange.tests.test_pages import _letter_post


def test_letter_is_previewed_received_and_listed(cast: Cast) -> None:
    client = cast.client(cast.secretary)
    body = _letter_post(cast)
    preview = client.post(reverse("exchange-letter-preview"), body, content_type="application/json")
    assert preview.status_code == 200 and preview.json()["outcome"] == "new"
    assert not IncomingLetter.objects.exists()
    done = client.post(reverse("exchange-letter-receive"), body, content_type="application/json")
    assert done.status_code == 201 and done.json()["outcome_label"] == "新建党员档案"
    assert done.json()["id_masked"] != body["id_number"]
    listed = client.get(reverse("exchange-letter-list")).json()["results"]
    assert [row["name"] for row in listed] == ["孙丽"]


def test_overdue_letter_needs_the_explanation(cast: Cast) -> None:
    client = cast.client(cast.secretary)
    body = _letter_post(cast, valid_until="2026-11-01")
    refused = client.post(reverse("exchange-letter-receive"), body, content_type="application/json")
    assert refused.status_code == 400 and "逾期接收须填写情况说明" in refused.content.decode()
    body["overdue_note"] = "支部证明"
    ok = client.post(reverse("exchange-letter-receive"), body, content_type="application/json")
    assert ok.status_code == 201


def test_letter_is_returned_with_a_reason(cast: Cast) -> None:
    client = cast.client(cast.secretary)
    body = {**_letter_post(cast), "return_reason": "不是本支部"}
    done = client.post(reverse("exchange-letter-return"), body, content_type="application/json")
    assert done.status_code == 201 and done.json()["status"] == "returned"


def test_outsider_cannot_receive_into_another_county_or_read_its_letters(cast: Cast) -> None:
    body = _letter_post(cast)
    outsider = cast.client(cast.outsider)
    refused = outsider.post(
        reverse("exchange-letter-receive"), body, content_type="application/json"
    )
    assert refused.status_code == 404 and not IncomingLetter.objects.exists()
    cast.client(cast.secretary).post(
        reverse("exchange-letter-receive"), body, content_type="application/json"
    )
    letter = IncomingLetter.objects.get()
    assert outsider.get(reverse("exchange-letter-detail", args=[letter.pk])).status_code == 404
    assert outsider.get(reverse("exchange-letter-list")).json()["results"] == []
    member = cast.client(cast.member_user)
    assert (
        member.post(
            reverse("exchange-letter-preview"), body, content_type="application/json"
        ).status_code
        == 403
    )


def test_packet_is_checked_then_imported_and_a_replay_is_refused(cast: Cast) -> None:
    import base64
    import datetime as dt

    from dangjian.exchange import signing
    from dangjian.exchange.services import export_packet, packet_file, trust_installation
    from dangjian.exchange.tests.conftest import facts
    from dangjian.members.models import MemberEvent
    from dangjian.members.services import record_event

    data = packet_file(export_packet(actor=cast.secretary, member=cast.member, letter=facts()))
    record_event(
        actor=cast.county_admin,
        member=cast.member,
        kind=MemberEvent.Kind.TRANSFER_OUT,
        effective_date=dt.date(2026, 11, 15),
    )
    trust_installation(actor=cast.secadmin, name="清河县", public_key=signing.own_public_key())
    client, url = cast.client(cast.outsider), reverse("exchange-letter-import-packet")
    body = {
        "packet": base64.b64encode(data).decode(),
        "org": cast.far_branch.pk,
        "received_on": "2026-11-20",
    }
    checked = client.post(url, {**body, "check": True}, content_type="application/json")
    assert checked.status_code == 200 and checked.json()["outcome"] == "restored"
    done = client.post(url, body, content_type="application/json")
    assert done.status_code == 201 and done.json()["source"] == "packet"
    again = client.post(url, body, content_type="application/json")
    assert again.status_code == 400 and "不能重复导入" in again.content.decode()
    tampered = {**body, "packet": base64.b64encode(data.replace(b'"prof"', b'"worker"')).decode()}
    refused = client.post(url, tampered, content_type="application/json")
    assert refused.status_code == 400 and "已被改动或损坏" in refused.content.decode()
