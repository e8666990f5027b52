"""Refuse UPDATE and DELETE on record entries in the database itself.

On PostgreSQL TRUNCATE is refused too, unless the session has set sovet.allow_truncate to on:
the test suite does, to empty its throwaway database between tests.
"""

from django.db import migrations

TRIGGERS = {
    "postgresql": [
        """
        CREATE FUNCTION record_entry_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            RAISE EXCEPTION 'record entries are append-only: % refused', TG_OP;
        END;
        $$
        """,
        """
        CREATE TRIGGER record_entry_append_only
            BEFORE UPDATE OR DELETE ON record_recordentry
            FOR EACH ROW EXECUTE FUNCTION record_entry_append_only()
        """,
        """
        CREATE FUNCTION record_entry_no_truncate() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            IF coalesce(current_setting('sovet.allow_truncate', true), '') <> 'on' THEN
                RAISE EXCEPTION 'record entries are append-only: TRUNCATE refused';
            END IF;
            RETURN NULL;
        END;
        $$
        """,
        """
        CREATE TRIGGER record_entry_no_truncate
            BEFORE TRUNCATE ON record_recordentry
            FOR EACH STATEMENT EXECUTE FUNCTION record_entry_no_truncate()
        """,
    ],
    "sqlite": [
        """
        CREATE TRIGGER record_entry_no_update BEFORE UPDATE ON record_recordentry
        BEGIN SELECT RAISE(ABORT, 'record entries are append-only: UPDATE refused'); END
        """,
        """
        CREATE TRIGGER record_entry_no_delete BEFORE DELETE ON record_recordentry
        BEGIN SELECT RAISE(ABORT, 'record entries are append-only: DELETE refused'); END
        """,
    ],
}


def create_triggers(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor not in TRIGGERS:
        raise RuntimeError(f"Sovet runs on SQLite or PostgreSQL, not {vendor}")
    for statement in TRIGGERS[vendor]:
        schema_editor.execute(statement, params=None)


class Migration(migrations.Migration):
    dependencies = [("record", "0001_initial")]

    operations = [migrations.RunPython(create_triggers, migrations.RunPython.noop)]
