"""Helpers for tests: synthetic ID numbers and members built through the real services."""

from __future__ import annotations

import datetime as dt
import itertools
from typing import Any

from stdnum.cn import ric

from dangjian.members import services
from dangjian.members.models import Member
from dangjian.orgs.models import Organization

_sequence = itertools.count(1)


def make_id_number(birth: dt.date, gender: str = "M", area: str = "110105") -> str:
    """A valid 18-digit number: area + birth date + sequence (odd for men) + check digit."""
    seq = next(_sequence) % 500
    third = seq * 2 + (1 if gender == "M" else 0)
    body = f"{area}{birth:%Y%m%d}{third:03d}"[:17]
    return body + ric.calc_check_digit(body + "0")


def make_member(
    actor: Any,
    org: Organization,
    *,
    name: str = "张三",
    gender: str = "M",
    birth: dt.date = dt.date(1985, 3, 14),
    join: dt.date = dt.date(2010, 7, 1),
    full: dt.date | None = dt.date(2011, 7, 1),
    transferred_in_on: dt.date | None = None,
    **fields: Any,
) -> Member:
    data = services.MemberData(
        name=name,
        gender=gender,
        ethnicity=fields.pop("ethnicity", "01"),
        birth_date=birth,
        id_number=fields.pop("id_number", None) or make_id_number(birth, gender),
        education=fields.pop("education", "ba"),
        person_category=fields.pop("person_category", "prof"),
        phone=fields.pop("phone", "13812345678"),
        **fields,
    )
    admission = services.Admission(
        org=org, join_date=join, full_date=full, transferred_in_on=transferred_in_on
    )
    return services.register_member(actor=actor, data=data, admission=admission)


def make_voter(
    actor: Any, org: Organization, *, name: str, username: str, password: str = "x", **fields: Any
) -> Member:
    """A member (full by default) with a login of their own, as a voter needs."""
    from django.contrib.auth import get_user_model

    member = make_member(actor, org, name=name, **fields)
    member.user = get_user_model().objects.create_user(username, password=password)
    member.save()
    return member
