"""工作台: 待确认的花名册导入 — checked batches waiting for confirmation, where I import."""

import datetime as dt

from django.urls import reverse

from dangjian.accounts.scope import scope_for
from dangjian.rosters.models import ImportBatch
from dangjian.rosters.testing import roster_row, xlsx
from dangjian.rosters.tests.test_import_roster import confirm, upload
from dangjian.rosters.workbench import BatchesToConfirm

TODAY = dt.date(2026, 12, 6)


def items(user):
    return list(BatchesToConfirm().items_for(user, scope_for(user), TODAY))


def test_a_checked_batch_waits_for_confirmation_with_its_link(cast):
    batch = upload(cast, xlsx([roster_row("陈建国")]), org=cast.branch)
    assert batch.status == ImportBatch.Status.READY
    for user in (cast.county_admin, cast.township_admin, cast.secretary):
        [item] = items(user)
        assert item.url == reverse("rosters:batch", args=[batch.pk])
        assert item.subject == "东街社区党支部"


def test_a_confirmed_batch_is_no_longer_waiting(cast):
    confirm(cast, upload(cast, xlsx([roster_row("陈建国")]), org=cast.branch))
    assert items(cast.secretary) == []


def test_outsider_and_member_do_not_see_the_batch(cast):
    upload(cast, xlsx([roster_row("陈建国")]), org=cast.branch)
    for user in (cast.outsider, cast.member_user):
        assert items(user) == []
        assert BatchesToConfirm().count_for(user, scope_for(user), TODAY) == 0
