"""会议频次 pages, export and API: scope per role, Chinese words only, met/missed facts."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

import pytest
from openpyxl import load_workbook

from dangjian.audit.models import AuditEvent
from dangjian.meetings.cadence import meetings_changed, refresh_year
from dangjian.meetings.models import Meeting, MeetingKind
from dangjian.orgs.models import Organization

K = MeetingKind


@pytest.fixture
def cast(cast: Any) -> Any:
    refresh_year(2026)
    Meeting.objects.create(
        org=cast.branch, org_path=cast.branch.path, kind=K.THEME_DAY, title="七月主题党日",
        date=dt.date(2026, 7, 10), status=Meeting.Status.HELD,
    )  # fmt: skip
    meetings_changed(cast.branch.pk, [2026])
    return cast


def test_county_admin_sees_the_county_and_who_missed_what(cast: Any) -> None:
    response = cast.client(cast.county_admin).get("/meetings/cadence/?period=2026-Q3")
    text = response.content.decode()
    assert response.status_code == 200
    assert "中共清河县委员会" in text
    assert "2026年8月、9月未开展主题党日" in text
    assert "2026年第3季度未召开支部党员大会" in text
    assert "河口村党支部" in text
    assert "theme_day" not in text.replace("kind=theme_day", "")  # codes only in links


def test_secretary_defaults_to_the_branch(cast: Any) -> None:
    text = cast.client(cast.secretary).get("/meetings/cadence/?period=2026-Q3").content.decode()
    assert "东街社区党支部" in text
    assert "河口村党支部" not in text


def test_township_admin_cannot_pick_another_township(cast: Any) -> None:
    client = cast.client(cast.township_admin)
    assert client.get(f"/meetings/cadence/?org={cast.other_branch.pk}").status_code == 404
    assert client.get(f"/meetings/cadence/?org={cast.branch.pk}").status_code == 200


def test_member_and_outsider_are_refused(cast: Any) -> None:
    assert cast.client(cast.member_user).get("/meetings/cadence/").status_code == 403
    outsider = cast.client(cast.outsider)
    assert outsider.get(f"/meetings/cadence/org/{cast.branch.pk}/").status_code == 404


def test_a_bad_period_says_so_in_chinese(cast: Any) -> None:
    text = cast.client(cast.secretary).get("/meetings/cadence/?period=2026-13").content.decode()
    assert "期间应为年度" in text


def test_org_page_lists_meetings_and_missing_months(cast: Any) -> None:
    response = cast.client(cast.secretary).get(
        f"/meetings/cadence/org/{cast.branch.pk}/?period=2026-Q3"
    )
    text = response.content.decode()
    assert "七月主题党日" in text and "8月 未达到" in text and "7月 已达到" in text


def test_export_lists_the_missed_and_is_audited(cast: Any) -> None:
    response = cast.client(cast.county_admin).get("/meetings/cadence/export.xlsx?period=2026-Q3")
    book = load_workbook(io.BytesIO(response.content))
    rows = list(book["未达到的组织"].values)
    assert ("东街社区党支部", rows[1][1]) == rows[1] and "主题党日" in rows[1][1]
    assert AuditEvent.objects.filter(action="meetings.export_compliance").count() == 1


def test_api_gives_the_counts(cast: Any) -> None:
    client = cast.client(cast.township_admin)
    body = client.get("/api/meetings/cadence/?period=2026-Q3").json()
    theme = next(r for r in body["requirements"] if r["kind"] == "theme_day")
    assert (theme["owing"], theme["met"], theme["missed"]) == (1, 0, 1)
    assert body["missed"][0]["org"]["name"] == "东街社区党支部"
    assert client.get("/api/meetings/cadence/?period=x").status_code == 400
    org = client.get(f"/api/meetings/cadence/orgs/{cast.branch.pk}/?period=2026-Q3").json()
    assert org["requirements"][0]["label"] == "支部党员大会"


def test_paging_keeps_tree_order(cast: Any) -> None:
    county = Organization.objects.get(pk=cast.county.pk)
    body = (
        cast.client(cast.county_admin)
        .get(f"/api/meetings/cadence/?org={county.pk}&period=2026&page=2")
        .json()
    )
    assert body["missed"] == []  # two branches: one page
