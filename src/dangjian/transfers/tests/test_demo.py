"""The demo county shows transfers in every state a user meets first."""

from __future__ import annotations

import pytest

from dangjian.demo.services import load_demo
from dangjian.transfers.models import Transfer


@pytest.mark.django_db
def test_the_demo_county_has_transfers_in_each_state():
    load_demo(members=80, seed=2026)
    statuses = set(Transfer.objects.values_list("status", flat=True))
    assert statuses == {"pending", "issued", "arrived", "returned"}
    assert Transfer.objects.filter(to_org__isnull=True, status="issued").count() == 1
