"""Fixtures shared by the votes tests."""

import pytest

from dangjian.testing import make_voter

NAMES = ("王一", "张二", "刘三", "陈四")


@pytest.fixture
def voters(cast):
    """Four more full members of the branch, each with a login (plus 李明: five voters)."""
    return [
        make_voter(cast.county_admin, cast.branch, name=name, username=f"voter{i}")
        for i, name in enumerate(NAMES)
    ]
