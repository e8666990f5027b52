import django.db.models.deletion
from django.db import migrations, models

# The unique index (organization, seq) serves lookups by organization. Dropped by name: altering
# the field would make SQLite rebuild the table, and a rebuilt table loses its append-only
# triggers (0002).
INDEX = "record_recordentry_organization_id_e22edac1"


class Migration(migrations.Migration):
    dependencies = [
        ("organizations", "0001_initial"),
        ("record", "0005_build_logs"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="recordentry",
                    name="organization",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="record",
                        to="organizations.organization",
                    ),
                ),
            ],
            database_operations=[
                migrations.RunSQL(
                    f"DROP INDEX IF EXISTS {INDEX}",
                    f"CREATE INDEX {INDEX} ON record_recordentry (organization_id)",
                ),
            ],
        ),
    ]
