"""The 支部党员大会 within one month of the 预审 (`recruitment.vote_after_pre_review_months`, said
to be in the 2026 revision and unverified, so soft): a meeting on the month's corresponding day
goes through, one a day later asks for confirmation and the step is recorded late."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from dateutil.relativedelta import relativedelta

from dangjian.core.models import ProcedureStep
from dangjian.core.procedures import NeedsConfirmation
from dangjian.recruitment import services
from dangjian.recruitment.models import Applicant
from dangjian.recruitment.procedures import RECRUITMENT
from dangjian.recruitment.testing import file_at, full_members, general_meeting
from dangjian.votes.models import Poll

S = Applicant.Status
FORM_DAY = dt.date(2026, 3, 2)  # the 入党志愿书 filled in


def _put_to_vote(cast: Any, name: str, after_month: int, confirmed: bool) -> ProcedureStep:
    """A file of `name` put to a 支部党员大会 held `after_month` days after the month since its
    预审 ran out (0: on the corresponding day)."""
    a = file_at(S.FORM, cast.branch, on=FORM_DAY, secretary=cast.secretary, name=name)
    pre = ProcedureStep.objects.of(RECRUITMENT.name, a.pk).get(step="pre_review").effective_date
    day = pre + relativedelta(months=1) + dt.timedelta(days=after_month)
    meeting = general_meeting(cast.branch, day)
    d = {"meeting": meeting, "method": Poll.Method.TOTALS, "version": a.version, "note": ""}
    return services.STEPS["put_to_vote"](cast.secretary, a, d, confirmed)


@pytest.mark.django_db
def test_the_vote_on_the_months_last_day_is_on_time(cast: Any) -> None:
    full_members(cast.secretary, cast.branch, 3)
    taken = _put_to_vote(cast, "王小明", 0, confirmed=False)
    assert taken.due_date == taken.effective_date  # on time: the due day itself


@pytest.mark.django_db
def test_the_vote_a_day_later_asks_for_confirmation_and_is_recorded_late(cast: Any) -> None:
    full_members(cast.secretary, cast.branch, 3)
    with pytest.raises(NeedsConfirmation, match=r"预审后召开支部党员大会期限已于 .* 届满"):
        _put_to_vote(cast, "王小明", 1, confirmed=False)
    taken = _put_to_vote(cast, "李小华", 1, confirmed=True)
    assert taken.effective_date == taken.due_date + dt.timedelta(days=1)  # kept as late
