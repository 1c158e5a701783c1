"""The statutory rule values the code reads, with sources (docs/zh/member-registry.md).

Loaded after every migrate (and every test flush) by a post_migrate handler; existing rows are
left alone, so an administrator's correction is never overwritten. A revised regulation is a
new row with a later effective date.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

FOUNDING = dt.date(1921, 7, 1)

RULES = [
    # key, value, unit, effective_from, source, description
    ("admission.min_age", "18", "周岁", FOUNDING,
     "《中国共产党章程》第一章第一条；《中国共产党发展党员工作细则》(2014) 第五条",
     "申请入党须年满十八岁"),
    ("probation.months", "12", "月", FOUNDING,
     "《中国共产党章程》第七条", "预备期一年，自支部大会通过之日起计算"),
    ("organization.min_full_members", "3", "人", FOUNDING,
     "《中国共产党章程》第三十条",
     "企业、农村、机关、学校等基层单位，凡是有正式党员三人以上的，都应当成立党的基层组织"),
]  # fmt: skip


def seed_rules(sender: Any = None, **kwargs: Any) -> None:
    from dangjian.core.models import RuleValue

    for key, value, unit, start, source, description in RULES:
        RuleValue.objects.get_or_create(
            key=key,
            effective_from=start,
            defaults={
                "value": Decimal(value),
                "unit": unit,
                "source": source,
                "description": description,
            },
        )
