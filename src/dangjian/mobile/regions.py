"""Destination regions (GB/T 2260 six-digit codes) in words.

The code table is kept by the service stations work system (`stations.regions`). Until an
installation has it, a code is checked for its form only and shown as the code itself.
"""

from __future__ import annotations

import importlib
import re
from collections.abc import Callable
from typing import Any

CODE = re.compile(r"^[1-9]\d{5}$")


def _lookup() -> Callable[..., Any] | None:
    try:
        module = importlib.import_module("dangjian.stations.regions")
    except ImportError:
        return None
    found = getattr(module, "region", None)
    return found if callable(found) else None


def region_problem(code: str) -> str | None:
    """The Chinese message for a code that is not a region, or None."""
    if not CODE.match(code or ""):
        return "流入地行政区划代码应为 6 位数字（GB/T 2260），例如 440305。"
    lookup = _lookup()
    if lookup is not None and not _name(lookup, code):
        return f"流入地行政区划代码 {code} 不在行政区划代码表中。"
    return None


def _name(lookup: Callable[..., Any], code: str) -> str:
    try:
        found = lookup(code, field="name")
    except (LookupError, ValueError, TypeError):
        return ""
    return str(found or "")


def region_name(code: str) -> str:
    """The region's name (全称 where the table has it), or the code while there is no table."""
    lookup = _lookup()
    if lookup is None or not code:
        return code
    return _name(lookup, code) or code


def province_code(code: str) -> str:
    return (code[:2] + "0000") if code else ""


def city_code(code: str) -> str:
    return (code[:4] + "00") if code else ""
