"""Fast inserts of many prepared rows: COPY on PostgreSQL, executemany on SQLite.

Django's bulk_create spends most of its time preparing each value through the field API. For
loads of tens of thousands of already-validated rows (roster import, demo and scale data) the
rows are handed to the driver directly. No signals, no save(), no history: callers add what
they need (history rows are rows too) inside their own transaction.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from typing import Any

from django.db import connections, models, router
from django.utils import timezone


def model_columns(model: type[models.Model]) -> list[str]:
    """Attribute names of the concrete columns an insert fills (the auto primary key excluded)."""
    return [
        f.attname
        for f in model._meta.concrete_fields
        if not (f.primary_key and isinstance(f, models.AutoField))
    ]


def instance_rows(
    objs: Iterable[models.Model], columns: Sequence[str]
) -> Iterable[tuple[Any, ...]]:
    """Rows from unsaved instances; auto_now(_add) timestamps left empty get one shared 'now'."""
    now = timezone.now()
    for obj in objs:
        stamped = _auto_now_fields(type(obj))
        yield tuple(
            now if c in stamped and getattr(obj, c) is None else getattr(obj, c) for c in columns
        )


_AUTO_NOW: dict[type[models.Model], frozenset[str]] = {}


def _auto_now_fields(model: type[models.Model]) -> frozenset[str]:
    if model not in _AUTO_NOW:
        _AUTO_NOW[model] = frozenset(
            f.attname
            for f in model._meta.concrete_fields
            if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False)
        )
    return _AUTO_NOW[model]


def insert_rows(
    model: type[models.Model], columns: Sequence[str], rows: Iterable[Sequence[Any]]
) -> int:
    """Insert `rows` (values in `columns` order, foreign keys as ids) into `model`'s table."""
    connection = connections[router.db_for_write(model)]
    quote = connection.ops.quote_name
    table = quote(model._meta.db_table)
    column_of = {f.attname: str(f.column) for f in model._meta.concrete_fields}
    names = ", ".join(quote(column_of[c]) for c in columns)
    count = 0
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            with cursor.cursor.copy(f"COPY {table} ({names}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
                    count += 1
            return count
        adapt = _adapters(model, columns, connection)
        marks = ", ".join(["%s"] * len(columns))
        sql = f"INSERT INTO {table} ({names}) VALUES ({marks})"
        chunk: list[tuple[Any, ...]] = []
        for row in rows:
            chunk.append(tuple(a(v) if a else v for a, v in zip(adapt, row, strict=True)))
            if len(chunk) == 5000:
                cursor.executemany(sql, chunk)
                count += len(chunk)
                chunk = []
        if chunk:
            cursor.executemany(sql, chunk)
            count += len(chunk)
    return count


def _adapters(
    model: type[models.Model], columns: Sequence[str], connection: Any
) -> list[Callable[[Any], Any] | None]:
    """Per column, how SQLite wants a date or datetime (Django stores them as text there)."""
    ops = connection.ops
    result: list[Callable[[Any], Any] | None] = []
    for column in columns:
        field = model._meta.get_field(column)
        if isinstance(field, models.DateTimeField):
            result.append(ops.adapt_datetimefield_value)
        elif isinstance(field, models.DateField):
            result.append(ops.adapt_datefield_value)
        else:
            result.append(None)
    return result
