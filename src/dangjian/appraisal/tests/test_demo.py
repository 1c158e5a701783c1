"""The demo village has last year's 民主评议 finished: grades on the records, the sheet prints."""

from __future__ import annotations

import pytest

from dangjian.appraisal.models import Appraisal, AppraisalResult
from dangjian.demo.services import load_demo


@pytest.mark.django_db
def test_the_demo_village_has_last_years_appraisal_finished():
    load_demo(members=80, seed=2026)
    appraisal = Appraisal.objects.get()
    assert appraisal.status == Appraisal.Status.DONE
    grades = set(AppraisalResult.objects.values_list("grade", flat=True))
    assert "qualified" in grades and grades <= {"excellent", "qualified", "ungraded"}
