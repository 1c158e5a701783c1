import datetime as dt

import pytest

from dangjian.core.exceptions import DomainError
from dangjian.members.models import Member
from dangjian.testing import make_member


def test_registered_member_has_encrypted_id_and_masked_copy(cast):
    number = cast.member.reveal_id_number()
    assert len(number) == 18
    assert number not in cast.member.id_cipher
    assert cast.member.id_masked == number[:4] + "*" * 10 + number[-4:]


def test_member_gets_pinyin_keys(cast):
    assert cast.member.name_initials == "lm"
    assert cast.member.name_pinyin == "liming"


def test_same_id_number_cannot_be_registered_twice(cast):
    with pytest.raises(DomainError, match="已登记在册"):
        make_member(
            cast.county_admin, cast.branch, name="李明", id_number=cast.member.reveal_id_number()
        )
    assert Member.objects.filter(name="李明").count() == 1


def test_member_must_be_18_when_joining(cast):
    with pytest.raises(DomainError, match="年满 18 周岁"):
        make_member(
            cast.county_admin,
            cast.branch,
            birth=dt.date(2000, 1, 1),
            join=dt.date(2017, 12, 31),
            full=None,
        )


def test_secretary_cannot_register_into_another_branch(cast):
    with pytest.raises(DomainError, match="不在您的管理范围"):
        make_member(cast.secretary, cast.other_branch, name="外人")
