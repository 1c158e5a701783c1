"""The rule seed (run after every migrate and every test flush) adds what is missing, with its
history row, and never overwrites an administrator's correction."""

from __future__ import annotations

from decimal import Decimal

from dangjian.core.models import RuleValue
from dangjian.core.rules_seed import RULES, seed_rules, with_basis


def test_seed_adds_missing_rows_with_history_and_keeps_corrections(db):
    assert RuleValue.objects.count() == len(RULES)  # seeded by the test database's migrate
    corrected = RuleValue.objects.order_by("pk").first()
    corrected.value = Decimal("99")
    corrected.save()
    gone = RuleValue.objects.order_by("pk").last()
    key = (gone.key, gone.effective_from)
    gone.delete()

    seed_rules()
    seed_rules()  # a second run adds nothing

    assert RuleValue.objects.count() == len(RULES)
    corrected.refresh_from_db()
    assert corrected.value == Decimal("99")
    back = RuleValue.objects.get(key=key[0], effective_from=key[1])
    seed = next(r for r in map(with_basis, RULES) if (r[0], r[3]) == key)
    assert (back.value, back.unit, back.source, back.description, back.basis) == (
        Decimal(seed[1]),
        *seed[2:3],
        *seed[4:],
    )
    assert list(back.history.values_list("history_type", flat=True)) == ["+"]
