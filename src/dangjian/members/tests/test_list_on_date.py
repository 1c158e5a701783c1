"""党员名册 as of a date: the members of the chosen organization (or of the user's scope) on
that day, from their spells (roster_on)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.urls import reverse

from dangjian.members.services import record_event


def _names(cast: Any, user: Any, **params: Any) -> str:
    return cast.client(user).get(reverse("members:list"), params).content.decode()


def test_list_on_a_date_shows_who_was_a_member_that_day(cast: Any) -> None:
    # 王芳 joined on 2015-06-01, 李明 in 2010.
    day_before = _names(cast, cast.county_admin, on="2015-05-31")
    assert "李明" in day_before and "王芳" not in day_before
    that_day = _names(cast, cast.county_admin, on="2015-06-01")
    assert "李明" in that_day and "王芳" in that_day


def test_list_on_a_date_within_an_organization(cast: Any) -> None:
    body = _names(cast, cast.county_admin, on="2020-01-01", org=cast.township.pk)
    assert "李明" in body and "王芳" not in body


def test_member_transferred_out_is_on_the_list_of_the_day_before(cast: Any) -> None:
    record_event(
        actor=cast.county_admin,
        member=cast.member,
        kind="out",
        effective_date=dt.date(2020, 1, 1),
        counterpart="外省某党委",
    )
    assert "李明" in _names(cast, cast.county_admin, on="2019-12-31", status="")
    assert "李明" not in _names(cast, cast.county_admin, on="2020-01-01", status="")


def test_future_date_is_refused_with_a_message(cast: Any) -> None:
    body = _names(cast, cast.county_admin, on="2999-01-01")
    assert "某日名册不能晚于" in body and "李明" not in body


def test_outsider_sees_nobody_of_another_county_on_any_date(cast: Any) -> None:
    body = _names(cast, cast.outsider, on="2020-01-01")
    assert "李明" not in body and "王芳" not in body and "赵强" in body
