"""A roster import cannot be undone once a member it added went away: the undo is refused by
name and nothing is removed (members.remove_members)."""

from __future__ import annotations

from typing import Any

import pytest

from dangjian.core.exceptions import DomainError
from dangjian.members.models import Member
from dangjian.mobile import services
from dangjian.mobile.models import MobileStay
from dangjian.mobile.tests.conftest import stay_data
from dangjian.rosters import services as rosters
from dangjian.rosters.testing import roster_row, xlsx
from dangjian.rosters.tests.test_import_roster import confirm, upload


def test_undo_is_refused_when_an_added_member_has_a_stay(cast: Any) -> None:
    batch = confirm(cast, upload(cast, xlsx([roster_row("陈建国")])))
    added = Member.objects.get(name="陈建国")
    services.register_stay(actor=cast.county_admin, member=added, data=stay_data())
    with pytest.raises(DomainError, match="流动党员外出登记"):
        rosters.undo_import(actor=cast.county_admin, batch=batch)
    assert Member.objects.filter(pk=added.pk).exists()
    assert MobileStay.objects.filter(member=added).count() == 1
