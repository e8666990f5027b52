"""Refuse UPDATE and DELETE on the log's nodes and tree heads, as on record entries (0002)."""

from django.db import migrations

TABLES = ["record_lognode", "record_treehead"]


def statements(vendor: str) -> list[str]:
    if vendor == "postgresql":
        functions = [
            """
            CREATE FUNCTION ledger_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
                RAISE EXCEPTION '% is append-only: % refused', TG_TABLE_NAME, TG_OP;
            END;
            $$
            """,
            """
            CREATE FUNCTION ledger_no_truncate() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
                IF coalesce(current_setting('sovet.allow_truncate', true), '') <> 'on' THEN
                    RAISE EXCEPTION '% is append-only: TRUNCATE refused', TG_TABLE_NAME;
                END IF;
                RETURN NULL;
            END;
            $$
            """,
        ]
        triggers = [
            sql
            for table in TABLES
            for sql in (
                f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
                "FOR EACH ROW EXECUTE FUNCTION ledger_append_only()",
                f"CREATE TRIGGER {table}_no_truncate BEFORE TRUNCATE ON {table} "
                "FOR EACH STATEMENT EXECUTE FUNCTION ledger_no_truncate()",
            )
        ]
        return functions + triggers
    if vendor == "sqlite":
        return [
            f"CREATE TRIGGER {table}_no_{operation.lower()} BEFORE {operation} ON {table} "
            f"BEGIN SELECT RAISE(ABORT, '{table} is append-only: {operation} refused'); END"
            for table in TABLES
            for operation in ("UPDATE", "DELETE")
        ]
    raise RuntimeError(f"Sovet runs on SQLite or PostgreSQL, not {vendor}")


def create_triggers(apps, schema_editor):
    for statement in statements(schema_editor.connection.vendor):
        schema_editor.execute(statement, params=None)


class Migration(migrations.Migration):
    dependencies = [("record", "0003_ledger")]

    operations = [migrations.RunPython(create_triggers, migrations.RunPython.noop)]
