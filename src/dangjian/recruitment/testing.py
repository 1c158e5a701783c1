"""Helpers for tests (and the demo): a 发展党员 file taken to a given state through the engine.

`file_at(state, org, on=…, secretary=…)` registers an applicant and takes every earlier step
through its step service (`services.STEPS`, with what the step's form would have parsed), so
every rule, period and version is checked as in real use and nothing writes the status by
hand: the last step on `on`, the others before it at fixed gaps (a week to the 谈话 and to the
入党积极分子, thirteen months of 培养考察, a day between most later steps, the 公示 its
working days).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from dateutil.relativedelta import relativedelta
from django.contrib.auth import get_user_model

from dangjian.accounts.models import Role
from dangjian.accounts.services import grant_role
from dangjian.core.models import rule_value
from dangjian.core.workdays import add_working_days
from dangjian.meetings.models import Attendance, Meeting, MeetingKind
from dangjian.members.choices import MemberCategory, MemberStatus
from dangjian.members.models import Member
from dangjian.orgs.models import Organization
from dangjian.orgs.selectors import approving_committee
from dangjian.recruitment import services
from dangjian.recruitment.models import Applicant
from dangjian.recruitment.procedures import OPINIONS, PUBLICITY_DAYS
from dangjian.testing import make_id_number, make_member
from dangjian.votes import services as votes
from dangjian.votes.models import Poll
from dangjian.votes.selectors import electorate

S = Applicant.Status


@dataclass(frozen=True)
class Gap:
    """How long before this step the previous one was taken."""

    days: int = 0
    months: int = 0


# The steps in order with the gap before each, and the state each leaves the file in.
PLAN: tuple[tuple[str, Gap, str], ...] = (
    ("apply", Gap(), S.APPLIED),
    ("talk", Gap(days=7), S.TALKED),
    ("confirm_activist", Gap(days=7), ""),
    ("file_activist", Gap(days=1), ""),
    ("assign_contacts", Gap(), S.ACTIVIST),
    ("confirm_candidate", Gap(months=13), ""),
    ("file_candidate", Gap(days=1), ""),
    ("set_introducers", Gap(), ""),
    ("political_review", Gap(), ""),
    ("training", Gap(days=1), S.CANDIDATE),  # a 发展对象 ready for the 支部委员会审查
    ("committee_review", Gap(days=1), S.REVIEWED),
    ("pre_review", Gap(days=1), S.PRE_APPROVED),
    ("publish", Gap(days=1), S.PUBLICITY),
    ("end_publicity", Gap(), S.PUBLICIZED),  # the 公示's working days: see `_dates`
    ("fill_form", Gap(), S.FORM),
    ("put_to_vote", Gap(days=1), S.VOTING),
    ("admit", Gap(), ""),
    ("committee_talk", Gap(days=7), S.VOTED),
    ("approve", Gap(), S.PROBATIONARY),
)
NAMES = [name for name, _, _ in PLAN]
LAST_STEP = {state: name for name, _, state in PLAN if state}


def approver_for(org: Organization) -> Any:
    """A 党委 user (role 党委, 审批发展党员) on the committee approving `org`'s recruits."""
    committee = approving_committee(org)
    user, made = get_user_model().objects.get_or_create(
        username=f"dangwei{committee.pk}", defaults={"first_name": f"{committee.name}审批人"}
    )
    if made:
        grant_role(actor=None, user=user, role=Role.PARTY_COMMITTEE, org=committee,
                   bootstrap=True)  # fmt: skip
    return user


def full_members(secretary: Any, org: Organization, count: int) -> list[Member]:
    """`count` 正式党员 of `org` (those on record first, new ones made up to the count)."""
    found = list(
        Member.objects.filter(
            org=org, category=MemberCategory.FULL, status=MemberStatus.ACTIVE
        ).order_by("pk")[:count]
    )
    for i in range(len(found), count):
        found.append(make_member(secretary, org, name=f"周立{'甲乙丙丁戊'[i % 5]}"))
    return found


def _dates(last: int, on: dt.date) -> list[dt.date]:
    """The date of each step up to PLAN[last], the last on `on`, counted backwards."""
    dates = [on]
    for i in range(last, 0, -1):
        name, gap = PLAN[i][0], PLAN[i][1]
        later = dates[0]
        if name == "end_publicity":
            days = int(rule_value(PUBLICITY_DAYS, later))
            start = later - dt.timedelta(days=1)
            while add_working_days(start, days) >= later:  # the period over before `later`
                start -= dt.timedelta(days=1)
            dates.insert(0, start)
        else:
            dates.insert(0, later - relativedelta(months=gap.months, days=gap.days))
    return dates


def general_meeting(
    org: Organization, on: dt.date, *, present: list[Member] | None = None
) -> Meeting:
    """A held 支部党员大会 of `org` on `on`; `present` (default: every voter) came."""
    meeting = Meeting.objects.create(
        org=org, org_path=org.path, kind=MeetingKind.GENERAL, title=f"{on:%Y年%m月}支部党员大会",
        date=on, status=Meeting.Status.HELD,
    )  # fmt: skip
    came = list(electorate(org, on)) if present is None else present
    for member in came:
        Attendance.objects.create(meeting=meeting, member=member, status=Attendance.Status.PRESENT,
                                  expected=True)  # fmt: skip
    return meeting


