"""The report's cells as one fixed vector: (dimension, code) → position.

Margin cells count members on a day (a member enters a cell and later leaves it); flow cells
count events up to a day (发展党员, 转正: only ever added), so a period's flows are the
difference of two days' vectors; organization cells count organizations by kind on a day and
those past their term (应换届).
"""

from __future__ import annotations

from dangjian.members.choices import Education, Gender, MemberCategory, PersonCategory
from dangjian.orgs.models import OrgKind
from dangjian.stats.reports import AGE_BANDS, ETHNIC_GROUPS, JOIN_PERIODS

FLOWS = ("developed", "developed_women", "developed_under_35", "developed_higher", "converted")

MARGIN_CELLS: list[tuple[str, str]] = (
    [("category", c) for c in MemberCategory.values]
    + [("gender", c) for c in Gender.values]
    + [("ethnic_group", c) for c in ETHNIC_GROUPS]
    + [("education", c) for c in Education.values]
    + [("person_category", c) for c in PersonCategory.values]
    + [("age_band", label) for _, label in AGE_BANDS]
    + [("join_period", label) for _, label in JOIN_PERIODS]
)
ORG_CELLS = [("org_kind", k) for k in OrgKind.values] + [("org", "due")]
CELLS = MARGIN_CELLS + [("flow", f) for f in FLOWS] + ORG_CELLS
INDEX = {cell: i for i, cell in enumerate(CELLS)}
WIDTH = len(CELLS)
COLUMNS = [f"c{i:02d}" for i in range(WIDTH)]
