"""The file page and the step page name the file's state in words (the status is the engine's
copy, stored without choices)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from dangjian.recruitment.models import Applicant
from dangjian.recruitment.testing import file_at

S = Applicant.Status


@pytest.mark.django_db
def test_the_file_and_step_pages_name_the_state(cast):
    a = file_at(S.APPLIED, cast.branch, on=dt.date(2026, 3, 2), secretary=cast.secretary)
    assert a.get_status_display() == "入党申请人（待谈话）"
    client = cast.client(cast.secretary)
    page = client.get(reverse("recruitment:detail", args=[a.pk])).content.decode()
    assert '<span class="badge" id="status">入党申请人（待谈话）</span>' in page
    step = client.get(reverse("recruitment:step", args=[a.pk, "talk"])).content.decode()
    assert "（入党申请人（待谈话））" in step


def test_an_unknown_or_empty_status_has_no_name():
    assert Applicant(status="").get_status_display() == ""
