"""The register speaks, the stays follow: a member who leaves the Party is no longer counted
as away, and a moved subtree takes its stays along (mobile.watch)."""

from __future__ import annotations

import datetime as dt

from dangjian.conftest import Cast
from dangjian.core.dates import today
from dangjian.members import services as members
from dangjian.members.models import MemberEvent
from dangjian.mobile.models import MobileStay
from dangjian.mobile.selectors import open_stays_under
from dangjian.mobile.tests.conftest import register
from dangjian.orgs.models import Organization
from dangjian.orgs.services import move_organization


def test_death_ends_the_open_stay_on_the_day_of_the_event(cast: Cast) -> None:
    stay = register(cast)
    died = today() - dt.timedelta(days=2)
    members.record_event(
        actor=cast.secretary, member=cast.member, kind=MemberEvent.Kind.DEATH, effective_date=died
    )
    stay.refresh_from_db()
    assert (stay.status, stay.end_on) == (MobileStay.Status.ENDED, died)
    assert not open_stays_under(cast.county).exists()


def test_a_moved_subtree_takes_its_stays_along(cast: Cast) -> None:
    stay = register(cast)
    township = Organization.objects.get_parent(cast.other_branch)
    move_organization(actor=cast.county_admin, org=cast.branch, new_parent=township)
    cast.branch.refresh_from_db()
    stay.refresh_from_db()
    assert stay.home_path == cast.branch.path
    assert list(open_stays_under(township)) == [stay]
