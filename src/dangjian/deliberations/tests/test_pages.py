"""The pages and the API: scope (outsider 404, member 403), the stage forms, the PDF."""

from __future__ import annotations

import io
import re

from django.urls import reverse
from pypdf import PdfReader

from dangjian.audit.models import AuditEvent
from dangjian.deliberations import services
from dangjian.deliberations.models import Matter
from dangjian.deliberations.models import MatterStatus as S
from dangjian.deliberations.tests.conftest import (
    days_ago,
    notice,
    propose,
    resolve,
    reviewed,
)


def text_of(data: bytes) -> str:
    pages = PdfReader(io.BytesIO(data)).pages
    return re.sub(r"\s+", "", "".join(p.extract_text().replace("\x00", "") for p in pages))


def test_the_outsider_does_not_find_the_matter(village):
    m = propose(village)
    c = village.client(village.outsider)
    assert c.get(reverse("deliberations:detail", args=[m.pk])).status_code == 404
    assert c.get(f"/api/deliberations/{m.pk}/").status_code == 404


def test_a_member_sees_the_matter_but_may_not_take_a_step(village):
    m = propose(village)
    c = village.client(village.member_user)
    page = c.get(reverse("deliberations:detail", args=[m.pk]))
    assert page.status_code == 200 and "修建村道" in page.content.decode()
    url = reverse("deliberations:consult", args=[m.pk])
    assert c.post(url, {"version": m.version}).status_code == 403
    assert c.post(f"/api/deliberations/{m.pk}/consult/", {}).status_code == 403


def test_the_list_shows_the_status_in_words(village):
    propose(village)
    page = village.client(village.secretary).get(reverse("deliberations:list"))
    assert "已提议，待两委商议" in page.content.decode()


def test_proposing_through_the_page(village):
    c = village.client(village.secretary)
    assert c.get(reverse("deliberations:create")).status_code == 200
    data = {"org": village.branch.pk, "title": "村规民约修订", "category": "rules",
            "content": "修订第三章", "proposed_on": days_ago(1).isoformat()}  # fmt: skip
    r = c.post(reverse("deliberations:create"), data)
    m = Matter.objects.get()
    assert r.status_code == 302 and m.title == "村规民约修订" and m.status == S.PROPOSED


def test_the_detail_offers_the_next_stage_and_says_why_not_the_others(village):
    m = propose(village, one_person_both_posts=False)
    html = (
        village.client(village.secretary)
        .get(reverse("deliberations:detail", args=[m.pk]))
        .content.decode()
    )
    assert 'id="stage-consult"' in html
    assert "方案送达党员：须先召开“两委”会议商议" in html


def test_a_refused_stage_keeps_the_form_with_the_reason(village):
    m = propose(village)
    c = village.client(village.secretary)
    data = {"version": m.version, "on": days_ago(1).isoformat(), "participants": "张书记",
            "outcome": "agreed", "yes": 1, "no": 2, "abstain": 0}  # fmt: skip
    r = c.post(reverse("deliberations:consult", args=[m.pk]), data)
    assert r.status_code == 400 and "不一致" in r.content.decode()
    m.refresh_from_db()
    assert m.status == S.PROPOSED


def test_the_consultation_through_the_api(village):
    m = propose(village)
    c = village.client(village.secretary)
    body = {"version": m.version, "on": days_ago(1).isoformat(), "participants": "张书记、李主任",
            "outcome": "amended"}  # fmt: skip
    r = c.post(f"/api/deliberations/{m.pk}/consult/", body, content_type="application/json")
    assert r.status_code == 200 and r.json()["status"] == "consulted"
    assert [a["step"] for a in r.json()["actions"]] == ["send_plan"]


def test_the_api_refuses_numbers_that_do_not_add_up(village):
    m = reviewed(village)
    c = village.client(village.secretary)
    body = {"version": m.version, "kind": "representatives", "held_on": days_ago(1).isoformat(),
            "entitled": 30, "present": 25, "yes": 20, "no": 6, "abstain": 0}  # fmt: skip
    r = c.post(f"/api/deliberations/{m.pk}/resolve/", body, content_type="application/json")
    assert r.status_code == 400 and "多于实到会 25" in r.json()["detail"]


def test_the_work_record_prints_every_step_and_is_audited(village):
    m = reviewed(village)
    resolve(village, m)
    services.publish_decision(actor=village.secretary, matter=m, version=m.version,
                              notice=notice(days_ago(1)))  # fmt: skip
    r = village.client(village.secretary).get(reverse("deliberations:record", args=[m.pk]))
    assert r.status_code == 200
    text = text_of(b"".join(r.streaming_content) if r.streaming else r.content)
    expected = ["四议两公开", "工作记录", "修建村道", "张书记、李主任、王委员", "党员大会审议通过"]
    expected += ["应到会9", "实到会8", "赞成7", "村民代表会议", "决议通过", "村务公开栏"]
    for said in expected:
        assert said in text, said
    assert AuditEvent.objects.filter(action="deliberations.print_record").count() == 1


def test_proposing_through_the_api_only_in_a_village_one_may_run(village):
    body = {"org": village.branch.pk, "title": "土地流转", "category": "land", "content": "方案",
            "proposed_on": days_ago(1).isoformat()}  # fmt: skip
    r = village.client(village.secretary).post("/api/deliberations/", body,
                                               content_type="application/json")  # fmt: skip
    assert r.status_code == 201 and r.json()["status_label"] == "已提议，待两委商议"
    assert r.json()["category_label"] == "土地承包和流转"
    r = village.client(village.outsider).post("/api/deliberations/", body,
                                              content_type="application/json")  # fmt: skip
    assert r.status_code == 400 and r.json()["field"] == "org"
    listed = village.client(village.member_user).get("/api/deliberations/").json()
    assert [m["title"] for m in listed["results"]] == ["土地流转"]
