"""The province generator: cities of counties, members in tree order, statistics consistent."""

from __future__ import annotations

import datetime as dt
import random
from typing import Any

import pytest
from django.core.management import CommandError, call_command

from dangjian.demo.generator import walk
from dangjian.demo.scale import load_scale, plan_province
from dangjian.members.models import Member
from dangjian.orgs.models import Organization
from dangjian.stats.checks import differences

TODAY = dt.date(2026, 11, 1)


def test_province_plan_has_cities_of_counties() -> None:
    root = plan_province(400_000, random.Random(1))
    counties = [county for city in root.children for county in city.children]
    assert root.name == "中共示例省委员会" and len(counties) == 14 and len(root.children) == 1
    assert len({c.name for c in counties}) == 14
    # Units are per county (each county plan starts from the same names).
    agencies = [{row.unit for row in walk(c) if row.unit} for c in counties[:2]]
    assert agencies[0] and not agencies[0] & agencies[1]


def test_small_province_loads_and_its_statistics_agree_with_the_events(db: Any) -> None:
    data = load_scale(3000, today=TODAY, batch_size=1000)
    root = Organization.objects.get(pk=data.root_id)
    assert data.members == 3000 == Member.objects.under(root).count()
    city = Organization.objects.get_children(root).first()
    assert differences(root, TODAY) == [] and differences(city, dt.date(2020, 12, 31)) == []


def test_sqlite_refuses_province_size_without_force(db: Any, monkeypatch: Any) -> None:
    from django.db import connection

    monkeypatch.setattr(connection, "vendor", "sqlite")  # the same refusal on either run
    with pytest.raises(CommandError, match="PostgreSQL"):
        call_command("seed_scale", "--members", "5000000")
