"""工作台: 换届 — organizations whose term ends within `reminder.term_days` (90) or has ended,
for the organization office and the branch's own committee."""

import datetime as dt

from django.urls import reverse

from dangjian.accounts.abilities import Ability
from dangjian.accounts.scope import scope_for
from dangjian.orgs.models import Organization
from dangjian.orgs.workbench import ABILITIES, TermEnding

END = dt.date(2026, 12, 31)


def items(user, today):
    return list(TermEnding().items_for(user, scope_for(user), today))


def ends(org, day=END):
    Organization.objects.filter(pk=org.pk).update(term_end=day)


def test_the_abilities_named_here_are_real_abilities():
    assert set(ABILITIES) == {Ability.MANAGE_ORGS, Ability.RUN_VOTES}


def test_secretary_sees_the_branch_term_ending_in_90_days(cast):
    ends(cast.branch)
    [item] = items(cast.secretary, END - dt.timedelta(days=90))
    assert (item.subject, item.due, item.overdue) == ("东街社区党支部", END, False)
    assert item.url == reverse("orgs:detail", args=[cast.branch.pk])


def test_a_term_ending_in_91_days_is_not_shown_yet(cast):
    ends(cast.branch)
    assert items(cast.secretary, END - dt.timedelta(days=91)) == []


def test_the_day_after_the_term_ends_it_is_overdue(cast):
    ends(cast.branch)
    assert not items(cast.county_admin, END)[0].overdue
    [item] = items(cast.county_admin, END + dt.timedelta(days=1))
    assert item.overdue and "应进行换届选举" in item.title


def test_outsider_and_member_do_not_see_it(cast):
    ends(cast.branch)
    assert items(cast.outsider, END) == []
    assert items(cast.member_user, END) == []


def test_dissolved_organizations_are_not_due(cast):
    ends(cast.other_branch)
    Organization.objects.filter(pk=cast.other_branch.pk).update(status="dissolved")
    assert items(cast.county_admin, END) == []