def enter_totals(actor: Any, poll: Poll, yes: int, no: int = 0) -> None:
    """The tellers' totals of a paper vote (汇总录入), every ballot handed in valid."""
    totals = {"invalid": 0, "counts": {"vote": {"yes": yes, "no": no}}}
    votes.record_paper_counts(
        actor=actor, poll=poll, issued=yes + no, returned=yes + no, totals=totals
    )


def file_at(
    state: str,
    org: Organization,
    *,
    on: dt.date,
    secretary: Any,
    approver: Any = None,
    name: str = "王小明",
    gender: str = "M",
    birth: dt.date = dt.date(1998, 4, 2),
    training_end: dt.date | None = None,
    upto: str | None = None,
) -> Applicant:
    """A file of `org` brought to `state` (or through step `upto`) on `on`, every step through
    the engine: the branch's by `secretary`, the committee's by `approver` (made if None)."""
    last = NAMES.index(upto) if upto else NAMES.index(LAST_STEP[state])
    dates = _dates(last, on)
    approver = approver or approver_for(org)
    people = full_members(secretary, org, 2)
    number = make_id_number(birth, gender)
    applicant = services.register_applicant(
        actor=secretary, org=org, confirmed=True,
        data=services.ApplicantData(
            name=name, gender=gender, ethnicity="01", birth_date=birth, id_number=number,
            education="ba", person_category="prof", applied_on=dates[0],
            work_unit_post="县人民医院护士",
        ),
    )  # fmt: skip
    for i in range(1, last + 1):
        _take(NAMES[i], applicant, dates[i], secretary, approver, people, training_end)
    applicant.refresh_from_db()
    return applicant


def _take(
    step: str,
    applicant: Applicant,
    on: dt.date,
    secretary: Any,
    approver: Any,
    people: list[Member],
    training_end: dt.date | None,
) -> None:
    committee = step in ("file_activist", "file_candidate", "pre_review", "committee_talk",
                         "approve")  # fmt: skip
    actor = approver if committee else secretary
    applicant.refresh_from_db()
    if step == "put_to_vote":
        meeting = general_meeting(applicant.org, on)
        services.put_to_vote(actor, applicant, {"meeting": meeting, "method": Poll.Method.TOTALS,
                                                "version": applicant.version}, True)  # fmt: skip
        assert applicant.poll is not None
        enter_totals(secretary, applicant.poll, applicant.poll.voters.count())
        services.count_vote(actor=secretary, applicant=applicant)
        return
    d = {
        "on": on,
        "version": applicant.version,
        "note": "",
        **_form(step, on, people, training_end),
    }
    services.STEPS[step](actor, applicant, d, True)


def _form(step: str, on: dt.date, people: list[Member], training_end: dt.date | None) -> Any:
    """What the step's form would have parsed (推荐方式, 联系人, 意见, 介绍人, 政审, 培训)."""
    forms: dict[str, dict[str, Any]] = {
        "confirm_activist": {"recommendation": "members"},
        "assign_contacts": {"contacts": people},
        "confirm_candidate": {"opinions_heard": list(OPINIONS)},
        "set_introducers": {"introducers": people},
        "political_review": {"conclusion": "passed"},
        "training": {
            "organizer": "县委党校", "start": on - dt.timedelta(days=2),
            "end": training_end or on, "days": 3, "hours": 24,
        },
    }  # fmt: skip
    return forms.get(step, {})


# --- stage E: 预备党员的教育考察和转正 -----------------------------------------------------------


def probationary(
    org: Organization, *, admitted_on: dt.date, secretary: Any, approver: Any = None, **kw: Any
) -> Applicant:
    """A 预备党员's file whose 支部党员大会 resolution (the member's 入党日期, from which the
    预备期 runs) is `admitted_on`; the 党委 approved a week later."""
    return file_at(S.PROBATIONARY, org, on=admitted_on + dt.timedelta(days=7),
                   secretary=secretary, approver=approver, **kw)  # fmt: skip


def conversion_vote(
    applicant: Applicant, proposal: str, on: dt.date, *, secretary: Any,
    months: int | None = None, yes: int | None = None, confirmed: bool = False,
) -> Poll:  # fmt: skip
    """The 转正 discussion in a 支部党员大会 on `on` that every voter attended, and its count:
    `yes` in favour (every voter by default), the others against."""
    meeting = general_meeting(applicant.org, on)
    poll = services.put_conversion_to_vote(
        actor=secretary, applicant=applicant, proposal=proposal, meeting=meeting, months=months,
        method=Poll.Method.TOTALS, confirmed=confirmed,
    )  # fmt: skip
    present = poll.voters.count()
    yes = present if yes is None else yes
    enter_totals(secretary, poll, yes, present - yes)
    return services.count_vote(actor=secretary, applicant=applicant)
