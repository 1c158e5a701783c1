"""工作台 items of transfers: to act on, letters expiring or expired (both sides), 回执 overdue;
each at its rule value's boundary."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from dangjian.accounts.scope import scope_for
from dangjian.core import workbench
from dangjian.transfers import services
from dangjian.transfers.models import TransferStatus

TODAY = timezone.localdate


def _keys(user, today):
    scope = scope_for(user)
    return {g.key: [i.key for i in g.items] for g in workbench.groups_for(user, scope, today)}


def _issued(tw, on, **to):
    to = to or {"to_org": tw.far_branch}
    t = services.start_transfer(actor=tw.secretary, member=tw.member, reason="工作调动", on=on,
                                **to)  # fmt: skip
    return services.issue_letter(actor=tw.approver, transfer=t, on=on)


def test_each_side_sees_the_step_it_must_take(tw):
    t = services.start_transfer(actor=tw.secretary, member=tw.member, to_org=tw.far_branch,
                                reason="工作调动")  # fmt: skip
    assert "transfers.to_act_on" in _keys(tw.approver, TODAY())
    assert "transfers.to_act_on" not in _keys(tw.far_secretary, TODAY())
    services.issue_letter(actor=tw.approver, transfer=t)
    assert "transfers.to_act_on" not in _keys(tw.approver, TODAY())
    assert "transfers.to_act_on" in _keys(tw.far_secretary, TODAY())


def test_an_expired_letter_raises_its_items_on_both_sides(tw):
    issued = TODAY() - dt.timedelta(days=120)
    t = _issued(tw, issued)
    services.expire_letters(t.valid_until + dt.timedelta(days=1))
    t.refresh_from_db()
    assert t.status == TransferStatus.EXPIRED
    for user in (tw.secretary, tw.far_secretary):
        items = _keys(user, TODAY())["transfers.letters_expiring"]
        assert items == [f"transfers.letters_expiring:{t.pk}:expired"]
    assert "transfers.letters_expiring" not in _keys(tw.sysadmin, TODAY())
    # a new transfer of the member clears the expired one's item
    services.start_transfer(actor=tw.secretary, member=tw.member, to_org=tw.far_branch,
                            reason="重新办理")  # fmt: skip
    assert "transfers.letters_expiring" not in _keys(tw.secretary, TODAY())


def test_a_letter_shows_as_expiring_from_the_warning_day(tw):
    t = _issued(tw, TODAY())
    warn = 7  # transfer.expiry_warning_days
    day_before = t.valid_until - dt.timedelta(days=warn + 1)
    assert "transfers.letters_expiring" not in _keys(tw.far_secretary, day_before)
    first = t.valid_until - dt.timedelta(days=warn)
    assert _keys(tw.far_secretary, first)["transfers.letters_expiring"] == [
        f"transfers.letters_expiring:{t.pk}:soon"
    ]
    assert "transfers.letters_expiring" in _keys(tw.secretary, first)


def test_a_receipt_is_overdue_the_day_after_its_days_are_over(tw):
    issued = TODAY() - dt.timedelta(days=40)
    t = _issued(tw, issued, to_org_text="中共某省某县某村支部")
    due = issued + dt.timedelta(days=30)  # transfer.receipt_overdue_days
    assert "transfers.receipt_overdue" not in _keys(tw.secretary, due)
    assert _keys(tw.secretary, due + dt.timedelta(days=1))["transfers.receipt_overdue"] == [
        f"transfers.receipt_overdue:{t.pk}"
    ]
    assert services.expire_letters(TODAY()) == 0  # a letter to another system waits for its 回执
