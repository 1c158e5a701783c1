"""Files for the work-list tests: registered through the real service, later states reached
through `services.take` where the step needs nothing else, or recorded as the engine records
steps (`record_steps`) where the step needs a meeting, a poll or another part's service."""

from __future__ import annotations

import datetime as dt
from typing import Any

from dateutil.relativedelta import relativedelta

from dangjian.accounts.models import Role
from dangjian.accounts.services import grant_role
from dangjian.core.dates import today
from dangjian.core.models import ProcedureStep
from dangjian.core.procedures import STAY
from dangjian.recruitment import deadlines
from dangjian.recruitment.models import Applicant
from dangjian.recruitment.procedures import RECRUITMENT
from dangjian.recruitment.services import ApplicantData, register_applicant
from dangjian.testing import make_id_number


def months_ago(n: int, days: int = 0) -> dt.date:
    return today() - relativedelta(months=n) - dt.timedelta(days=days)


def apply(
    cast: Any, *, org: Any = None, name: str = "刘洋", on: dt.date | None = None
) -> Applicant:
    born = dt.date(1998, 4, 2)
    data = ApplicantData(
        name=name, gender="F", ethnicity="01", birth_date=born,
        id_number=make_id_number(born, "F"), education="ba", person_category="worker",
        applied_on=on or today(),
    )  # fmt: skip
    return register_applicant(actor=cast.secretary if org is None else cast.county_admin,
                              org=org or cast.branch, data=data)  # fmt: skip


def record_steps(applicant: Applicant, *steps: tuple[str, dt.date]) -> Applicant:
    """Append steps as the engine writes them (state, date), without their rules, and copy the
    state and the next thing due onto the file: a stand-in for step services of other parts."""
    state = applicant.status
    for name, on in steps:
        step = RECRUITMENT.step(name)
        target = state if step.target == STAY else step.target
        ProcedureStep.objects.create(
            procedure=RECRUITMENT.name, target_id=applicant.pk, step=name, from_state=state,
            to_state=target, effective_date=on,
        )  # fmt: skip
        state = target
    Applicant.objects.filter(pk=applicant.pk).update(status=state)
    applicant.refresh_from_db()
    deadlines.refresh(applicant)
    return applicant


def activist(cast: Any, since: dt.date, **kw: Any) -> Applicant:
    """An 入党积极分子 since `since` (applied and talked to a month before)."""
    a = apply(cast, on=since - relativedelta(months=1), **kw)
    a = record_steps(a, ("talk", since), ("confirm_activist", since))
    Applicant.objects.filter(pk=a.pk).update(activist_on=since)
    a.refresh_from_db()
    deadlines.refresh(a)
    return a


def party_committee(cast: Any, org: Any = None, username: str = "dangwei") -> Any:
    """A 基层党委 user (审批发展党员) on 城关镇, above the cast's branch."""
    from django.contrib.auth import get_user_model

    user = get_user_model().objects.create_user(username, password="x", first_name="城关镇党委")
    grant_role(actor=None, user=user, role=Role.PARTY_COMMITTEE, org=org or cast.township,
               bootstrap=True)  # fmt: skip
    return user
