"""A mobile member keeps the vote at home and has none at the destination (活动证 rules)."""

from __future__ import annotations

from dangjian.conftest import Cast
from dangjian.core.dates import today
from dangjian.mobile.models import MobileStay
from dangjian.votes.selectors import electorate


def test_stay_changes_no_electorate(cast: Cast, stay: MobileStay) -> None:
    assert cast.member in electorate(cast.branch, today())
    assert cast.member not in electorate(cast.far_branch, today())
    assert cast.member not in electorate(cast.far_county, today())
