"""Building 发展党员 files for the stage A–C tests: the cast's branch 东街社区党支部 with more
正式党员, one 预备党员, the 城关镇 党委's approver, and a walk of one file through the steps
(each step through its service in `services.STEPS`, as the step page calls it)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib.auth import get_user_model

from dangjian.accounts.models import Role
from dangjian.accounts.services import grant_role
from dangjian.conftest import PASSWORD
from dangjian.recruitment import services
from dangjian.recruitment.models import Applicant, Assessment
from dangjian.recruitment.procedures import OPINIONS
from dangjian.testing import make_id_number, make_member

ALL_OPINIONS = list(OPINIONS)


def add_people(cast: Any) -> Any:
    """The approver (基层党委 on 城关镇), three more 正式党员 and a 预备党员 in the branch."""
    cast.approver = get_user_model().objects.create_user(
        "dangwei", password=PASSWORD, first_name="城关镇党委"
    )
    grant_role(actor=None, user=cast.approver, role=Role.PARTY_COMMITTEE, org=cast.township,
               bootstrap=True)  # fmt: skip
    cast.full = [cast.member] + [
        make_member(cast.county_admin, cast.branch, name=n) for n in ("王一", "张二", "刘三")
    ]
    cast.prob = make_member(
        cast.county_admin, cast.branch, name="孙六", join=dt.date(2025, 6, 1), full=None
    )
    return cast


def apply(
    cast: Any,
    *,
    applied: dt.date = dt.date(2023, 1, 10),
    born: dt.date = dt.date(1990, 4, 5),
    league: bool = False,
    id_number: str | None = None,
    name: str = "周青",
    confirmed: bool = False,
) -> Applicant:
    data = services.ApplicantData(
        name=name, gender="F", ethnicity="01", birth_date=born,
        id_number=id_number or make_id_number(born, "F"), education="ba",
        person_category="worker", applied_on=applied, phone="13712345678", league_member=league,
    )  # fmt: skip
    return services.register_applicant(
        actor=cast.secretary, org=cast.branch, data=data, confirmed=confirmed
    )


def step(
    cast: Any, a: Applicant, name: str, on: dt.date, *, by: Any = None, confirmed: bool = False,
    **data: Any,
) -> Any:  # fmt: skip
    """Take `name` on `a` through its service, as the page does."""
    from dangjian.recruitment.procedures import COMMITTEE, RECRUITMENT

    if by is None:
        by = cast.approver if RECRUITMENT.step(name).who is COMMITTEE else cast.secretary
    cleaned = {"on": on, "version": a.version, "note": "", **data}
    service = services.STEPS.get(name) or services.plain(name)
    return service(by, a, cleaned, confirmed)


def to_activist(cast: Any, a: Applicant, on: dt.date, **kw: Any) -> Applicant:
    """谈话 a week after applying (or on `on` if that is sooner), then 确定为入党积极分子 on `on`,
    备案 and 培养联系人 the same day."""
    talk = min(a.applied_on + dt.timedelta(days=7), on)
    step(cast, a, "talk", talk)
    step(cast, a, "confirm_activist", on, recommendation=kw.pop("recommendation", "members"),
         **kw)  # fmt: skip
    step(cast, a, "file_activist", on)
    step(cast, a, "assign_contacts", on, contacts=[cast.full[1]])
    return a


def assess_every_half_year(a: Applicant, until: dt.date) -> None:
    """A 考察 every five months from the activist date (so the soft half-year rule is met)."""
    assert a.activist_on is not None
    when = a.activist_on
    while True:
        when = when + dt.timedelta(days=150)
        if when > until:
            return
        Assessment.objects.create(
            applicant=a, kind=Assessment.Kind.ACTIVIST, assessed_on=when, opinion="表现良好"
        )


def to_candidate(cast: Any, a: Applicant, activist: dt.date, candidate: dt.date) -> Applicant:
    to_activist(cast, a, activist)
    assess_every_half_year(a, candidate)
    step(cast, a, "confirm_candidate", candidate, opinions_heard=ALL_OPINIONS)
    step(cast, a, "file_candidate", candidate)
    return a
