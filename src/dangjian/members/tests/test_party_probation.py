"""留党察看: recorded and read only by those who may see sensitive data, every read logged,
and it takes away the vote for its period."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.urls import reverse

from dangjian.audit.models import AuditEvent
from dangjian.core.exceptions import DomainError
from dangjian.members.models import PartyProbation
from dangjian.members.services import end_party_probation, record_party_probation
from dangjian.votes.selectors import electorate

pytestmark = pytest.mark.django_db
START = dt.date(2026, 3, 1)


def record(cast: Any, actor: Any = None, **values: Any) -> PartyProbation:
    values = {"start_date": START, "document_no": "清纪〔2026〕3号", **values}
    return record_party_probation(actor=actor or cast.county_admin, member=cast.member, **values)


def test_a_member_under_party_probation_has_no_vote_for_its_period(cast: Any) -> None:
    probation = record(cast)
    assert cast.member not in electorate(cast.branch, START)
    assert cast.member in electorate(cast.branch, START - dt.timedelta(days=1))
    end_party_probation(actor=cast.county_admin, probation=probation, end_date=dt.date(2027, 3, 1))
    assert cast.member in electorate(cast.branch, dt.date(2027, 3, 1))


def test_only_who_may_see_sensitive_data_records_it(cast: Any) -> None:
    for user in (cast.township_admin, cast.secretary, cast.member_user, cast.outsider):
        with pytest.raises(DomainError, match="处分信息的权限"):
            record(cast, actor=user)
    assert not PartyProbation.objects.exists()


def test_overlapping_periods_and_a_missing_document_are_refused(cast: Any) -> None:
    record(cast)
    with pytest.raises(DomainError, match="重叠"):
        record(cast, start_date=dt.date(2026, 9, 1))
    with pytest.raises(DomainError, match="文号"):
        record(cast, start_date=dt.date(2020, 1, 1), end_date=dt.date(2021, 1, 1), document_no=" ")


def test_the_member_page_shows_the_periods_on_request_and_logs_the_view(cast: Any) -> None:
    record(cast)
    client = cast.client(cast.county_admin)
    page = client.get(reverse("members:detail", args=[cast.member.pk])).content.decode()
    assert "查看留党察看记录" in page and "清纪" not in page
    shown = client.post(reverse("members:probations", args=[cast.member.pk]))
    assert "清纪〔2026〕3号" in shown.content.decode()
    assert AuditEvent.objects.filter(
        action="members.party_probations", detail__fields=["party_probation"]
    ).exists()


def test_recording_through_the_page(cast: Any) -> None:
    client = cast.client(cast.county_admin)
    url = reverse("members:probation-add", args=[cast.member.pk])
    client.post(url, {"start_date": "2026-03-01", "document_no": "清纪〔2026〕3号"})
    probation = PartyProbation.objects.get(member=cast.member)
    end = reverse("members:probation-end", args=[cast.member.pk, probation.pk])
    page = client.post(end, {"end_date": "2026-01-01"}, follow=True).content.decode()
    assert "须晚于起始日期" in page
    client.post(end, {"end_date": "2027-03-01"})
    probation.refresh_from_db()
    assert probation.end_date == dt.date(2027, 3, 1)


def test_a_township_admin_without_sensitive_rights_is_refused(cast: Any) -> None:
    record(cast)
    client = cast.client(cast.township_admin)
    assert (
        "查看留党察看记录"
        not in client.get(reverse("members:detail", args=[cast.member.pk])).content.decode()
    )
    assert client.post(reverse("members:probations", args=[cast.member.pk])).status_code == 403


def test_ending_a_period_outside_ones_rights_changes_nothing(cast: Any) -> None:
    probation = record(cast)
    url = reverse("members:probation-end", args=[cast.member.pk, probation.pk])
    assert cast.client(cast.outsider).post(url, {"end_date": "2027-03-01"}).status_code == 404
    cast.client(cast.secretary).post(url, {"end_date": "2027-03-01"})  # no sensitive rights
    probation.refresh_from_db()
    assert probation.end_date is None
