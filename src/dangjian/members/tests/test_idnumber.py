import datetime as dt

import pytest

from dangjian.core.exceptions import DomainError
from dangjian.members.idnumber import validate_id_number
from dangjian.testing import make_id_number

BIRTH = dt.date(1985, 3, 14)


def test_valid_number_passes_and_is_normalized():
    number = make_id_number(BIRTH, "M")
    assert validate_id_number(f" {number.lower()} ", birth_date=BIRTH, gender="M") == number


def test_bad_checksum_is_explained():
    number = make_id_number(BIRTH)
    wrong = number[:17] + ("0" if number[17] != "0" else "1")
    with pytest.raises(DomainError, match="校验码（第 18 位）不正确"):
        validate_id_number(wrong)


def test_old_15_digit_number_is_refused_with_advice():
    with pytest.raises(DomainError, match="15 位旧身份证号码"):
        validate_id_number("110105850314123")


def test_birth_date_must_match_the_record():
    number = make_id_number(BIRTH)
    with pytest.raises(DomainError, match="出生日期为 1985-03-14，与填写的出生日期 1985-03-15"):
        validate_id_number(number, birth_date=dt.date(1985, 3, 15))


def test_impossible_birth_date_in_number_is_refused():
    body = "11010519850230123"  # 30 February
    from stdnum.cn import ric

    with pytest.raises(DomainError, match="不是有效日期"):
        validate_id_number(body + ric.calc_check_digit(body + "0"))


def test_full_width_digits_are_refused_with_advice():
    number = make_id_number(BIRTH)
    full_width = "".join(chr(ord(c) + 0xFEE0) if c.isdigit() else c for c in number)
    with pytest.raises(DomainError, match="全角字符"):
        validate_id_number(full_width)


def test_gender_digit_must_match_the_record():
    number = make_id_number(BIRTH, "F")
    with pytest.raises(DomainError, match="性别为「女」"):
        validate_id_number(number, gender="M")


def test_wrong_length_and_letters_are_refused():
    with pytest.raises(DomainError, match="应为 18 位，当前为 17 位"):
        validate_id_number("11010519850314123")
    with pytest.raises(DomainError, match="格式不正确"):
        validate_id_number("1101051985031412AX")


def test_unknown_area_code_is_accepted():
    """A merged or renumbered county keeps its old code on the card (practice.md)."""
    number = make_id_number(BIRTH, area="999999")
    assert validate_id_number(number) == number
