"""The transfers cast: the shared cast plus the 城关镇 党委's approver (基层党委（审批）) and
the secretary of 远山村党支部 in the other county, who receives members."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.contrib.auth import get_user_model

from dangjian.accounts.models import Role
from dangjian.accounts.services import grant_role
from dangjian.conftest import PASSWORD


@pytest.fixture
def tw(cast: Any) -> Any:
    users = get_user_model().objects
    cast.approver = users.create_user("dangwei", password=PASSWORD, first_name="城关镇党委")
    cast.far_secretary = users.create_user("farsec", password=PASSWORD, first_name="远山书记")
    grant_role(actor=None, user=cast.approver, role=Role.PARTY_COMMITTEE, org=cast.township,
               bootstrap=True)  # fmt: skip
    grant_role(actor=None, user=cast.far_secretary, role=Role.BRANCH_SECRETARY,
               org=cast.far_branch, bootstrap=True)  # fmt: skip
    return cast


TODAY = dt.date(2026, 12, 6)
