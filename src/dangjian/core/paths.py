"""Subtree filters on materialized paths ("everything under X"), fast on every backend."""

from __future__ import annotations

from django.db import connection
from django.db.models import Q

# Path characters are 0-9 and A-Z (treebeard's alphabet); '~' sorts after all of them bytewise.
AFTER_LAST = "~"


def subtree_q(field: str, path: str) -> Q:
    """Rows whose `field` starts with `path`.

    PostgreSQL serves a left-anchored LIKE from the varchar_pattern_ops index Django adds to
    indexed CharFields. SQLite does not use an index for LIKE (it is case-insensitive there),
    so it gets the equivalent range, which its BINARY collation orders bytewise.
    """
    if connection.vendor == "sqlite":
        return Q(**{f"{field}__gte": path, f"{field}__lt": path + AFTER_LAST})
    return Q(**{f"{field}__startswith": path})


def any_subtree_q(field: str, paths: tuple[str, ...]) -> Q:
    """Rows under any of `paths` (none → matches nothing)."""
    if not paths:
        return Q(pk__in=[])
    q = Q()
    for path in paths:
        q |= subtree_q(field, path)
    return q
