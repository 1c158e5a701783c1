"""Statistics pages, export and API: the same numbers, only for organizations in scope."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

from django.urls import reverse
from openpyxl import load_workbook

from dangjian.orgs.services import update_organization
from dangjian.stats.queries import crosstab, member_filter
from dangjian.testing import make_member


def test_report_page_shows_tables_drill_down_and_chart_data(cast: Any) -> None:
    response = cast.client(cast.county_admin).get(reverse("stats:report"), {"org": cast.county.pk})
    body = response.content.decode()
    assert response.status_code == 200 and 'id="total">2<' in body
    assert "中共城关镇委员会" in body and 'id="chart-data"' in body
    assert f"?org={cast.township.pk}&on=" in body  # drill-down link


def test_report_defaults_to_the_users_own_top_organization(cast: Any) -> None:
    body = cast.client(cast.secretary).get(reverse("stats:report")).content.decode()
    assert "东街社区党支部，截至" in body and 'id="total">1<' in body


def test_other_counties_and_members_get_no_statistics(cast: Any) -> None:
    outsider = cast.client(cast.outsider)
    response = outsider.get(reverse("stats:report"), {"org": cast.county.pk})
    assert 'id="total"' not in response.content.decode()  # the org is not a valid choice
    api = outsider.get(reverse("stats-report"), {"org": cast.county.pk})
    assert api.status_code == 400
    assert cast.client(cast.member_user).get(reverse("stats:report")).status_code == 403
    # no VIEW_MEMBERS anywhere: refused like the page (403), not a bad request
    assert cast.client(cast.sysadmin).get(reverse("stats-report"), {"org": 1}).status_code == 403


def test_api_gives_the_same_numbers_as_the_page(cast: Any) -> None:
    data = (
        cast.client(cast.county_admin)
        .get(reverse("stats-report"), {"org": cast.county.pk, "on": "2026-06-30"})
        .json()
    )
    assert data["total"] == 2
    genders = {r["label"]: r["count"] for r in data["breakdowns"]["gender"]["rows"]}
    assert genders == {"男": 1, "女": 1}
    assert [c["members"] for c in data["children"]] == [1, 1]


def test_report_exports_to_xlsx(cast: Any) -> None:
    response = cast.client(cast.county_admin).get(
        reverse("stats:report-xlsx"), {"org": cast.county.pk, "on": "2026-06-30"}
    )
    rows = list(load_workbook(io.BytesIO(response.content)).active.values)
    assert rows[1] == ("党员总数", 2, None) or rows[1][:2] == ("党员总数", 2)
    assert any(r[0] == "女" and r[1] == 1 for r in rows)


def test_future_dates_are_refused(cast: Any) -> None:
    response = cast.client(cast.county_admin).get(
        reverse("stats-report"), {"org": cast.county.pk, "on": "2099-01-01"}
    )
    assert response.status_code == 400


def test_ad_hoc_crosstab_women_under_35_with_a_degree_joined_since_2012(cast: Any) -> None:
    on = dt.date(2026, 6, 30)
    make_member(
        cast.county_admin,
        cast.branch,
        name="刘婷",
        gender="F",
        birth=dt.date(1996, 2, 1),
        join=dt.date(2019, 7, 1),
        full=dt.date(2020, 7, 1),
    )
    filters = {
        "gender": "F",
        "age_max": 35,
        "education": ["pg", "ba", "co"],
        "joined_from": dt.date(2012, 11, 8),
    }
    table = crosstab(cast.county, on, member_filter(on, filters), "sub_org", "category")
    assert table.total == 1  # 刘婷; 王芳 (born 1990-05-02) is 36 on this date
    assert table.cell("中共城关镇委员会", "正式党员") == 1
    assert table.rows == ["中共城关镇委员会", "中共河口镇委员会"]


def test_query_page_renders_the_crosstab(cast: Any) -> None:
    response = cast.client(cast.county_admin).get(
        reverse("stats:query"),
        {"org": cast.county.pk, "rows": "sub_org", "cols": "gender", "on": "2026-06-30"},
    )
    body = response.content.decode()
    assert 'id="crosstab"' in body and "中共河口镇委员会" in body
    api = (
        cast.client(cast.county_admin)
        .get(reverse("stats-query"), {"org": cast.county.pk, "rows": "gender", "cols": "category"})
        .json()
    )
    assert api["total"] == 2 and api["rows"] == ["男", "女"]


def test_xlsx_export_writes_a_formula_like_org_name_as_text(cast: Any) -> None:
    org = update_organization(
        actor=cast.county_admin,
        org=cast.township,
        expected_version=cast.township.version,
        values={"name": "=1+1"},
    )
    body = cast.client(cast.county_admin).get(f"/stats/report.xlsx?org={org.pk}").content
    a1 = load_workbook(io.BytesIO(body))["党内统计"]["A1"]
    assert a1.data_type == "s" and a1.quotePrefix and a1.value.startswith("=1+1 党内统计")
