"""Stage E of 发展党员 (预备党员的教育考察和转正): 入党宣誓, 转正申请, the 支部党员大会 vote on
转正/延长/取消 in a meeting, the 党委's approval writing the register (members.history judges
it), and the 全程纪实表."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import pytest
from dateutil.relativedelta import relativedelta
from django.urls import reverse

from dangjian.audit.models import AuditEvent
from dangjian.core.exceptions import DomainError
from dangjian.core.procedures import NeedsConfirmation, StepRefused, steps_available, steps_of
from dangjian.members.choices import MemberCategory, MemberStatus
from dangjian.members.models import MemberEvent
from dangjian.members.services import record_probation_outcome
from dangjian.recruitment import pdf, services
from dangjian.recruitment.models import Applicant
from dangjian.recruitment.procedures import RECRUITMENT
from dangjian.recruitment.testing import (
    approver_for,
    conversion_vote,
    enter_totals,
    general_meeting,
    probationary,
)
from dangjian.stats.reports import converted_in, standard_report
from dangjian.votes.models import Poll

S, P = Applicant.Status, Applicant.Proposal
DAY = dt.timedelta(days=1)
ADMIT_DAY = dt.date(2023, 7, 10)  # the 支部党员大会 resolution: the 预备期 starts
APPROVE_DAY = ADMIT_DAY + dt.timedelta(days=7)
PROBATION_END = dt.date(2024, 7, 10)
VOTE_DAY = PROBATION_END + relativedelta(days=6)


@dataclass
class Stage:
    branch: Any  # 支部书记 (维护党员信息 on the branch)
    committee: Any  # 城关镇党委 (审批发展党员)


@pytest.fixture
def stage(cast):
    return Stage(cast.secretary, approver_for(cast.branch))


@pytest.fixture
def file(cast, stage):
    return probationary(cast.branch, admitted_on=ADMIT_DAY, secretary=stage.branch,
                        approver=stage.committee, name="赵小红", gender="F")  # fmt: skip


def take(stage, a, step, on, **kw):
    actor = stage.committee if step.startswith(("approve_", "refuse_")) else stage.branch
    return services.take(actor, a, step, on=on, **kw)


@pytest.fixture
def applied(stage, file):
    take(stage, file, "oath", APPROVE_DAY + relativedelta(days=10))
    take(stage, file, "apply_full", PROBATION_END - relativedelta(days=20))
    return file


def resolved(cast, stage, a, proposal, day=VOTE_DAY, **kw):
    conversion_vote(a, proposal, day, secretary=stage.branch, **kw)
    a.refresh_from_db()
    return services.resolve_conversion(actor=stage.branch, applicant=a)


def approve(stage, a, step, on, **kw):
    return services.approve_resolution(actor=stage.committee, applicant=a, step=step, on=on, **kw)


# --- 入党宣誓, 转正申请 --------------------------------------------------------------------------


def test_the_file_reaches_probation_through_the_engine(file):
    assert file.status == S.PROBATIONARY
    assert file.member.category == MemberCategory.PROBATIONARY
    assert file.member.probation_end == PROBATION_END


def test_oath_on_the_last_day_of_its_month_is_on_time_the_day_after_asks(stage, file):
    due = APPROVE_DAY + relativedelta(months=1)
    with pytest.raises(NeedsConfirmation, match="入党宣誓期限"):
        take(stage, file, "oath", due + DAY)
    step = take(stage, file, "oath", due)
    assert step.due_date == due and pdf.timeliness(step) == "按期"


def test_conversion_vote_without_an_application_is_refused(cast, stage, file):
    polls = Poll.objects.count()
    with pytest.raises(StepRefused, match="书面转正申请"):
        conversion_vote(file, P.CONVERT, VOTE_DAY, secretary=stage.branch)
    file.refresh_from_db()
    assert file.status == S.PROBATIONARY and file.proposal == ""  # nothing half-written
    assert Poll.objects.count() == polls


# --- the 支部党员大会 vote -----------------------------------------------------------------------


def test_vote_is_a_motion_poll_in_the_meeting(cast, stage, applied):
    poll = conversion_vote(applied, P.CONVERT, VOTE_DAY, secretary=stage.branch)
    applied.refresh_from_db()
    assert applied.status == S.CONVERSION_VOTING and applied.poll == poll
    assert applied.meeting.date == VOTE_DAY and applied.proposal == P.CONVERT
    assert poll.title == "关于赵小红同志按期转为中共正式党员的表决"
    assert poll.result["passed"] and poll.result["quorum_met"]


def test_vote_in_another_branchs_meeting_is_refused(cast, stage, applied):
    meeting = general_meeting(cast.other_branch, VOTE_DAY, present=[])
    with pytest.raises(DomainError, match="东街社区党支部的支部党员大会"):
        services.put_conversion_to_vote(actor=stage.branch, applicant=applied,
                                        proposal=P.CONVERT, meeting=meeting)  # fmt: skip


def test_resolve_convert_refused_the_day_before_probation_end_allowed_on_it(cast, stage, applied):
    with pytest.raises(StepRefused, match="期满之日及以后"):
        conversion_vote(applied, P.CONVERT, PROBATION_END - DAY, secretary=stage.branch)
    conversion_vote(applied, P.CONVERT, PROBATION_END, secretary=stage.branch)
    applied.refresh_from_db()
    options = {o.name: o for o in steps_available(stage.branch, applied, RECRUITMENT,
                                                   on=PROBATION_END - DAY)}  # fmt: skip
    assert not options["resolve_convert"].allowed
    assert "期满之日及以后" in options["resolve_convert"].reason
    services.resolve_conversion(actor=stage.branch, applicant=applied, step="resolve_convert")
    applied.refresh_from_db()
    assert applied.status == S.TO_CONVERT


@pytest.mark.parametrize("months,ok", [(5, False), (6, True), (12, True), (13, False)])
def test_extension_between_six_and_twelve_months(cast, stage, file, months, ok):
    if ok:
        conversion_vote(file, P.EXTEND, VOTE_DAY, months=months, secretary=stage.branch)
        file.refresh_from_db()
        assert file.extension_months == months
        assert file.poll.title == f"关于延长赵小红同志预备期{months}个月的表决"
    else:
        with pytest.raises(StepRefused, match="不能少于6个月，最长不超过12个月"):
            conversion_vote(file, P.EXTEND, VOTE_DAY, months=months, secretary=stage.branch)


def test_a_failed_vote_goes_back_to_probation(cast, stage, applied):
    conversion_vote(applied, P.CONVERT, VOTE_DAY, yes=1, secretary=stage.branch)  # 1 of 2
    applied.refresh_from_db()
    with pytest.raises(StepRefused, match="表决未通过"):
        services.resolve_conversion(actor=stage.branch, applicant=applied, step="resolve_convert")
    services.resolve_conversion(actor=stage.branch, applicant=applied)
    applied.refresh_from_db()
    assert applied.status == S.PROBATIONARY
    assert steps_of(RECRUITMENT, applied)[-1].step == "conversion_failed"


def test_count_is_the_branchs_and_only_once(cast, stage, applied):
    meeting = general_meeting(cast.branch, VOTE_DAY)
    poll = services.put_conversion_to_vote(actor=stage.branch, applicant=applied,
                                           proposal=P.CONVERT, meeting=meeting,
                                           method=Poll.Method.TOTALS)  # fmt: skip
    enter_totals(stage.branch, poll, poll.voters.count())
    applied.refresh_from_db()
    with pytest.raises(DomainError, match="管理范围"):  # 组织表决和选举: the branch's
        services.count_vote(actor=stage.committee, applicant=applied)
    services.count_vote(actor=stage.branch, applicant=applied)
    applied.refresh_from_db()
    with pytest.raises(DomainError, match="已经计票"):
        services.count_vote(actor=stage.branch, applicant=applied)


# --- the 党委's approval writes the register -----------------------------------------------------


def test_convert_makes_a_full_member_from_the_end_of_probation(cast, stage, applied):
    resolved(cast, stage, applied, P.CONVERT)
    approve(stage, applied, "approve_convert", VOTE_DAY + relativedelta(months=1))
    applied.refresh_from_db()
    member = applied.member
    member.refresh_from_db()
    assert applied.status == S.FULL
    assert member.category == MemberCategory.FULL and member.full_date == PROBATION_END
    event = member.events.get(kind=MemberEvent.Kind.CONVERT)
    assert event.effective_date == PROBATION_END and event.decided_on == VOTE_DAY
    take(stage, applied, "archive", VOTE_DAY + relativedelta(months=2))
    applied.refresh_from_db()
    assert applied.status == S.ARCHIVED


def test_approval_late_asks_for_confirmation_and_is_recorded_late(cast, stage, applied):
    resolved(cast, stage, applied, P.CONVERT)
    due = VOTE_DAY + relativedelta(months=3)
    with pytest.raises(NeedsConfirmation, match="审批期限"):
        approve(stage, applied, "approve_convert", due + DAY)
    step = approve(stage, applied, "approve_convert", due + DAY, confirmed=True)
    assert pdf.timeliness(step) == "逾期" and step.data["warnings"]


def test_the_branch_cannot_approve_and_the_committee_cannot_edit_members(cast, stage, applied):
    resolved(cast, stage, applied, P.CONVERT)
    with pytest.raises(StepRefused):
        services.approve_resolution(actor=stage.branch, applicant=applied,
                                    step="approve_convert", on=VOTE_DAY)  # fmt: skip
    with pytest.raises(DomainError, match="审批"):
        record_probation_outcome(actor=cast.secretary, member=applied.member,
                                 kind=MemberEvent.Kind.CONVERT, decided_on=VOTE_DAY,
                                 effective_date=PROBATION_END)  # fmt: skip


def test_extension_moves_the_conversion_and_a_second_one_is_refused(cast, stage, applied):
    resolved(cast, stage, applied, P.EXTEND, months=6)
    approve(stage, applied, "approve_extend", VOTE_DAY + relativedelta(months=1))
    applied.refresh_from_db()
    new_end = PROBATION_END + relativedelta(months=6)
    assert applied.status == S.PROBATIONARY and applied.member.probation_end == new_end
    day = new_end + relativedelta(days=3)
    with pytest.raises(StepRefused, match="只能延长一次"):
        conversion_vote(applied, P.EXTEND, day, months=6, secretary=stage.branch)
    with pytest.raises(StepRefused, match="书面转正申请"):  # applies again after the extension
        conversion_vote(applied, P.CONVERT, day, secretary=stage.branch)
    take(stage, applied, "apply_full", new_end - relativedelta(days=5))
    resolved(cast, stage, applied, P.CONVERT, day=day)
    approve(stage, applied, "approve_convert", day + relativedelta(days=10))
    applied.member.refresh_from_db()
    assert applied.member.full_date == new_end


def test_cancel_may_be_put_during_an_extension(cast, stage, applied):
    resolved(cast, stage, applied, P.EXTEND, months=6)
    approve(stage, applied, "approve_extend", VOTE_DAY + relativedelta(days=10))
    applied.refresh_from_db()
    day = VOTE_DAY + relativedelta(months=2)  # before the extended end
    options = {o.name: o for o in steps_available(stage.branch, applied, RECRUITMENT, on=day)}
    assert options["put_conversion_to_vote"].allowed
    with pytest.raises(StepRefused, match="期满之日及以后"):
        conversion_vote(applied, P.CONVERT, day, secretary=stage.branch)
    resolved(cast, stage, applied, P.CANCEL, day=day)
    applied.refresh_from_db()
    assert applied.status == S.TO_CANCEL


def test_cancel_ends_the_membership(cast, stage, file):
    day = APPROVE_DAY + relativedelta(months=4)  # no need to wait for the end of probation
    resolved(cast, stage, file, P.CANCEL, day=day)
    approve(stage, file, "approve_cancel", day + relativedelta(days=20))
    file.refresh_from_db()
    member = file.member
    member.refresh_from_db()
    assert file.status == S.CANCELLED
    assert member.status == MemberStatus.CANCELLED
    assert member.get_status_display() == "已取消预备党员资格"
    event = member.events.get(kind=MemberEvent.Kind.CANCEL)
    assert event.effective_date == day + relativedelta(days=20)


def test_refusing_the_resolution_needs_a_reason_and_returns_to_probation(cast, stage, applied):
    resolved(cast, stage, applied, P.CONVERT)
    with pytest.raises(StepRefused, match="写明原因"):
        services.refuse_resolution(actor=stage.committee, applicant=applied, on=VOTE_DAY,
                                   reason=" ")  # fmt: skip
    services.refuse_resolution(actor=stage.committee, applicant=applied, on=VOTE_DAY,
                               reason="转正材料不全")  # fmt: skip
    applied.refresh_from_db()
    assert applied.status == S.PROBATIONARY
    assert applied.member.category == MemberCategory.PROBATIONARY


# --- statistics ----------------------------------------------------------------------------------


def test_conversions_of_a_period_are_the_files_converted_in_it(cast, stage, applied):
    born = dt.date(1999, 2, 3)
    other = probationary(cast.branch, admitted_on=ADMIT_DAY, secretary=stage.branch,
                         approver=stage.committee, name="钱小明", birth=born)  # fmt: skip
    take(stage, other, "apply_full", PROBATION_END - relativedelta(days=20))
    resolved(cast, stage, applied, P.CONVERT)
    approve(stage, applied, "approve_convert", VOTE_DAY + relativedelta(days=10))
    resolved(cast, stage, other, P.EXTEND, months=6)
    approve(stage, other, "approve_extend", VOTE_DAY + relativedelta(days=10))
    year = (dt.date(2024, 1, 1), dt.date(2024, 12, 31))
    assert converted_in(cast.township, *year) == 1  # 赵小红 only: 钱小明's was extended
    new_end = PROBATION_END + relativedelta(months=6)
    take(stage, other, "apply_full", new_end - relativedelta(days=5))
    resolved(cast, stage, other, P.CONVERT, day=new_end)
    approve(stage, other, "approve_convert", new_end + relativedelta(days=10))
    assert converted_in(cast.township, *year) == 1
    assert converted_in(cast.township, new_end, new_end) == 1  # moved to the extended end
    assert converted_in(cast.township, dt.date(2024, 1, 1), new_end) == 2
    report = standard_report(cast.township, year[1], period=year)  # the report's 转正 column
    assert report.converted == 1
    assert standard_report(cast.township, new_end, period=(year[0], new_end)).converted == 2


# --- 全程纪实表 ----------------------------------------------------------------------------------


def test_full_record_lists_steps_facts_and_votes(cast, stage, applied):
    resolved(cast, stage, applied, P.CONVERT)
    approve(stage, applied, "approve_convert", VOTE_DAY + relativedelta(months=4), confirmed=True)
    applied.refresh_from_db()
    rows = pdf.step_rows(applied)
    labels = [r[2] for r in rows]
    assert labels[0] == "递交入党申请书" and labels[-1] == "上级党委批准转为正式党员"
    assert rows[-1][3] == "中共城关镇委员会审批人" and rows[-1][5] == "逾期"
    facts = dict(pdf.facts(applied))
    assert facts["推荐方式"] == "党员推荐"
    assert facts["培养联系人"] == "李明、周立乙"
    assert facts["政治审查结论"].startswith("合格")
    trained = next(s for s in steps_of(RECRUITMENT, applied) if s.step == "training")
    start, end = (trained.data[k].replace("-", ".") for k in ("start", "end"))
    assert facts["集中培训"] == f"县委党校，{start}至{end}，3天、24学时"  # as file_at's form gives
    assert facts["预备期"] == "2023.07.10 至 2024.07.10"
    assert facts["转正日期"] == "2024.07.10"
    counts = pdf.vote_counts(applied)
    assert [(v.entitled, v.present, v.yes, v.no, v.outcome) for v in counts] == [
        (2, 2, 2, 0, "通过"),
        (2, 2, 2, 0, "通过"),
    ]
    data = services.print_full_record(actor=stage.committee, applicant=applied)
    assert data.startswith(b"%PDF")
    assert AuditEvent.objects.filter(action="recruitment.print_full_record").count() == 1


# --- pages ---------------------------------------------------------------------------------------


def test_pages_put_the_conversion_to_vote_count_it_and_print(cast, stage, applied):
    meeting = general_meeting(cast.branch, VOTE_DAY)
    client = cast.client(stage.branch)
    url = reverse("recruitment:step", args=[applied.pk, "put_conversion_to_vote"])
    page = client.get(url)
    assert page.status_code == 200 and meeting.title in page.content.decode()
    form = {"version": applied.version, "proposal": "extend", "meeting": meeting.pk,
            "method": "totals"}  # fmt: skip
    page = client.post(url, form)
    assert "延长预备期须填写延长的月数" in page.content.decode()
    page = client.post(url, {**form, "months": 5})
    assert "不能少于6个月" in page.content.decode()
    assert client.post(url, {**form, "months": 6}).status_code == 302
    applied.refresh_from_db()
    assert applied.status == S.CONVERSION_VOTING
    detail = client.get(reverse("recruitment:detail", args=[applied.pk])).content.decode()
    assert 'id="count"' in detail
    enter_totals(stage.branch, applied.poll, applied.poll.voters.count())
    assert client.post(reverse("recruitment:count", args=[applied.pk])).status_code == 302
    applied.refresh_from_db()
    assert applied.poll.status == Poll.Status.CLOSED
    step = reverse("recruitment:step", args=[applied.pk, "resolve_extend"])
    assert client.post(step, {"version": applied.version}).status_code == 302
    applied.refresh_from_db()
    assert applied.status == S.TO_EXTEND
    printed = client.get(reverse("recruitment:full-record", args=[applied.pk]))
    assert printed.status_code == 200 and printed["Content-Type"] == "application/pdf"
    # 李明, her 培养联系人, follows the file's progress but does not print it
    contact = cast.client(cast.member_user)
    assert contact.get(reverse("recruitment:full-record", args=[applied.pk])).status_code == 403


def test_committee_approves_on_its_page(cast, stage, applied):
    resolved(cast, stage, applied, P.CONVERT)
    applied.refresh_from_db()
    client = cast.client(stage.committee)
    url = reverse("recruitment:step", args=[applied.pk, "approve_convert"])
    on = VOTE_DAY + relativedelta(days=15)
    page = client.post(
        url, {"version": applied.version, "on": on.isoformat(), "document_no": "城委〔2024〕8号"}
    )
    assert page.status_code == 302
    applied.member.refresh_from_db()
    assert applied.member.category == MemberCategory.FULL
    assert applied.member.events.get(kind="convert").document_no == "城委〔2024〕8号"
    assert cast.client(stage.branch).post(url, {"version": 1}).status_code == 403


def test_full_record_pdf_masks_the_id_number(stage, applied):
    from dangjian.core.crypto import decrypt
    from dangjian.rosters.tests.test_pdf import page_texts

    text = "".join(page_texts(services.print_full_record(actor=stage.branch, applicant=applied)))
    assert "发展党员全程纪实表" in text and "赵小红" in text
    assert applied.id_masked in text and decrypt(applied.id_cipher) not in text


def test_full_record_without_a_chinese_font_is_a_503(cast, stage, applied, monkeypatch):
    from dangjian.core import printing

    def missing():
        raise printing.PdfFontMissing()

    monkeypatch.setattr(printing, "find_cjk_font", missing)
    page = cast.client(stage.branch).get(reverse("recruitment:full-record", args=[applied.pk]))
    assert page.status_code == 503 and "中文字体" in page.content.decode()
    assert not AuditEvent.objects.filter(action="recruitment.print_full_record").exists()


def test_api_takes_the_stage_e_steps_through_the_same_forms(cast, stage, applied):
    url = f"/api/recruitment/applicants/{applied.pk}/steps/"
    meeting = general_meeting(cast.branch, VOTE_DAY)
    branch = cast.client(stage.branch)
    body = {"step": "put_conversion_to_vote", "version": applied.version, "proposal": "extend",
            "months": 13, "meeting": meeting.pk, "method": "totals"}  # fmt: skip
    refused = branch.post(url, body, content_type="application/json")
    assert refused.status_code == 400 and "最长不超过12个月" in refused.content.decode()
    done = branch.post(url, {**body, "months": 6}, content_type="application/json")
    assert done.status_code == 200 and done.json()["status"] == S.CONVERSION_VOTING
    applied.refresh_from_db()
    enter_totals(stage.branch, applied.poll, applied.poll.voters.count())
    services.count_vote(actor=stage.branch, applicant=applied)
    applied.refresh_from_db()
    resolve = {"step": "resolve_extend", "version": applied.version}
    assert branch.post(url, resolve, content_type="application/json").status_code == 200
    applied.refresh_from_db()
    approve_body = {"step": "approve_extend", "version": applied.version,
                    "on": (VOTE_DAY + relativedelta(days=9)).isoformat()}  # fmt: skip
    assert branch.post(url, approve_body, content_type="application/json").status_code == 403
    committee = cast.client(stage.committee)
    assert committee.post(url, approve_body, content_type="application/json").status_code == 200
    applied.member.refresh_from_db()
    assert applied.member.probation_end == PROBATION_END + relativedelta(months=6)
