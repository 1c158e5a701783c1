"""get_for: the one way to fetch an object by id for an ability (404 unseen, 403 without it)."""

import pytest
from django.core.exceptions import PermissionDenied
from django.http import Http404

from dangjian.accounts.abilities import Ability
from dangjian.accounts.scope import get_for, get_org_for_user, scope_for
from dangjian.members.models import Member
from dangjian.members.selectors import get_member_for_user
from dangjian.orgs.models import Organization


def test_an_object_outside_what_the_user_sees_is_not_found(cast):
    with pytest.raises(Http404):
        get_member_for_user(cast.outsider, cast.member.pk)
    with pytest.raises(Http404):
        get_org_for_user(cast.secretary, cast.township.pk, Ability.VIEW_MEMBERS)


def test_a_seen_object_without_the_ability_is_forbidden(cast):
    assert get_org_for_user(cast.secretary, cast.branch.pk) == cast.branch
    with pytest.raises(PermissionDenied, match="审批组织关系转接"):
        get_org_for_user(cast.secretary, cast.branch.pk, Ability.APPROVE_TRANSFERS)
    assert get_member_for_user(cast.member_user, cast.member.pk) == cast.member
    with pytest.raises(PermissionDenied):
        get_member_for_user(cast.member_user, cast.member.pk, Ability.EDIT_MEMBERS)


def test_the_ability_is_judged_on_the_objects_own_organization(cast):
    found = get_for(cast.township_admin, Ability.EDIT_MEMBERS,
                    Member.objects.visible_to(cast.township_admin), cast.member.pk,
                    path_of="org__path")  # fmt: skip
    assert found == cast.member
    visible = Organization.objects.visible_to(scope_for(cast.county_admin))
    with pytest.raises(PermissionDenied):
        get_for(cast.county_admin, Ability.APPROVE_TRANSFERS, visible, cast.branch.pk)


def test_an_id_that_is_not_a_number_is_not_found(cast):
    with pytest.raises(Http404):
        get_member_for_user(cast.county_admin, "abc")
