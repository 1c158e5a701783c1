"""Every typed date has a sane range: out of it is a Chinese 400 / form error, never a 500."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from dangjian.conftest import Cast

STATS_API = ["/api/stats/report/", "/api/stats/query/", "/api/stats/coverage/"]
STATS_PAGES = ["/stats/", "/stats/query/"]
ANCIENT = ["0001-01-01", "0001-01-02", "1900-01-01", "1921-06-30"]
AXES = {"rows": "sub_org", "cols": "category"}  # 综合查询 needs them; the others ignore them


def _client(cast: Cast) -> object:
    c = cast.client(cast.county_admin)
    c.raise_request_exception = False  # a 500 is a failure to report, not to raise
    return c


@pytest.mark.parametrize("url", STATS_API)
@pytest.mark.parametrize("on", ANCIENT)
def test_stats_api_refuses_a_date_before_the_founding(cast: Cast, url: str, on: str) -> None:
    r = _client(cast).get(url, {"org": cast.county.pk, "on": on})
    assert r.status_code == 400
    assert "统计日期不能早于 1921-07-01" in r.content.decode()


@pytest.mark.parametrize("url", STATS_API)
def test_stats_api_answers_on_the_founding_day(cast: Cast, url: str) -> None:
    r = _client(cast).get(
        url, {"org": cast.county.pk, "on": "1921-07-01", "start": "1921-07-01", **AXES}
    )
    assert r.status_code == 200


@pytest.mark.parametrize("url", STATS_API)
def test_stats_api_refuses_tomorrow_and_answers_today(cast: Cast, url: str) -> None:
    today = timezone.localdate()
    c = _client(cast)
    tomorrow = c.get(url, {"org": cast.county.pk, "on": today + dt.timedelta(days=1)})
    assert tomorrow.status_code == 400
    assert "统计日期不能晚于今天" in tomorrow.content.decode()
    assert c.get(url, {"org": cast.county.pk, "on": today, **AXES}).status_code == 200


@pytest.mark.parametrize("field", ["start", "joined_from", "joined_to"])
def test_stats_api_bounds_every_date_parameter(cast: Cast, field: str) -> None:
    r = _client(cast).get("/api/stats/query/", {"org": cast.county.pk, field: "0001-01-01"})
    assert r.status_code == 400
    assert "不能早于 1921-07-01" in r.content.decode()


@pytest.mark.parametrize("url", STATS_PAGES)
@pytest.mark.parametrize("on", ANCIENT)
def test_stats_pages_show_the_range_as_a_form_error(cast: Cast, url: str, on: str) -> None:
    r = _client(cast).get(url, {"org": cast.county.pk, "on": on, **AXES})
    assert r.status_code == 200
    assert "统计日期不能早于 1921-07-01" in r.content.decode()


@pytest.mark.parametrize("url", ["/stats/coverage/", "/stats/report.xlsx"])
@pytest.mark.parametrize("on", ANCIENT)
def test_stats_section_and_export_refuse_an_old_date(cast: Cast, url: str, on: str) -> None:
    r = _client(cast).get(url, {"org": cast.county.pk, "on": on})
    assert r.status_code == 400


def test_stats_export_names_the_problem(cast: Cast) -> None:
    r = _client(cast).get("/stats/report.xlsx", {"org": cast.county.pk, "on": "0001-01-02"})
    assert "统计日期不能早于 1921-07-01" in r.content.decode()


def test_org_api_refuses_a_founding_date_before_1921(cast: Cast) -> None:
    c = _client(cast)
    url = f"/api/orgs/{cast.branch.pk}/"
    r = c.patch(url, {"founded_on": "1921-06-30"}, content_type="application/json")
    assert r.status_code == 400
    assert "成立日期不能早于 1921-07-01" in r.json()["founded_on"][0]
    ok = c.patch(url, {"founded_on": "1921-07-01"}, content_type="application/json")
    assert ok.status_code == 200


def test_org_api_refuses_a_term_end_after_2100(cast: Cast) -> None:
    c = _client(cast)
    url = f"/api/orgs/{cast.branch.pk}/"
    body = {"term_start": "2024-01-01", "term_end": "2101-01-01"}
    r = c.patch(url, body, content_type="application/json")
    assert r.status_code == 400
    assert "本届任期届满不能晚于 2100-12-31" in r.json()["term_end"][0]
    body["term_end"] = "2100-12-31"
    assert c.patch(url, body, content_type="application/json").status_code == 200


def test_org_page_refuses_a_founding_date_before_1921(cast: Cast) -> None:
    org = cast.branch
    data = {"name": org.name, "code": org.code, "founded_on": "0001-01-01", "version": org.version}
    r = _client(cast).post(f"/orgs/{org.pk}/edit/", data)
    assert "成立日期不能早于 1921-07-01" in r.content.decode()


def test_roster_api_refuses_a_date_before_the_founding(cast: Cast) -> None:
    r = _client(cast).get(f"/api/orgs/{cast.branch.pk}/roster/", {"on": "0001-01-01"})
    assert r.status_code == 400
    assert "名册日期不能早于 1921-07-01" in r.content.decode()


def test_member_event_api_refuses_a_date_before_the_founding(cast: Cast) -> None:
    url = f"/api/members/{cast.member.pk}/events/"
    body = {"kind": "death", "effective_date": "0001-01-01"}
    r = _client(cast).post(url, body, content_type="application/json")
    assert r.status_code == 400
    assert "生效日期不能早于 1921-07-01" in r.json()["effective_date"][0]


def test_member_event_page_refuses_a_date_before_the_founding(cast: Cast) -> None:
    url = f"/members/{cast.member.pk}/events/new/"
    r = _client(cast).post(url, {"kind": "death", "effective_date": "1921-06-30"})
    assert "生效日期不能早于 1921-07-01" in r.content.decode()
