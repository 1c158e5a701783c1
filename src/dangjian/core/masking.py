"""Masked display of personal data: what lists, exports and the API show by default."""

from __future__ import annotations


def mask_id_number(value: str) -> str:
    """公民身份号码 → keep the first 4 and the last 4 characters: 1101**********1234."""
    if not value:
        return ""
    if len(value) <= 8:
        return "*" * len(value)
    return value[:4] + "*" * (len(value) - 8) + value[-4:]


def mask_phone(value: str) -> str:
    """联系电话 → keep the first 3 and the last 4 digits: 138****5678."""
    if not value:
        return ""
    if len(value) <= 7:
        return value[:1] + "*" * (len(value) - 1)
    return value[:3] + "*" * (len(value) - 7) + value[-4:]
