"""Writing many rows in few round trips, for the actions every delegate takes at once.

An action holds the organization's lock while its record entry is written (record/log.py):
each round trip to the database made under that lock is time every other action waits.
"""

import functools
from collections.abc import Sequence
from typing import Any

import psycopg
from django.db import DEFAULT_DB_ALIAS, connection, connections, models
from django.db.models.sql import InsertQuery

Statement = tuple[str, Sequence[Any]]

ROWS_PER_INSERT = 1000
# PostgreSQL takes at most 65,535 parameters in one statement.
MAX_PARAMETERS = 30_000


def inserts(model: type[models.Model], objects: Sequence[models.Model]) -> list[Statement]:
    """Return the INSERT statements Django would run for the objects (without their ids)."""
    fields = _inserted_fields(model)
    statements: list[Statement] = []
    for start in range(0, len(objects), ROWS_PER_INSERT):
        query = InsertQuery(model)
        query.insert_values(fields, objects[start : start + ROWS_PER_INSERT])
        statements.extend(query.get_compiler(connection=connection).as_sql())
    return statements


def insert_for_each(model: type[models.Model], instance: models.Model, source: str) -> Statement:
    """Return an INSERT of the instance (without its id) once for each row of the WITH clause
    named `source`: a row written only if an earlier clause of the same statement wrote one."""
    db = connections[DEFAULT_DB_ALIAS]  # the connection itself: each use of the proxy costs
    params = [
        field.get_db_prep_save(field.pre_save(instance, True), db)
        for field in _inserted_fields(model)
    ]
    return _insert_for_each_sql(model, source), params


@functools.cache
def _inserted_fields(model: type[models.Model]) -> list[models.Field]:
    return [field for field in model._meta.concrete_fields if field is not model._meta.auto_field]


@functools.cache
def _insert_for_each_sql(model: type[models.Model], source: str) -> str:
    quote = connection.ops.quote_name
    fields = _inserted_fields(model)
    columns = ", ".join(quote(field.column) for field in fields)
    values = ", ".join(["%s"] * len(fields))
    return f"INSERT INTO {quote(model._meta.db_table)} ({columns}) SELECT {values} FROM {source}"


def fetch_prepared(sql: str, params: Sequence[Any]) -> tuple[Any, ...] | None:
    """Run one statement on PostgreSQL, prepared on the connection; return its first row.

    For the statement a whole congress runs at once (the ballot), parsing and planning it
    anew each time was half of PostgreSQL's work (bench/poll). A server-binding cursor lets
    psycopg prepare it once per connection (`prepare_threshold` in settings). It still goes
    through Django's cursor wrapper: logged, counted and checked like any other statement.
    """
    db = connections[DEFAULT_DB_ALIAS]
    db.ensure_connection()
    db.validate_thread_sharing()
    server_bound = psycopg.Cursor(db.connection)
    with (db.make_debug_cursor if db.queries_logged else db.make_cursor)(server_bound) as cursor:
        cursor.execute(sql, params)
        return cursor.fetchone()


def execute_together(cursor: Any, statements: Sequence[Statement]) -> None:
    """Run the statements in order.

    On PostgreSQL they go as one statement (one round trip) where the parameters allow: its
    data-modifying WITH clauses run exactly once each, on one snapshot, so the statements must
    not read each other's rows.
    """
    parameters = sum(len(params) for _, params in statements)
    if connection.vendor == "postgresql" and statements and parameters <= MAX_PARAMETERS:
        clauses = ", ".join(f"w{i} AS ({sql})" for i, (sql, _) in enumerate(statements))
        values = [value for _, params in statements for value in params]
        cursor.execute(f"WITH {clauses} SELECT 1", values)
        return
    for sql, params in statements:
        cursor.execute(sql, params)
