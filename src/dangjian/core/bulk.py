"""Fast inserts of many prepared rows: COPY on PostgreSQL, executemany on SQLite.

Django's bulk_create spends most of its time preparing each value through the field API. For
loads of tens of thousands of already-validated rows (roster import, demo and scale data) the
rows are handed to the driver directly. No signals, no save(), no history: callers add what
they need (history rows are rows too) inside their own transaction.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from functools import lru_cache
from typing import Any

from django.db import connections, models, router


def model_columns(model: type[models.Model]) -> list[str]:
    """Attribute names of the concrete columns an insert fills (the auto primary key excluded)."""
    return [
        f.attname
        for f in model._meta.concrete_fields
        if not (f.primary_key and isinstance(f, models.AutoField))
    ]


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
        chunk: list[Any] = []
        for row in rows:
            if adapt:
                row = list(row)
                for index, adapter in adapt:
                    row[index] = adapter(row[index])
            chunk.append(row)
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
) -> list[tuple[int, Callable[[Any], Any]]]:
    """(position, adapter) for the columns SQLite wants as text: dates and datetimes. A load
    stamps every row with the same datetime, hence the small cache."""
    ops = connection.ops
    fields = {f.attname: f for f in model._meta.concrete_fields}
    result: list[tuple[int, Callable[[Any], Any]]] = []
    for index, column in enumerate(columns):
        field = fields[column]
        if isinstance(field, models.DateTimeField):
            result.append((index, lru_cache(maxsize=64)(ops.adapt_datetimefield_value)))
        elif isinstance(field, models.DateField):
            result.append((index, _date_text))
    return result


def _date_text(value: Any) -> Any:
    return None if value is None else value.isoformat()


def analyze(*models_: type[models.Model]) -> None:
    """Refresh PostgreSQL's planner statistics after a bulk load (autovacuum would, later):
    with stale ones a subtree query on freshly loaded tables picks a full scan."""
    connection = connections["default"]
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        for model in models_:
            cursor.execute(f"ANALYZE {connection.ops.quote_name(model._meta.db_table)}")
