"""The demo county shows the stations and some help given (`make run`)."""

from __future__ import annotations

import pytest

from dangjian.demo.services import load_demo
from dangjian.stations.models import HelpRecord, Station


@pytest.mark.django_db
def test_demo_county_has_stations_and_help_records():
    load_demo(members=60, seed=2026)
    assert Station.objects.count() == 3
    assert HelpRecord.objects.filter(station__region="441900").count() == 3
    assert HelpRecord.objects.count() == 4
