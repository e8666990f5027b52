"""Writing many rows in few round trips, and reading what a request names in one, for the
actions every delegate takes at once.

An action holds the organization's lock while its record entry is written (record/log.py):
each round trip to the database made under that lock is time every other action waits.
"""

import functools
from collections.abc import Sequence
from typing import Any, NamedTuple

import psycopg
from django.db import DEFAULT_DB_ALIAS, connection, connections, models
from django.db.models.sql import InsertQuery, Query

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
    """Run one statement and return its first row; on PostgreSQL, prepared on the connection.

    For the statement a whole congress runs at once (the ballot), parsing and planning it
    anew each time was half of PostgreSQL's work (bench/poll). A server-binding cursor lets
    psycopg prepare it once per connection (`prepare_threshold` in settings). It still goes
    through Django's cursor wrapper: logged, counted and checked like any other statement.
    """
    db = connections[DEFAULT_DB_ALIAS]
    if db.vendor != "postgresql":
        with db.cursor() as cursor:
            cursor.execute(sql, params)
            return cursor.fetchone()
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


class _Part(NamedTuple):
    """Where one model's columns lie in a row of JoinedRows."""

    model: type[models.Model]
    start: int
    end: int
    pk_at: int
    names: list[str]


class JoinedRows:
    """A SELECT of whole rows of several models side by side, read into model instances.

    `tables` names each model's alias; `joins` is the rest of the statement from FROM, with
    `{alias}` standing for the model's table (and `%s` for parameters); `prefix` may hold a
    WITH clause, written the same way; `unselected` names the other models either mentions.
    The statement is written once per process, and on PostgreSQL prepared once per
    connection: the ORM compiled each lookup anew, which for the lookups of an API ballot cost
    more than running them and left cycles for the garbage collector.
    """

    def __init__(
        self,
        tables: dict[str, type[models.Model]],
        joins: str,
        prefix: str = "",
        unselected: dict[str, type[models.Model]] | None = None,
    ) -> None:
        self.tables = tables
        self.joins = joins
        self.prefix = prefix
        self.unselected = unselected or {}

    @functools.cached_property
    def _compiled(self) -> tuple[str, list[tuple[int, list[Any], Any]], list[_Part]]:
        db = connections[DEFAULT_DB_ALIAS]
        quote = db.ops.quote_name
        tables = {
            alias: quote(model._meta.db_table)
            for alias, model in (self.tables | self.unselected).items()
        }
        select = ", ".join(
            f"{alias}.{quote(field.column)}"
            for alias, model in self.tables.items()
            for field in model._meta.concrete_fields
        )
        sql = f"{self.prefix.format(**tables)}SELECT {select} {self.joins.format(**tables)}"
        fields = [field for model in self.tables.values() for field in model._meta.concrete_fields]
        # The database's own conversions of each column, as the ORM applies them.
        compiler = db.ops.compiler("SQLCompiler")(Query(None), db, db.alias)
        converters = compiler.get_converters(
            [field.get_col(field.model._meta.db_table) for field in fields]
        )
        parts, start = [], 0
        for model in self.tables.values():
            own = model._meta.concrete_fields
            names = [field.attname for field in own]
            parts.append(
                _Part(model, start, start + len(own), start + own.index(model._meta.pk), names)
            )
            start += len(own)
        convert = [(at, functions, column) for at, (functions, column) in converters.items()]
        return sql, convert, parts

    def fetch(self, params: Sequence[Any]) -> tuple[models.Model | None, ...] | None:
        """Return the first row as one instance per table, None for a table a LEFT JOIN did
        not find; None if there is no row."""
        sql, converters, parts = self._compiled
        found = fetch_prepared(sql, params)
        if found is None:
            return None
        row = list(found)
        # As SQLCompiler.apply_converters does, with this thread's connection (a compiler
        # kept across requests holds the connection of the thread that made it).
        db = connections[DEFAULT_DB_ALIAS]
        for at, functions, column in converters:
            for function in functions:
                row[at] = function(row[at], column, db)
        return tuple(
            None
            if row[part.pk_at] is None
            else part.model.from_db(db.alias, part.names, row[part.start : part.end])
            for part in parts
        )
