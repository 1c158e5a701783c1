from __future__ import annotations

import pytest

from dangjian.demo.services import load_demo
from dangjian.mobile.models import MobileStay


@pytest.mark.django_db
def test_demo_county_has_mobile_members_in_every_state() -> None:
    load_demo(members=60, seed=2026)
    stays = list(MobileStay.objects.all())
    assert len(stays) >= 3
    assert any(s.status == "open" and s.last_contact_on is None for s in stays)
    assert any(s.permit_number for s in stays)
