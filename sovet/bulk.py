"""Bulk writes for actions that touch many rows at once (imports)."""

from collections.abc import Iterable, Sequence
from typing import Any

from django.db import connection
from django.db.models import Model


def reserve_ids(model: type[Model], count: int) -> list[int]:
    """Reserve `count` primary keys for rows to be inserted in this transaction."""
    if count == 0:
        return []
    table = model._meta.db_table
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)",
                [table, count],
            )
            return [row[0] for row in cursor.fetchall()]
        # SQLite: the transaction began IMMEDIATE, so no other writer can take these ids.
        cursor.execute(
            f'SELECT max(coalesce((SELECT max(id) FROM "{table}"), 0),'
            " coalesce((SELECT seq FROM sqlite_sequence WHERE name = %s), 0))",
            [table],
        )
        start = cursor.fetchone()[0] + 1
    return list(range(start, start + count))


def insert(model: type[Model], columns: Sequence[str], rows: Iterable[Sequence[Any]]) -> None:
    """Insert rows of already adapted values into the model's table."""
    table = connection.ops.quote_name(model._meta.db_table)
    names = ", ".join(connection.ops.quote_name(model._meta.get_field(c).column) for c in columns)
    marks = ", ".join(["%s"] * len(columns))
    with connection.cursor() as cursor:
        cursor.executemany(f"INSERT INTO {table} ({names}) VALUES ({marks})", rows)


def add(model: type[Model], column: str, rows: Iterable[tuple[int, int]]) -> None:
    """Add to a numeric column by primary key; each row is (amount, id)."""
    table = connection.ops.quote_name(model._meta.db_table)
    name = connection.ops.quote_name(model._meta.get_field(column).column)
    with connection.cursor() as cursor:
        cursor.executemany(f"UPDATE {table} SET {name} = {name} + %s WHERE id = %s", list(rows))


def update(model: type[Model], columns: Sequence[str], rows: Iterable[Sequence[Any]]) -> None:
    """Update columns by primary key; each row is the new values followed by the id."""
    table = connection.ops.quote_name(model._meta.db_table)
    assignments = ", ".join(
        f"{connection.ops.quote_name(model._meta.get_field(c).column)} = %s" for c in columns
    )
    with connection.cursor() as cursor:
        cursor.executemany(f"UPDATE {table} SET {assignments} WHERE id = %s", rows)
