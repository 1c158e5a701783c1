"""外系统介绍信: matched by ID number; new person, returning member, refusals; validity."""

from __future__ import annotations

import datetime as dt

import pytest

from dangjian.audit.models import AuditEvent
from dangjian.conftest import Cast
from dangjian.core.exceptions import DomainError
from dangjian.exchange.models import IncomingLetter
from dangjian.exchange.services import preview_letter, receive_letter, return_letter
from dangjian.exchange.tests.conftest import incoming, person
from dangjian.members.choices import MemberCategory, MemberStatus
from dangjian.members.models import Member, MemberEvent
from dangjian.members.services import record_event

Kind = MemberEvent.Kind


def test_new_person_is_registered_with_a_transfer_in(cast: Cast) -> None:
    letter = receive_letter(actor=cast.secretary, letter=incoming(cast.branch))
    member = letter.member
    assert letter.outcome == IncomingLetter.Outcome.NEW
    assert (member.org, member.status, member.category) == (
        cast.branch,
        MemberStatus.ACTIVE,
        MemberCategory.FULL,
    )
    (event,) = member.events.all()
    assert (event.kind, event.effective_date, event.document_no) == (
        Kind.TRANSFER_IN,
        dt.date(2026, 11, 2),
        "鄂组字第 0456 号",
    )
    assert event.counterpart == "中共武汉市江岸区某街道工作委员会"
    assert (member.join_date, member.full_date) == (dt.date(2016, 6, 1), dt.date(2017, 6, 1))
    assert AuditEvent.objects.filter(action="exchange.receive_letter").count() == 1
    assert AuditEvent.objects.filter(action="members.receive_transferred_member").count() == 1


def test_probationary_member_keeps_the_probation_and_its_extension(cast: Cast) -> None:
    letter = incoming(cast.branch, join=dt.date(2026, 3, 1), full=None, extension_months=6)
    member = receive_letter(actor=cast.secretary, letter=letter).member
    assert member.category == MemberCategory.PROBATIONARY
    assert member.probation_end == dt.date(2027, 9, 1)  # 1 year + 6 months from joining


def test_member_who_left_earlier_is_restored_with_history(cast: Cast) -> None:
    member = cast.member
    record_event(
        actor=cast.county_admin,
        member=member,
        kind=Kind.TRANSFER_OUT,
        effective_date=dt.date(2020, 3, 1),
        counterpart="湖北省某党委",
    )
    who = person("李明", gender="M", birth=member.birth_date, id_number=member.reveal_id_number())
    letter = receive_letter(
        actor=cast.outsider, letter=incoming(cast.far_branch, who=who, join=member.join_date)
    )
    assert letter.outcome == IncomingLetter.Outcome.RESTORED and letter.member.pk == member.pk
    member.refresh_from_db()
    assert (member.org, member.status) == (cast.far_branch, MemberStatus.ACTIVE)
    kinds = [e.kind for e in member.events.order_by("effective_date", "id")]
    assert kinds == [Kind.ADMIT, Kind.CONVERT, Kind.TRANSFER_OUT, Kind.TRANSFER_IN]
    assert Member.objects.filter(id_hash=member.id_hash).count() == 1
    spells = list(member.spells.order_by("valid_from").values_list("org_id", "valid_to"))
    assert spells[-2:] == [(cast.branch.pk, dt.date(2020, 3, 1)), (cast.far_branch.pk, None)]


def test_member_in_the_party_here_is_refused_without_naming_an_org_out_of_scope(
    cast: Cast,
) -> None:
    member = cast.member
    who = person("李明", gender="M", birth=member.birth_date, id_number=member.reveal_id_number())
    with pytest.raises(DomainError, match="已在本系统其他党组织登记在册") as refused:
        receive_letter(actor=cast.outsider, letter=incoming(cast.far_branch, who=who))
    assert refused.value.field == "id_number"
    with pytest.raises(DomainError, match="「东街社区党支部」"):
        preview_letter(actor=cast.secretary, letter=incoming(cast.branch, who=who))
    assert IncomingLetter.objects.count() == 0


def test_member_whose_membership_ended_otherwise_is_refused(cast: Cast) -> None:
    member = cast.member
    record_event(
        actor=cast.county_admin, member=member, kind=Kind.EXIT, effective_date=dt.date(2021, 1, 4)
    )
    who = person("李明", gender="M", birth=member.birth_date, id_number=member.reveal_id_number())
    with pytest.raises(DomainError, match="已出党"):
        receive_letter(actor=cast.secretary, letter=incoming(cast.branch, who=who))


def test_preview_writes_nothing(cast: Cast) -> None:
    before = (Member.objects.count(), MemberEvent.objects.count(), AuditEvent.objects.count())
    preview = preview_letter(actor=cast.secretary, letter=incoming(cast.branch))
    assert preview.outcome.kind == "new" and not preview.overdue
    after = (Member.objects.count(), MemberEvent.objects.count(), AuditEvent.objects.count())
    assert after == before


def test_letter_is_valid_on_its_last_day(cast: Cast) -> None:
    letter = incoming(
        cast.branch, valid_until=dt.date(2026, 11, 2), received_on=dt.date(2026, 11, 2)
    )
    assert not preview_letter(actor=cast.secretary, letter=letter).overdue
    assert receive_letter(actor=cast.secretary, letter=letter).overdue_note == ""


def test_letter_past_validity_needs_a_written_explanation(cast: Cast) -> None:
    letter = incoming(
        cast.branch, valid_until=dt.date(2026, 11, 1), received_on=dt.date(2026, 11, 2)
    )
    preview = preview_letter(actor=cast.secretary, letter=letter)
    assert preview.overdue and preview.overdue_days == 1
    with pytest.raises(DomainError, match="逾期接收须填写情况说明") as refused:
        receive_letter(actor=cast.secretary, letter=letter, overdue_note="  ")
    assert refused.value.field == "overdue_note"
    stored = receive_letter(
        actor=cast.secretary, letter=letter, overdue_note="支部证明：途中生病住院。"
    )
    assert stored.overdue_note == "支部证明：途中生病住院。"
    assert "逾期" in stored.member.events.get().note


def test_receiving_org_may_return_the_letter_with_a_reason(cast: Cast) -> None:
    with pytest.raises(DomainError, match="退回原因"):
        return_letter(actor=cast.secretary, letter=incoming(cast.branch), reason=" ")
    stored = return_letter(
        actor=cast.secretary, letter=incoming(cast.branch), reason="介绍信抬头不是本支部"
    )
    assert stored.status == IncomingLetter.Status.RETURNED and stored.member is None
    assert stored.id_masked.startswith("4201") and "*" in stored.id_masked
    assert Member.objects.filter(name="孙丽").count() == 0


def test_outsider_cannot_receive_into_another_county(cast: Cast) -> None:
    with pytest.raises(DomainError, match="不在您的管理范围内"):
        receive_letter(actor=cast.outsider, letter=incoming(cast.branch))
    with pytest.raises(DomainError, match="不在您的管理范围内"):
        return_letter(actor=cast.outsider, letter=incoming(cast.branch), reason="试探")
    assert IncomingLetter.objects.count() == 0


def test_wrong_id_number_is_refused_naming_the_field(cast: Cast) -> None:
    who = person()
    who.id_number = who.id_number[:-1] + ("0" if who.id_number[-1] != "0" else "1")
    with pytest.raises(DomainError, match="校验码") as refused:
        receive_letter(actor=cast.secretary, letter=incoming(cast.branch, who=who))
    assert refused.value.field == "id_number"
