"""行政区划代码: names, the validator and the province → city form field."""

from __future__ import annotations

import pytest
from django import forms
from django.core.exceptions import ValidationError
from django.template import Context, Template

from dangjian.stations.regions import (
    RegionField,
    cities,
    lookup,
    provinces,
    region,
    validate_region_code,
)


def test_the_table_holds_every_province_and_its_cities():
    assert len(provinces()) == 34
    assert [c.name for c in cities("130000")][:2] == ["石家庄市", "唐山市"]
    assert cities("110000") == []  # a 直辖市 has no city level here
    assert sum(len(cities(p.code)) for p in provinces()) > 330


def test_region_names_a_city_with_its_province():
    assert region("130500") == "河北省邢台市"
    assert region("130500", "province") == "河北省"
    assert region("130500", "city") == "邢台市"
    assert region("110000") == "北京市"
    assert region("110000", "city") == ""
    assert region("469001") == "海南省五指山市"  # a 省直辖县级 unit


def test_a_county_code_reads_as_its_city_or_province():
    assert region("130534") == "河北省邢台市"  # 清河县
    assert region("110105") == "北京市"  # 朝阳区
    assert lookup("130534").code == "130500"


def test_unknown_or_empty_codes_have_no_name():
    assert region("") == "" and region(None) == "" and region("990000") == ""
    assert region("13050") == "" and region("abcdef") == ""


def test_validator_accepts_provinces_and_cities_only():
    validate_region_code("130500")
    validate_region_code("310000")
    validate_region_code("")
    with pytest.raises(ValidationError, match="6 位数字"):
        validate_region_code("1305")
    with pytest.raises(ValidationError, match="不是省级或地级"):
        validate_region_code("130534")  # a county: finer than the registry keeps
    with pytest.raises(ValidationError, match="不是省级或地级"):
        validate_region_code("990000")


class _Form(forms.Form):
    where = RegionField(label="流入地")


def _clean(province: str, city: str) -> forms.Form:
    form = _Form({"where_0": province, "where_1": city})
    form.is_valid()
    return form


def test_form_field_cleans_to_the_city_or_the_province():
    assert _clean("130000", "130500").cleaned_data["where"] == "130500"
    assert _clean("110000", "").cleaned_data["where"] == "110000"
    assert _clean("", "130500").cleaned_data["where"] == "130500"  # city alone: enough


def test_form_field_refuses_a_city_of_another_province():
    form = _clean("320000", "130500")
    assert "邢台市" in form.errors["where"][0] and "不属于所选省份" in form.errors["where"][0]


def test_form_field_needs_a_province():
    assert "请选择省份" in _clean("", "").errors["where"][0]


def test_widget_offers_every_city_grouped_by_province_without_javascript():
    html = _Form(initial={"where": "130500"}).as_p()
    assert '<optgroup label="河北省">' in html
    assert '<option value="130500" selected>邢台市</option>' in html
    assert '<option value="130000" selected>河北省</option>' in html
    assert "region-select.js" in html


def test_template_filter_shows_names():
    out = Template('{% load regions %}{{ c|region }}/{{ c|region:"city" }}').render(
        Context({"c": "130500"})
    )
    assert out == "河北省邢台市/邢台市"
