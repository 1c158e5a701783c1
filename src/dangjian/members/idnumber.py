"""公民身份号码 validation (GB 11643) with Chinese messages, on top of stdnum.cn.ric."""

from __future__ import annotations

import datetime as dt

from stdnum.cn import ric
from stdnum.exceptions import InvalidComponent

from dangjian.core.exceptions import DomainError
from dangjian.members.choices import Gender

FULL_WIDTH = {chr(0xFF10 + i): str(i) for i in range(10)} | {"Ｘ": "X", "ｘ": "X"}


def normalize_id_number(raw: str) -> str:
    """Strip spaces and hyphens and upper-case the check character (as stdnum's compact does,
    without its per-character filtering: an import validates 100k of these)."""
    return "".join((raw or "").split()).replace("-", "").upper()


def validate_id_number(
    raw: str, *, birth_date: dt.date | None = None, gender: str | None = None
) -> str:
    """Return the 18-character number, or raise DomainError saying exactly what is wrong."""
    # Checked before compact(), which would silently fold full-width digits to ASCII: a
    # number typed with a Chinese input method is worth a word to the user, not a guess.
    if any(ch in FULL_WIDTH for ch in raw or ""):
        raise DomainError(
            "公民身份号码含全角字符，请改为半角数字（输入法切换到英文状态后重新输入）。",
            field="id_number",
        )
    number = normalize_id_number(raw)
    if not number:
        raise DomainError("请填写公民身份号码。", field="id_number")
    if len(number) == 15 and number.isdigit():
        raise DomainError(
            "这是 15 位旧身份证号码，请填写现行的 18 位公民身份号码。", field="id_number"
        )
    if len(number) != 18:
        raise DomainError(f"公民身份号码应为 18 位，当前为 {len(number)} 位。", field="id_number")
    head, check = number[:17], number[17]
    if not (head.isascii() and head.isdigit()) or check not in "0123456789X":
        raise DomainError(
            "公民身份号码格式不正确：前 17 位须为数字，最后一位为数字或 X。", field="id_number"
        )
    # Not ric.validate(): it also rejects area codes missing from its table, and a number
    # keeps the code of a county that may since have been merged (practice.md). The
    # checksum (GB 11643) and the birth date are the hard facts.
    if ric.calc_check_digit(number) != number[17]:
        raise DomainError(
            "公民身份号码校验码（第 18 位）不正确，请核对是否有数字输错。", field="id_number"
        )
    try:
        embedded = ric.get_birth_date(number)
    except InvalidComponent as exc:
        raise DomainError(
            "公民身份号码中的出生日期（第 7–14 位）不是有效日期。", field="id_number"
        ) from exc
    if birth_date is not None and embedded != birth_date:
        raise DomainError(
            f"公民身份号码中的出生日期为 {embedded:%Y-%m-%d}，与填写的出生日期 "
            f"{birth_date:%Y-%m-%d} 不一致。",
            field="id_number",
        )
    if gender and gender_of(number) != gender:
        label = Gender(gender_of(number)).label
        raise DomainError(
            f"公民身份号码第 17 位表示性别为「{label}」，与填写的性别不一致。", field="id_number"
        )
    return number


def gender_of(number: str) -> str:
    """The 17th digit: odd for men, even for women."""
    return Gender.MALE if int(number[16]) % 2 else Gender.FEMALE
