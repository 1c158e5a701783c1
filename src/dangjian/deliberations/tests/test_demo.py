"""The demo's finished matter goes through every step with the real services."""

from __future__ import annotations

from django.utils import timezone

from dangjian.deliberations.demo import seed_demo
from dangjian.deliberations.models import MatterStatus


def test_the_demo_matter_is_finished(village):
    m = seed_demo(village.secretary, village.branch, timezone.localdate())
    assert m is not None and m.status == MatterStatus.COMPLETED
    assert m.meeting.status == "held" and m.publications.count() == 2


def test_no_demo_matter_outside_a_village(cast):
    assert seed_demo(cast.secretary, cast.branch, timezone.localdate()) is None
