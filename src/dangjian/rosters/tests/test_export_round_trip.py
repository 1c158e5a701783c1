"""Export → re-import is exact for text a spreadsheet would take for a formula."""

from __future__ import annotations

import io
from typing import Any

import pytest
from openpyxl import load_workbook

from dangjian.rosters.models import ImportBatch
from dangjian.rosters.reader import read_roster
from dangjian.rosters.tests.test_roster_pages import export, post_file
from dangjian.testing import make_member

FORMULA_LIKE = ["=1+1", '=HYPERLINK("http://x")', "-x", "@x", "+x"]
NAMES = "甲乙丙丁戊"


@pytest.fixture
def formula_members(cast: Any) -> list[Any]:
    return [
        make_member(cast.county_admin, cast.branch, name=f"党员{NAMES[i]}", native_place=text)
        for i, text in enumerate(FORMULA_LIKE)
    ] + [make_member(cast.county_admin, cast.branch, name="国际", phone="+8613900002222")]


def test_full_export_reimports_formula_like_text_unchanged(cast: Any, formula_members) -> None:
    body = export(cast, cast.county_admin, f"?org={cast.branch.pk}", full=True).content
    post_file(cast.client(cast.county_admin), cast.branch, body, "导出.xlsx")
    preview = ImportBatch.objects.get().preview
    counts = preview["counts"]
    assert (counts["add"], counts["update"], counts["errors"]) == (0, 0, 0), preview.get("errors")
    assert counts["same"] == len(formula_members) + 1  # 李明 too


def test_export_reads_back_the_exact_text(cast: Any, formula_members) -> None:
    body = export(cast, cast.county_admin, f"?org={cast.branch.pk}", full=True).content
    values = {v for _, row in read_roster(body, "导出.xlsx").rows for v in row}
    assert set(FORMULA_LIKE) | {"+8613900002222"} <= values
    assert not any(isinstance(v, str) and v.startswith("'") for v in values)


def test_masked_export_writes_the_masked_phone_without_an_apostrophe(
    cast: Any, formula_members
) -> None:
    body = export(cast, cast.county_admin, f"?org={cast.branch.pk}").content
    values = [c for row in load_workbook(io.BytesIO(body)).active.values for c in row]
    assert "+86*******2222" in values
    assert not any(isinstance(v, str) and v.startswith("'") for v in values)


def test_formula_like_cells_are_quote_prefixed_strings(cast: Any, formula_members) -> None:
    body = export(cast, cast.county_admin, f"?org={cast.branch.pk}").content
    cells = [c for row in load_workbook(io.BytesIO(body)).active.iter_rows() for c in row]
    risky = [c for c in cells if isinstance(c.value, str) and c.value[:1] in "=+-@"]
    assert {c.value for c in risky} >= set(FORMULA_LIKE)
    assert all(c.data_type == "s" and c.quotePrefix for c in risky)
