"""The report's margin cells as one fixed vector: (dimension, code) → position."""

from __future__ import annotations

from dangjian.members.choices import Education, Gender, MemberCategory, PersonCategory
from dangjian.stats.reports import AGE_BANDS, ETHNIC_GROUPS, JOIN_PERIODS

CELLS: list[tuple[str, str]] = (
    [("category", c) for c in MemberCategory.values]
    + [("gender", c) for c in Gender.values]
    + [("ethnic_group", c) for c in ETHNIC_GROUPS]
    + [("education", c) for c in Education.values]
    + [("person_category", c) for c in PersonCategory.values]
    + [("age_band", label) for _, label in AGE_BANDS]
    + [("join_period", label) for _, label in JOIN_PERIODS]
)
INDEX = {cell: i for i, cell in enumerate(CELLS)}
WIDTH = len(CELLS)
COLUMNS = [f"c{i:02d}" for i in range(WIDTH)]
