"""行政区划代码 (GB/T 2260): provinces and prefecture-level cities, by their 6-digit codes.

Where a mobile member goes (流入地), where a service station is, is recorded as a region code
plus a free address; screens show the names, never the code:

    region("130500")                  → "河北省邢台市"
    region("130500", field="province") → "河北省"
    region("130500", field="city")     → "邢台市"
    region("110000")                  → "北京市"   (a 直辖市 has no city level here)

The table (`gb2260.txt`, beside this file, with its source) holds the 34 provinces and their
direct children: the 地级 cities, prefectures and leagues, and the 省直辖县级 units (海南's
counties, 湖北's 仙桃 …, 河南's 济源, 新疆's 兵团 cities). A county-level code (an ID number's
first six digits) is read as its city, else its province: `region("130534")` is "河北省邢台市".
Only codes in the table are stored (`validate_region_code`): no location finer than a city is
ever kept in a code (members are never located beyond what they or their branch record).

For forms: `RegionCodeField` (model field), `RegionField` and `RegionWidget` (a province select
and a city select; without JavaScript the city select lists every province's cities in groups,
with it the list follows the chosen province). In templates: `{% load regions %}{{ code|region }}`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any, Literal

from django import forms
from django.core.exceptions import ValidationError
from django.db import models

DATA_FILE = Path(__file__).with_name("gb2260.txt")
CODE_RE = re.compile(r"^[1-9]\d{5}$")
Field = Literal["name", "province", "city"]


@dataclass(frozen=True)
class Region:
    """One province (省级) or prefecture-level (地级) unit."""

    code: str
    name: str
    province_code: str  # its own code for a province
    kind: str  # 省, 自治区, 直辖市, 特别行政区, 地级市, 自治州, 地区, 盟, 县级市 …

    @property
    def is_province(self) -> bool:
        return self.code == self.province_code


@cache
def _table() -> dict[str, Region]:
    table: dict[str, Region] = {}
    for line in DATA_FILE.read_text(encoding="utf-8").splitlines():
        if not line or line.startswith("#"):
            continue
        code, name, province, kind = line.split("\t")
        table[code] = Region(code, name, province or code, kind)
    return table


def provinces() -> list[Region]:
    """The 34 provincial units, in code order."""
    return [r for r in _table().values() if r.is_province]


def cities(province_code: str) -> list[Region]:
    """The prefecture-level units of a province, in code order (none for a 直辖市)."""
    return [r for r in _table().values() if r.province_code == province_code and not r.is_province]


def lookup(code: str | None) -> Region | None:
    """The unit of `code`; a county-level code gives its city, else its province."""
    if not code or not CODE_RE.match(code):
        return None
    table = _table()
    for candidate in (code, code[:4] + "00", code[:2] + "0000"):
        if candidate in table:
            return table[candidate]
    return None


def region(code: str | None, field: Field = "name") -> str:
    """The name of a region code, for screens and documents ("" for an empty or unknown code).

    `field`: "name" the full name (河北省邢台市, 北京市), "province" the province's name,
    "city" the city's name ("" for a province-level code).
    """
    found = lookup(code)
    if found is None:
        return ""
    province = _table()[found.province_code]
    if field == "province":
        return province.name
    if field == "city":
        return "" if found.is_province else found.name
    if field == "name":
        return province.name if found.is_province else province.name + found.name
    raise ValueError(f"unknown field {field!r}")


def validate_region_code(value: str) -> None:
    """A 6-digit code of a province or prefecture-level unit in the table."""
    if not value:
        return
    if not CODE_RE.match(value):
        raise ValidationError("行政区划代码应为 6 位数字。", code="invalid")
    if value not in _table():
        raise ValidationError(
            "行政区划代码%(value)s不是省级或地级行政区的代码，请从列表中选择省份和城市。",
            code="unknown",
            params={"value": value},
        )


# ---- forms ------------------------------------------------------------------------------------


def province_choices() -> list[tuple[str, str]]:
    return [("", "请选择省份"), *((p.code, p.name) for p in provinces())]


def city_choices() -> list[tuple[str, Any]]:
    """Every province's cities in one list, grouped by province (works with no JavaScript)."""
    groups: list[tuple[str, Any]] = [("", "（不选城市：整个省或直辖市）")]
    for p in provinces():
        found = cities(p.code)
        if found:
            groups.append((p.name, [(c.code, c.name) for c in found]))
    return groups


class RegionWidget(forms.MultiWidget):
    """省份 + 城市, two plain selects. `stations/region-select.js` narrows the city list to the
    chosen province; without it every city is offered, grouped by province."""

    template_name = "stations/widgets/region.html"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        widgets = (
            forms.Select(attrs={"data-region": "province", "aria-label": "省份"}),
            forms.Select(attrs={"data-region": "city", "aria-label": "城市"}),
        )
        super().__init__(widgets, attrs)

    def decompress(self, value: Any) -> list[str]:
        found = lookup(str(value)) if value else None
        if found is None:
            return ["", ""]
        return [found.province_code, "" if found.is_province else found.code]


class RegionField(forms.MultiValueField):
    """A region code chosen as province and (optionally) city; cleans to the 6-digit code."""

    widget = RegionWidget

    def __init__(self, **kwargs: Any) -> None:
        kwargs.pop("max_length", None)
        kwargs.pop("empty_value", None)
        kwargs.setdefault("error_messages", {"required": "请选择省份。"})
        fields = (
            forms.ChoiceField(choices=province_choices, required=False),
            forms.ChoiceField(choices=city_choices, required=False),
        )
        super().__init__(fields, require_all_fields=False, **kwargs)
        self.widget.widgets[0].choices = province_choices()  # type: ignore[attr-defined]
        self.widget.widgets[1].choices = city_choices()  # type: ignore[attr-defined]

    def compress(self, data_list: list[str]) -> str:
        province, city = [*data_list, "", ""][:2]
        if city:
            found = _table()[city]
            if province and found.province_code != province:
                raise ValidationError(
                    f"所选城市「{found.name}」不属于所选省份，请重新选择城市。", code="mismatch"
                )
            return city
        if self.required and not province:
            raise ValidationError("请选择省份。", code="required")
        return province or ""


class RegionCodeField(models.CharField):  # type: ignore[type-arg]
    """行政区划代码 on a model: 6 digits, a province or city in the table; forms get the
    province → city selects."""

    default_validators = [validate_region_code]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("max_length", 6)
        super().__init__(*args, **kwargs)

    def formfield(self, **kwargs: Any) -> Any:
        return super().formfield(**{"form_class": RegionField, **kwargs})
