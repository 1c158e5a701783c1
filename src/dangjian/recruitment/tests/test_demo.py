"""The demo village has 发展党员 files in four states, made through the step services; the
demo's --force clears them with the rest."""

from __future__ import annotations

import pytest

from dangjian.demo.services import clear_demo_data, load_demo
from dangjian.members.choices import MemberCategory
from dangjian.recruitment.models import Applicant

S = Applicant.Status


@pytest.mark.django_db
def test_the_demo_village_has_files_at_four_stages_and_force_clears_them():
    load_demo(members=80, seed=2026)
    files = {a.name: a for a in Applicant.objects.all()}
    assert {name: a.status for name, a in files.items()} == {
        "刘晓雨": S.APPLIED,
        "孙浩然": S.ACTIVIST,
        "周梦琪": S.PUBLICITY,
        "吴建国": S.PROBATIONARY,
    }
    activist = files["孙浩然"]
    assert activist.contacts.count() == 2
    assert activist.reports.count() == 2 and activist.assessments.count() == 1
    probationary = files["吴建国"]
    member = probationary.member
    assert member is not None and member.category == MemberCategory.PROBATIONARY
    assert member.join_date == probationary.resolution_on

    clear_demo_data()
    assert not Applicant.objects.exists()
