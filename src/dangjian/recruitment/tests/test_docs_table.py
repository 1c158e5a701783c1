"""The rule table of docs/zh/recruitment.md names the tests that prove each rule: every name
must exist as a test function, so the table cannot rot when a test is renamed or removed."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

APP = Path(__file__).resolve().parents[1]  # src/dangjian/recruitment
DOC = APP.parents[2] / "docs" / "zh" / "recruitment.md"
REFERENCE = re.compile(r"`([\w/.-]+\.py)::(\w+)`")
PENDING = "（待补测试）"


def table_rows(text: str) -> list[list[str]]:
    """The rule table's body rows (after the heading 规则表), split into cells."""
    section = text.split("## 规则表", 1)[1].split("\n## ", 1)[0]
    rows = [line for line in section.splitlines() if line.startswith("|")]
    return [[c.strip() for c in row.strip("|").split("|")] for row in rows[2:]]


def functions_in(path: Path) -> set[str]:
    """The names of the test functions (module level and in classes) of one file."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    return {
        node.name
        for node in ast.walk(tree)
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) and node.name.startswith("test")
    }


def references(cell: str) -> list[tuple[str, str]]:
    return REFERENCE.findall(cell)


def test_every_row_names_its_tests_or_says_they_are_missing() -> None:
    rows = table_rows(DOC.read_text(encoding="utf-8"))
    assert len(rows) >= 27  # the 25 steps, 公示 and 终止培养
    for row in rows:
        assert len(row) == 6, row
        cell = row[-1]
        assert references(cell) or cell == PENDING, f"测试一栏须写测试名或{PENDING}：{row[1]}"


def test_every_named_test_exists() -> None:
    """In the table and in the text around it (the engine's tests for months, for instance)."""
    missing = []
    for file, name in references(DOC.read_text(encoding="utf-8")):
        path = (APP / file).resolve()
        if not path.is_file() or name not in functions_in(path):
            missing.append(f"{file}::{name}")
    assert not missing, f"docs/zh/recruitment.md 引用了不存在的测试：{missing}"


@pytest.mark.parametrize(
    ("cell", "found"),
    [
        ("`tests/test_x.py::test_a`、`tests/test_y.py::test_b`",
         [("tests/test_x.py", "test_a"), ("tests/test_y.py", "test_b")]),
        (PENDING, []),
    ],
)  # fmt: skip
def test_references_are_read_from_a_cell(cell: str, found: list[tuple[str, str]]) -> None:
    assert references(cell) == found


def test_a_missing_test_is_noticed(tmp_path: Path) -> None:
    """The check can fail: a file without the named function gives no such name."""
    sample = tmp_path / "test_sample.py"
    sample.write_text("def test_here():\n    pass\n\nclass TestX:\n    def test_in_class(self):\n"
                      "        pass\n", encoding="utf-8")  # fmt: skip
    assert functions_in(sample) == {"test_here", "test_in_class"}
    assert "test_gone" not in functions_in(sample)
