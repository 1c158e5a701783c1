"""The 组织关系转接 pages: both sides in turn, the buttons the engine offers, the letter."""

from __future__ import annotations

import io

import pypdf
from django.urls import reverse

from dangjian.audit.models import AuditEvent
from dangjian.transfers.models import Transfer, TransferStatus

S = TransferStatus


def pdf_text(body: bytes) -> str:
    pages = pypdf.PdfReader(io.BytesIO(body)).pages
    return "".join("".join(p.extract_text().replace("\x00", "").split()) for p in pages)


def _start_by_page(tw):
    page = tw.client(tw.secretary)
    url = reverse("transfers:create", args=[tw.member.pk])
    assert "发起组织关系转接" in page.get(url).content.decode()
    response = page.post(url, {"to_org_code": tw.far_branch.code, "reason": "工作调动",
                               "dues_paid_to": "2026年11月"})  # fmt: skip
    assert response.status_code == 302, response.content.decode()
    return Transfer.objects.get(member=tw.member)


def _post(client, name, t, **data):
    t.refresh_from_db()
    return client.post(reverse(f"transfers:{name}", args=[t.pk]), {"version": t.version, **data})


def test_a_transfer_goes_from_one_county_to_the_other_through_the_pages(tw):
    t = _start_by_page(tw)
    approver = tw.client(tw.approver)
    detail = approver.get(reverse("transfers:detail", args=[t.pk])).content.decode()
    assert "审批并开具介绍信" in detail and 'id="step-issue"' in detail
    _post(approver, "issue", t)
    t.refresh_from_db()
    assert t.status == S.ISSUED
    receiver = tw.client(tw.far_secretary)
    assert "李明" in receiver.get(reverse("transfers:list") + "?side=in").content.decode()
    _post(receiver, "arrive", t)
    t.refresh_from_db()
    tw.member.refresh_from_db()
    assert (t.status, tw.member.org) == (S.ARRIVED, tw.far_branch)


def test_the_sender_sees_no_arrival_button_and_a_stale_form_is_refused(tw):
    t = _start_by_page(tw)
    page = tw.client(tw.secretary)
    detail = page.get(reverse("transfers:detail", args=[t.pk])).content.decode()
    assert 'id="step-issue"' not in detail and 'id="step-withdraw"' in detail
    response = page.post(reverse("transfers:withdraw", args=[t.pk]),
                         {"version": t.version - 1, "reason": "x"}, follow=True)  # fmt: skip
    assert "已被他人修改" in response.content.decode()


def test_the_printed_letter_names_the_member_the_serial_and_both_organizations(tw):
    t = _start_by_page(tw)
    _post(tw.client(tw.approver), "issue", t)
    t.refresh_from_db()
    response = tw.client(tw.secretary).get(reverse("transfers:letter", args=[t.pk]))
    assert response["Content-Type"] == "application/pdf"
    text = pdf_text(response.content)
    for expected in (
        "李明",
        t.serial,
        "东街社区党支部",
        "远山村党支部",
        "存根",
        "回执",
        "2026年11月",
    ):
        assert expected in text
    assert tw.member.id_masked in text
    assert AuditEvent.objects.filter(action="transfers.print_letter").count() == 1


def test_a_full_id_number_needs_the_reveal_grant(tw):
    t = _start_by_page(tw)
    _post(tw.client(tw.approver), "issue", t)
    url = reverse("transfers:letter", args=[t.pk]) + "?full=1"
    assert tw.client(tw.secretary).get(url).status_code == 403
    assert tw.client(tw.county_admin).get(url).status_code == 200
    assert AuditEvent.objects.filter(action="transfers.print_letter_full").count() == 1


def test_the_member_page_shows_the_transfer_panel(tw):
    page = tw.client(tw.secretary)
    url = reverse("members:detail", args=[tw.member.pk])
    assert 'id="start-transfer"' in page.get(url).content.decode()
    t = _start_by_page(tw)
    body = page.get(url).content.decode()
    assert "正在办理" in body and reverse("transfers:detail", args=[t.pk]) in body


def test_a_member_requests_a_transfer_of_their_own(tw):
    page = tw.client(tw.member_user)
    data = {"to_org_text": "中共某市某街道某社区委员会", "reason": "迁居"}
    response = page.post(reverse("transfers:request"), data)
    assert response.status_code == 302
    t = Transfer.objects.get(member=tw.member)
    assert t.status == S.REQUESTED and t.external
    assert "申请" in tw.client(tw.secretary).get(reverse("core:home")).content.decode()


def test_an_unknown_destination_code_is_named_on_the_form(tw):
    response = tw.client(tw.secretary).post(
        reverse("transfers:create", args=[tw.member.pk]), {"to_org_code": "999", "reason": "x"}
    )
    assert response.status_code == 400
    assert "没有这个组织代码" in response.content.decode()


def test_the_outsider_sees_no_transfer_of_the_county(tw):
    t = _start_by_page(tw)
    assert tw.client(tw.outsider).get(reverse("transfers:detail", args=[t.pk])).status_code == 200
    t2 = Transfer.objects.create(member=tw.neighbour, from_org=tw.other_branch, to_org=tw.branch,
                                 approver=tw.county, reason="x", status="declined")  # fmt: skip
    assert tw.client(tw.outsider).get(reverse("transfers:detail", args=[t2.pk])).status_code == 404


def test_the_api_lists_both_sides_and_takes_steps_with_the_same_checks(tw):
    t = _start_by_page(tw)
    api = tw.client(tw.approver)
    detail = api.get(f"/api/transfers/{t.pk}/").json()
    assert [a["step"] for a in detail["actions"] if a["allowed"]] == ["issue", "refuse"]
    assert api.post(f"/api/transfers/{t.pk}/issue/", {"version": 0}).status_code == 409
    issued = api.post(f"/api/transfers/{t.pk}/issue/", {"version": t.version}).json()
    assert issued["status"] == "issued" and issued["serial"]
    receiver = tw.client(tw.far_secretary)
    assert [r["id"] for r in receiver.get("/api/transfers/").json()["results"]] == [t.pk]
    sender = tw.client(tw.secretary)
    assert sender.post(f"/api/transfers/{t.pk}/arrive/", {"version": 9}).status_code == 403
    done = receiver.post(f"/api/transfers/{t.pk}/arrive/", {"version": issued["version"]})
    assert done.json()["status"] == "arrived"
    assert tw.client(tw.outsider).get(f"/api/transfers/{t.pk}/").status_code == 200


def test_the_members_own_page_offers_the_request(tw):
    body = tw.client(tw.member_user).get(reverse("members:detail", args=[tw.member.pk]))
    assert 'id="request-transfer"' in body.content.decode()
    assert 'id="start-transfer"' not in body.content.decode()
