"""The pages and the API: the steps the engine allows, the member's own part only, the 组织评定
form with its confirmation, the printed sheet (audited), the member page's panel, the 自行脱党
list and the 工作台."""

from __future__ import annotations

import datetime as dt

from django.urls import reverse

from dangjian.accounts.scope import scope_for
from dangjian.appraisal import services
from dangjian.appraisal.tests.conftest import RATE_DAY, attend, make_meeting
from dangjian.appraisal.tests.helpers import counted, grades_for, started
from dangjian.appraisal.workbench import LapseCandidates, ToApprove
from dangjian.audit.models import AuditEvent
from dangjian.meetings.models import Attendance, MeetingKind


def test_member_sees_only_their_own_part(ap):
    appraisal = started(ap)
    page = ap.client(ap.member_user).get(reverse("appraisal:detail", args=[appraisal.pk]))
    text = page.content.decode()
    assert page.status_code == 200 and "我的评议" in text
    assert "王一" not in text and 'id="steps"' not in text


def test_secretary_is_offered_the_next_step(ap):
    appraisal = started(ap)
    text = ap.client(ap.secretary).get(reverse("appraisal:detail", args=[appraisal.pk])).content
    assert b'id="step-hold_test"' in text and "王一".encode() in text


def test_member_writes_their_self_review_on_the_page(ap):
    entry = started(ap).entries.get(member=ap.member)
    url = reverse("appraisal:entry", args=[entry.pk])
    data = {"version": entry.version, "self_review": "一年来……", "party_analysis": ""}
    assert ap.client(ap.member_user).post(url, data).status_code == 302
    entry.refresh_from_db()
    assert entry.self_review == "一年来……"


def test_another_member_is_refused_the_self_review(ap):
    entry = started(ap).entries.get(member=ap.member)
    page = ap.client(ap.full[1].user).get(reverse("appraisal:entry", args=[entry.pk]))
    assert page.status_code == 403


def test_rating_over_the_cap_asks_for_a_reason_on_the_page(ap, life):
    appraisal = counted(ap, life)
    data = {"version": appraisal.version, "body": "committee", "on": "2025-12-15", "reason": ""}
    data |= {f"grade_{k}": v for k, v in grades_for(ap, 3).items()}
    page = ap.client(ap.secretary).post(reverse("appraisal:rate", args=[appraisal.pk]), data)
    assert page.status_code == 200 and "三分之一" in page.content.decode()
    data |= {"confirmed": "on", "reason": "均获表彰"}
    page = ap.client(ap.secretary).post(reverse("appraisal:rate", args=[appraisal.pk]), data)
    assert page.status_code == 302


def _done(ap, life):
    appraisal = counted(ap, life)
    services.rate_members(actor=ap.secretary, appraisal=appraisal, grades=grades_for(ap, 1),
                          body="committee", on=RATE_DAY)  # fmt: skip
    services.publish_results(actor=ap.secretary, appraisal=appraisal, on=RATE_DAY)
    services.apply_results(actor=ap.secretary, appraisal=appraisal, on=RATE_DAY)
    return appraisal


def test_result_sheet_prints_and_is_audited(ap, life):
    appraisal = _done(ap, life)
    page = ap.client(ap.secretary).get(reverse("appraisal:sheet", args=[appraisal.pk]))
    assert page.status_code == 200 and page["Content-Type"] == "application/pdf"
    assert page.content.startswith(b"%PDF")
    assert AuditEvent.objects.filter(action="appraisal.print_result_sheet").count() == 1


def test_member_page_shows_the_grade(ap, life):
    _done(ap, life)
    page = ap.client(ap.member_user).get(reverse("members:detail", args=[ap.member.pk]))
    text = page.content.decode()
    assert 'id="appraisal-panel"' in text and "2025 年度" in text and "优秀" in text


