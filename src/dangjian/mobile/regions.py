"""Destination regions (流入地) in words, from the GB/T 2260 table of the service stations work
system (`stations.regions`). Only province or prefecture-level codes are stored: a member is never
located finer than a city by a code (the address is what they or their branch record)."""

from __future__ import annotations

from django.core.exceptions import ValidationError

from dangjian.stations.regions import region, validate_region_code


def region_problem(code: str) -> str | None:
    """The Chinese message for a code that is not a province or city in the table, or None."""
    if not code:
        return "请选择流入地（省份和城市）。"
    try:
        validate_region_code(code)
    except ValidationError as exc:
        return "流入地：" + " ".join(exc.messages)
    return None


def region_name(code: str) -> str:
    """The region's full name (广东省深圳市); the code itself only if the table lacks it."""
    return region(code) or code


def province_code(code: str) -> str:
    return (code[:2] + "0000") if code else ""
