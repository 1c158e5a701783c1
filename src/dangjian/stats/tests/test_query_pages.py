"""综合查询 page: opens without errors, exports its cross-tab, and every number opens the names
behind it (scoped, masked)."""

from __future__ import annotations

import io
from typing import Any

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from dangjian.audit.models import AuditEvent
from dangjian.stats.forms import AXES
from dangjian.stats.queries import cell_members, crosstab

ON = "2026-06-30"


def _query(cast: Any, **extra: str) -> dict[str, Any]:
    return {"org": cast.county.pk, "on": ON, "rows": "sub_org", "cols": "gender", **extra}


def test_query_page_opens_without_errors(cast: Any) -> None:
    client = cast.client(cast.county_admin)
    for params in ({}, {"org": cast.county.pk, "on": ON}):  # the menu, the report's link
        body = client.get(reverse("stats:query"), params).content.decode()
        assert "该字段是必填项" not in body and "errorlist" not in body, params
        assert 'id="crosstab"' not in body  # nothing asked yet


def test_submitted_query_still_names_a_missing_axis(cast: Any) -> None:
    params = _query(cast, cols="")
    body = cast.client(cast.county_admin).get(reverse("stats:query"), params).content.decode()
    assert "errorlist" in body


def test_query_exports_its_crosstab_to_xlsx_and_logs_it(cast: Any) -> None:
    client = cast.client(cast.county_admin)
    response = client.get(reverse("stats:query-xlsx"), _query(cast))
    rows = list(load_workbook(io.BytesIO(response.content)).active.values)
    assert rows[1] == ("下级组织 \\ 性别", "男", "女", "合计")
    assert ("中共城关镇委员会", 1, 0, 1) in rows and ("中共河口镇委员会", 0, 1, 1) in rows
    assert rows[-1] == ("合计", 1, 1, 2)
    entry = AuditEvent.objects.get(action="stats.export_query")
    assert entry.actor == cast.county_admin and entry.detail["form"] == "综合查询"


def test_every_number_links_to_the_members_behind_it(cast: Any) -> None:
    client = cast.client(cast.county_admin)
    body = client.get(reverse("stats:query"), _query(cast)).content.decode()
    link = f"cell_row={cast.other_branch.path[:-4]}&amp;cell_col=F"
    assert link in body
    names = client.get(
        reverse("stats:query-members"),
        _query(cast, cell_row=cast.other_branch.path[:-4], cell_col="F"),
    ).content.decode()
    assert "王芳" in names and "李明" not in names and "共 1 人" in names
    assert "性别：女" in names and "下级组织：中共河口镇委员会" in names


def test_member_list_of_a_cell_masks_personal_data(cast: Any) -> None:
    client = cast.client(cast.county_admin)
    body = client.get(reverse("stats:query-members"), _query(cast, cell_col="M")).content.decode()
    assert "李明" in body and "13900001111" not in body
    assert cast.member.id_masked in body


def test_outsider_gets_no_names_from_another_county(cast: Any) -> None:
    response = cast.client(cast.outsider).get(reverse("stats:query-members"), _query(cast))
    assert response.status_code == 403
    response = cast.client(cast.outsider).get(reverse("stats:query-xlsx"), _query(cast))
    assert response.status_code == 403


@pytest.mark.parametrize("rows,cols", [("sub_org", "category"), ("age_band", "education")])
def test_each_cell_lists_as_many_members_as_it_counts(cast: Any, rows: str, cols: str) -> None:
    import datetime as dt

    on = dt.date(2026, 6, 30)
    table = crosstab(cast.county, on, {}, rows, cols)
    for label, row, cells, _ in table.linked_grid:
        for n, col in cells:
            members = cell_members(cast.county, on, {}, {rows: row, cols: col})
            assert members.count() == n, (label, col)
    assert {a for a, _ in AXES} >= {rows, cols}
