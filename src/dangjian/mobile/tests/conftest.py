"""The mobile tests' extras on top of the shared cast: 李明 (东街社区党支部, 清河县) goes to work in
远山县 and takes part in 远山村党支部; the 河口村 secretary (same county, neither side) sees
nothing of it."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.contrib.auth import get_user_model

from dangjian.accounts.models import Role
from dangjian.accounts.services import grant_role
from dangjian.conftest import Cast
from dangjian.core.dates import today
from dangjian.mobile import services
from dangjian.mobile.models import MobileStay


def stay_data(**overrides: Any) -> services.StayData:
    values: dict[str, Any] = {
        "region_code": "440300",
        "address": "广东省深圳市南山区科技园",
        "reason": "work",
        "expected_months": 12,
        "start_on": today() - dt.timedelta(days=10),
        "phone": "13900001111",
    }
    values.update(overrides)
    return services.StayData(**values)


def register(cast: Cast, **overrides: Any) -> MobileStay:
    overrides.setdefault("destination_org", cast.far_branch)
    return services.register_stay(
        actor=cast.secretary, member=cast.member, data=stay_data(**overrides)
    )


@pytest.fixture
def stay(cast: Cast) -> MobileStay:
    return register(cast)


@pytest.fixture
def neither(cast: Cast) -> Any:
    """The secretary of 河口村党支部: in the same county, on neither side of 李明's stay."""
    user = get_user_model().objects.create_user("hekou", password="x", first_name="河口书记")
    grant_role(
        actor=None, user=user, role=Role.BRANCH_SECRETARY, org=cast.other_branch, bootstrap=True
    )
    return user
