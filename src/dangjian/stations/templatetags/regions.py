"""`{% load regions %}{{ code|region }}` → 河北省邢台市; `{{ code|region:"province" }}` → 河北省."""

from __future__ import annotations

from django import template

from dangjian.stations.regions import Field
from dangjian.stations.regions import region as region_name

register = template.Library()


@register.filter
def region(code: str | None, field: Field = "name") -> str:
    return region_name(code, field)
