"""姓氏笔画: the order of names on a ballot.

Names are ordered by the stroke count of the surname (its first character), as GB/T 13418
orders characters; names with the same surname stay together and are ordered by the strokes
of the given name. Different surnames with the same count are ordered there by the shape of
their first stroke (横竖撇点折), which needs stroke-order data that no packaged library offers;
we order them by pinyin instead (李、张、陈 come out 陈、李、张), and the secretary can put the
candidates in the exact order by hand before the poll opens (services.reorder_candidates).
"""

from __future__ import annotations

from collections.abc import Iterable

from pypinyin import lazy_pinyin
from strokes import strokes


def _count(ch: str) -> int:
    return int(strokes(ch) or 0)  # 0: a character the stroke table does not know


def stroke_key(name: str) -> tuple[int, str, tuple[int, ...], list[str]]:
    """Sort key: surname strokes, surname (pinyin), given-name strokes, given name (pinyin)."""
    surname, given = name[:1], name[1:]
    return (
        _count(surname),
        "".join(lazy_pinyin(surname)),
        tuple(map(_count, given)),
        lazy_pinyin(given),
    )


def by_surname_strokes(names: Iterable[str]) -> list[str]:
    return sorted(names, key=stroke_key)