def test_api_shows_a_member_only_their_own_entry(ap):
    appraisal = started(ap)
    own = ap.client(ap.member_user).get(f"/api/appraisals/{appraisal.pk}/").json()
    assert [e["name"] for e in own["entries"]] == ["李明"]
    full = ap.client(ap.secretary).get(f"/api/appraisals/{appraisal.pk}/").json()
    assert len(full["entries"]) == 7 and full["actions"][0]["step"] == "hold_test"


def test_api_rates_with_the_cap(ap, life):
    appraisal = counted(ap, life)
    grades = {str(k): v for k, v in grades_for(ap, 3).items()}
    body = {"step": "rate", "version": appraisal.version, "body": "committee", "on": "2025-12-15"}
    body["grades"] = grades
    url = f"/api/appraisals/{appraisal.pk}/steps/"
    answer = ap.client(ap.secretary).post(url, body, content_type="application/json")
    assert answer.status_code == 400 and "三分之一" in answer.json()["detail"]
    body |= {"confirmed": True, "reason": "均获表彰"}
    answer = ap.client(ap.secretary).post(url, body, content_type="application/json")
    assert answer.status_code == 200 and answer.json()["status"] == "rated"


def _absent_six_months(ap):
    for month in range(1, 7):
        meeting = make_meeting(ap.branch, MeetingKind.THEME_DAY, dt.date(2026, month, 10))
        attend(meeting, ap.full[5], Attendance.Status.ABSENT)


def test_lapse_page_says_dues_are_not_in_the_system(ap):
    text = ap.client(ap.secretary).get(reverse("appraisal:lapses")).content.decode()
    assert "党费缴纳情况尚未纳入本系统，仅依据组织生活参加情况" in text


def test_workbench_offers_the_lapse_to_the_branch_not_the_outsider(ap):
    _absent_six_months(ap)
    today = dt.date(2026, 7, 15)
    provider = LapseCandidates()
    assert provider.count_for(ap.secretary, scope_for(ap.secretary), today) == 1
    assert provider.count_for(ap.outsider, scope_for(ap.outsider), today) == 0
    services.propose_removal(actor=ap.secretary, member=ap.full[5], on=today)
    assert provider.count_for(ap.secretary, scope_for(ap.secretary), today) == 0


def test_workbench_shows_the_approval_to_the_committee(ap):
    _absent_six_months(ap)
    d = services.propose_removal(actor=ap.secretary, member=ap.full[5], on=dt.date(2026, 7, 15))
    d.status = "decided"  # only the count matters here: the engine's copy of the state
    d.save()
    assert ToApprove().count_for(ap.approver, scope_for(ap.approver), dt.date(2026, 7, 16)) == 1
    assert ToApprove().count_for(ap.secretary, scope_for(ap.secretary), dt.date(2026, 7, 16)) == 0


def test_secretary_starts_the_appraisal_on_the_page(ap):
    data = {"org": ap.branch.pk, "year": 2025, "on": "2025-11-03", "note": "传达学习"}
    page = ap.client(ap.secretary).post(reverse("appraisal:start"), data)
    assert page.status_code == 302
    assert services.Appraisal.objects.get().entries.count() == 7


def test_starting_twice_names_the_year(ap):
    started(ap)
    data = {"org": ap.branch.pk, "year": 2025, "on": "2025-11-03"}
    page = ap.client(ap.secretary).post(reverse("appraisal:start"), data)
    assert page.status_code == 200 and "已经开始" in page.content.decode()


def test_api_starts_an_appraisal_for_the_branch_only(ap):
    body = {"org": ap.branch.pk, "year": 2025, "on": "2025-11-03"}
    answer = ap.client(ap.secretary).post("/api/appraisals/", body, content_type="application/json")
    assert answer.status_code == 201 and len(answer.json()["entries"]) == 7
    refused = ap.client(ap.approver).post("/api/appraisals/", body, content_type="application/json")
    assert refused.status_code == 403
