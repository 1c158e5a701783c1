"""The transfer procedure, step by step, through the services (two counties)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from dangjian.core.exceptions import DomainError
from dangjian.core.procedures import StepRefused, allowed_steps
from dangjian.members.models import MemberEvent, MemberSpell
from dangjian.transfers import services
from dangjian.transfers.models import Transfer, TransferStatus
from dangjian.transfers.services import letter_valid_until

S = TransferStatus


def _issued(tw, **kw):
    t = services.start_transfer(actor=tw.secretary, member=tw.member, to_org=tw.far_branch,
                                reason="工作调动", dues_paid_to="2026年11月", **kw)  # fmt: skip
    return services.issue_letter(actor=tw.approver, transfer=t)


def test_branch_starts_and_township_committee_issues_a_numbered_letter(tw):
    t = _issued(tw)
    assert t.status == S.ISSUED
    assert t.approver == tw.township
    assert t.serial == f"中共城关镇委员会组转字〔{t.issue_date.year}〕第1号"
    assert t.valid_until == letter_valid_until(t.issue_date)
    second = services.start_transfer(actor=tw.county_admin, member=tw.neighbour,
                                     to_org=tw.far_branch, reason="迁居")  # fmt: skip
    assert second.approver.name == "中共河口镇委员会"


def test_an_orgadmin_who_is_not_the_committee_does_not_issue(tw):
    t = services.start_transfer(actor=tw.secretary, member=tw.member, to_org=tw.far_branch,
                                reason="工作调动")  # fmt: skip
    assert "issue" not in allowed_steps(tw.township_admin, t)
    with pytest.raises(StepRefused, match="审批组织关系转接"):
        services.issue_letter(actor=tw.county_admin, transfer=t)


def test_until_arrival_the_member_stays_with_the_sending_branch(tw):
    t = _issued(tw)
    tw.member.refresh_from_db()
    assert tw.member.org == tw.branch
    assert "arrive" in allowed_steps(tw.far_secretary, t)
    assert "arrive" not in allowed_steps(tw.secretary, t)
    services.confirm_arrival(actor=tw.far_secretary, transfer=t)
    tw.member.refresh_from_db()
    assert (t.status, tw.member.org) == (S.ARRIVED, tw.far_branch)
    spells = MemberSpell.objects.filter(member=tw.member).order_by("valid_from")
    *before, now = spells
    assert (before[-1].org_id, before[-1].valid_to) == (tw.branch.pk, timezone.localdate())
    assert (now.org_id, now.valid_from, now.valid_to) == (
        tw.far_branch.pk,
        timezone.localdate(),
        None,
    )


def test_a_returned_letter_leaves_the_member_where_they_were(tw):
    t = _issued(tw)
    with pytest.raises(DomainError, match="退回原因"):
        services.return_letter(actor=tw.far_secretary, transfer=t, reason=" ")
    services.return_letter(actor=tw.far_secretary, transfer=t, reason="本支部不是其居住地")
    tw.member.refresh_from_db()
    assert (t.status, t.return_reason, tw.member.org) == (
        S.RETURNED,
        "本支部不是其居住地",
        tw.branch,
    )
    again = services.start_transfer(actor=tw.secretary, member=tw.member, to_org=tw.far_branch,
                                    reason="重新办理")  # fmt: skip
    assert again.status == S.PENDING


def test_at_most_one_open_transfer_per_member(tw):
    services.start_transfer(actor=tw.secretary, member=tw.member, to_org=tw.far_branch,
                            reason="工作调动")  # fmt: skip
    with pytest.raises(DomainError, match="正在办理"):
        services.start_transfer(actor=tw.secretary, member=tw.member, to_org=tw.other_branch,
                                reason="工作调动")  # fmt: skip


def test_the_sender_withdraws_before_arrival_but_not_after(tw):
    t = _issued(tw)
    services.withdraw_transfer(actor=tw.secretary, transfer=t, reason="本人不再调动")
    assert t.status == S.WITHDRAWN
    t2 = _issued(tw)
    services.confirm_arrival(actor=tw.far_secretary, transfer=t2)
    with pytest.raises(StepRefused):
        services.withdraw_transfer(actor=tw.secretary, transfer=t2, reason="晚了")


def test_a_member_requests_and_the_branch_accepts(tw):
    t = services.request_transfer(actor=tw.member_user, member=tw.member, to_org=tw.far_branch,
                                  reason="随配偶迁居")  # fmt: skip
    assert t.status == S.REQUESTED
    with pytest.raises(DomainError, match="本人"):
        services.request_transfer(actor=tw.member_user, member=tw.neighbour,
                                  to_org=tw.far_branch, reason="x")  # fmt: skip
    services.accept_request(actor=tw.secretary, transfer=t, dues_paid_to="2026年12月")
    assert (t.status, t.dues_paid_to) == (S.PENDING, "2026年12月")


def test_the_outsider_can_do_nothing(tw):
    t = services.start_transfer(actor=tw.secretary, member=tw.member, to_org=tw.other_branch,
                                reason="工作调动")  # fmt: skip
    assert allowed_steps(tw.outsider, t) == set()
    with pytest.raises(DomainError):
        services.start_transfer(actor=tw.outsider, member=tw.neighbour, to_org=tw.far_branch,
                                reason="x")  # fmt: skip


def test_a_probationary_member_keeps_the_probation_across_the_move(tw, cast):
    from dangjian.testing import make_member

    prob = make_member(tw.county_admin, tw.branch, name="陈预备",
                       join=timezone.localdate() - dt.timedelta(days=100), full=None)  # fmt: skip
    end = prob.probation_end
    t = services.start_transfer(actor=tw.secretary, member=prob, to_org=tw.far_branch,
                                reason="工作调动")  # fmt: skip
    services.issue_letter(actor=tw.approver, transfer=t)
    services.confirm_arrival(actor=tw.far_secretary, transfer=t)
    prob.refresh_from_db()
    assert (prob.org, prob.category, prob.probation_end) == (tw.far_branch, "prob", end)


def test_a_letter_to_another_system_ends_with_its_receipt(tw):
    t = services.start_transfer(actor=tw.secretary, member=tw.member,
                                to_org_text="中共某省某县某村支部", reason="迁居外省")  # fmt: skip
    services.issue_letter(actor=tw.approver, transfer=t)
    assert "arrive" not in allowed_steps(tw.far_secretary, t)
    services.record_receipt(actor=tw.secretary, transfer=t, arrival_date=timezone.localdate())
    tw.member.refresh_from_db()
    assert (t.status, tw.member.status) == (S.COMPLETED, "out")
    out = tw.member.events.get(kind=MemberEvent.Kind.TRANSFER_OUT)
    assert (out.counterpart, out.document_no) == ("中共某省某县某村支部", t.serial)


def test_an_internal_letter_has_no_receipt_step(tw):
    t = _issued(tw)
    assert "record_receipt" not in allowed_steps(tw.secretary, t)


# --- validity and expiry, at their boundaries ----------------------------------------------


def test_arrival_on_the_last_valid_day_is_allowed_and_the_day_after_refused(tw):
    issued = timezone.localdate() - dt.timedelta(days=200)
    t = _issued_on(tw, issued)
    last = t.valid_until
    assert last == issued + dt.timedelta(days=0) + (letter_valid_until(issued) - issued)
    options = {o.name: o for o in _options(tw.far_secretary, t, last + dt.timedelta(days=1))}
    assert not options["arrive"].allowed and "已过期" in options["arrive"].reason
    options = {o.name: o for o in _options(tw.far_secretary, t, last)}
    assert options["arrive"].allowed


def test_expiry_runs_the_day_after_validity_ends_and_not_on_it(tw):
    issued = timezone.localdate() - dt.timedelta(days=200)
    t = _issued_on(tw, issued)
    assert services.expire_letters(t.valid_until - dt.timedelta(days=1)) == 0
    assert services.expire_letters(t.valid_until) == 0
    assert services.expire_letters(t.valid_until + dt.timedelta(days=1)) == 1
    t.refresh_from_db()
    assert t.status == S.EXPIRED
    tw.member.refresh_from_db()
    assert tw.member.org == tw.branch  # nothing to restore: the register never changed
    assert services.expire_letters(t.valid_until + dt.timedelta(days=2)) == 0  # idempotent


def test_the_validity_is_the_rule_value_in_force_on_the_issue_date(tw):
    from dangjian.core.models import RuleValue

    RuleValue.objects.create(key="transfer.letter_validity_months", value=6, unit="月",
                             effective_from=dt.date(2025, 1, 1), source="测试")  # fmt: skip
    assert letter_valid_until(dt.date(2024, 12, 31)) == dt.date(2025, 3, 31)
    assert letter_valid_until(dt.date(2025, 1, 1)) == dt.date(2025, 7, 1)


def _issued_on(tw, day):
    t = services.start_transfer(actor=tw.secretary, member=tw.member, to_org=tw.far_branch,
                                reason="工作调动", on=day)  # fmt: skip
    return services.issue_letter(actor=tw.approver, transfer=t, on=day)


def _options(user, t, on):
    from dangjian.core.procedures import steps_available

    return steps_available(user, t, on=on)


def test_transfer_rows_need_one_destination(tw):
    from django.db import IntegrityError, transaction

    with pytest.raises(IntegrityError), transaction.atomic():
        Transfer.objects.create(member=tw.member, from_org=tw.branch, approver=tw.township,
                                reason="x")  # fmt: skip
