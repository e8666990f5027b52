"""Writing many rows in few round trips, for the actions every delegate takes at once.

Casting a ballot holds the organization's lock while its record entry is written (record/log.py):
each round trip to the database made under that lock is time every other ballot waits.
"""

from collections.abc import Sequence
from typing import Any

from django.db import connection, models
from django.db.models.sql import InsertQuery

Statement = tuple[str, Sequence[Any]]

ROWS_PER_INSERT = 1000
# PostgreSQL takes at most 65,535 parameters in one statement.
MAX_PARAMETERS = 30_000


def inserts(model: type[models.Model], objects: Sequence[models.Model]) -> list[Statement]:
    """Return the INSERT statements Django would run for the objects (without their ids)."""
    fields = [field for field in model._meta.concrete_fields if field is not model._meta.auto_field]
    statements: list[Statement] = []
    for start in range(0, len(objects), ROWS_PER_INSERT):
        query = InsertQuery(model)
        query.insert_values(fields, objects[start : start + ROWS_PER_INSERT])
        statements.extend(query.get_compiler(connection=connection).as_sql())
    return statements


def execute_together(
    cursor: Any, statements: Sequence[Statement], then: Statement | None = None
) -> Any:
    """Run the statements in order, then the query `then`; return its first row, if any.

    On PostgreSQL they go as one statement (one round trip) where the parameters allow: its
    data-modifying WITH clauses run exactly once each, on the snapshot the query reads too, so
    the statements must not read each other's rows, and `then` sees none of their changes.
    """
    query, arguments = then or ("SELECT 1", [])
    parameters = sum(len(params) for _, params in statements) + len(arguments)
    if connection.vendor == "postgresql" and statements and parameters <= MAX_PARAMETERS:
        clauses = ", ".join(f"w{i} AS ({sql})" for i, (sql, _) in enumerate(statements))
        values = [value for _, params in statements for value in params]
        cursor.execute(f"WITH {clauses} {query}", [*values, *arguments])
        return cursor.fetchone()
    for sql, params in statements:
        cursor.execute(sql, params)
    if then is None:
        return None
    cursor.execute(query, arguments)
    return cursor.fetchone()
