"""个人自评: a member writes their own; the branch may record a paper one; nobody else reads it."""

from __future__ import annotations

import pytest

from dangjian.appraisal import services
from dangjian.appraisal.selectors import may_read_self_review
from dangjian.appraisal.tests.helpers import started
from dangjian.core.exceptions import DomainError


def test_member_writes_their_own_self_review(ap):
    entry = started(ap).entries.get(member=ap.member)
    services.write_self_review(actor=ap.member_user, entry=entry, self_review="对照党员标准……",
                               party_analysis="党性分析……")  # fmt: skip
    assert entry.self_review == "对照党员标准……" and entry.self_on_paper is False


def test_secretary_records_a_paper_self_review(ap):
    entry = started(ap).entries.get(member=ap.prob)
    services.write_self_review(actor=ap.secretary, entry=entry, self_review="纸质自评")
    assert entry.self_on_paper is True


def test_another_member_cannot_write_or_read_it(ap):
    entry = started(ap).entries.get(member=ap.member)
    other = ap.full[1].user
    with pytest.raises(DomainError):
        services.write_self_review(actor=other, entry=entry, self_review="x")
    assert not may_read_self_review(other, entry)


def test_only_the_member_and_the_branch_read_it(ap):
    entry = started(ap).entries.get(member=ap.member)
    assert may_read_self_review(ap.member_user, entry)
    assert may_read_self_review(ap.secretary, entry)
    assert not may_read_self_review(ap.approver, entry)  # the 党委 approves, it does not read
    assert not may_read_self_review(ap.outsider, entry)
