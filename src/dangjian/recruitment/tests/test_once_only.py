"""Once-only steps (入党宣誓, 备案, 转正申请 …): taken once per case, refused the second time with
the date it was taken, and no longer offered on the file page or in the API."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from dangjian.core.procedures import StepRefused
from dangjian.recruitment import services
from dangjian.recruitment.models import Applicant
from dangjian.recruitment.testing import approver_for, file_at, probationary

ADMIT_DAY = dt.date(2023, 7, 10)
OATH_DAY = dt.date(2023, 7, 27)


@pytest.fixture
def file(cast):
    return probationary(cast.branch, admitted_on=ADMIT_DAY, secretary=cast.secretary,
                        approver=approver_for(cast.branch), name="钱小青", gender="F")  # fmt: skip


def test_the_oath_is_taken_once_and_then_no_longer_offered(cast, file):
    services.take(cast.secretary, file, "oath", on=OATH_DAY)
    with pytest.raises(StepRefused, match="入党宣誓已于 2023-07-27 办理"):
        services.take(cast.secretary, file, "oath", on=OATH_DAY + dt.timedelta(days=1))
    client = cast.client(cast.secretary)
    page = client.get(reverse("recruitment:detail", args=[file.pk])).content.decode()
    assert "step-oath" not in page and "step-apply_full" in page
    api = client.get(reverse("recruitment-applicant-detail", args=[file.pk])).json()
    assert "oath" not in {a["step"] for a in api["actions"]}


def test_filing_upward_is_once_per_case(cast):
    committee = approver_for(cast.branch)
    a = file_at(Applicant.Status.PROBATIONARY, cast.branch, on=ADMIT_DAY, upto="approve",
                secretary=cast.secretary, approver=committee, name="孙小白")  # fmt: skip
    services.take(committee, a, "file_upper", on=OATH_DAY)
    with pytest.raises(StepRefused, match="报再上一级党委组织部门备案已于 2023-07-27 办理"):
        services.take(committee, a, "file_upper", on=OATH_DAY)


def test_a_form_rule_is_judged_when_the_step_is_taken_without_its_fields(cast):
    """The page previews a step without form data; taking it without the fields is refused,
    not waved through as a preview."""
    from dangjian.recruitment.testing import file_at as make

    a = make(Applicant.Status.ACTIVIST, cast.branch, on=dt.date(2025, 3, 3),
             upto="confirm_activist", secretary=cast.secretary, name="李小新")  # fmt: skip
    with pytest.raises(StepRefused, match="培养联系人须为1至2名正式党员"):
        services.take(cast.secretary, a, "assign_contacts", on=dt.date(2025, 3, 10))


def test_the_register_page_leaves_the_end_of_probation_to_the_file(cast, file):
    """A recruited 预备党员's 转正 is the file's (vote, approval); the register's own 党籍变动
    refuses it with the way to go, and still takes it for a 预备党员 without a file."""
    from dangjian.core.exceptions import DomainError
    from dangjian.members.models import MemberEvent
    from dangjian.members.services import record_event

    end = file.member.probation_end
    with pytest.raises(DomainError, match="须在其发展党员档案中办理"):
        record_event(actor=cast.secretary, member=file.member, kind=MemberEvent.Kind.CONVERT,
                     effective_date=end, decided_on=end)  # fmt: skip
    assert not file.member.events.filter(kind=MemberEvent.Kind.CONVERT).exists()
