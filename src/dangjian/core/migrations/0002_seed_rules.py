"""Seed the statutory rule values the code reads (see docs/rules.md for every source)."""

import datetime as dt
from decimal import Decimal

from django.db import migrations

RULES = [
    # key, value, unit, effective_from, source, description
    ("admission.min_age", "18", "周岁", dt.date(1921, 7, 1),
     "《中国共产党章程》第一章第一条；《中国共产党发展党员工作细则》(2014) 第五条",
     "申请入党须年满十八岁"),
    ("probation.months", "12", "月", dt.date(1921, 7, 1),
     "《中国共产党章程》第七条", "预备期一年，自支部大会通过之日起计算"),
]


def seed(apps, schema_editor):
    RuleValue = apps.get_model("core", "RuleValue")
    for key, value, unit, start, source, description in RULES:
        RuleValue.objects.get_or_create(
            key=key, effective_from=start,
            defaults={"value": Decimal(value), "unit": unit, "source": source,
                      "description": description},
        )


class Migration(migrations.Migration):
    dependencies = [("core", "0001_initial")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
