"""Keep the frontier of each record's Merkle tree beside its length."""

from django.db import migrations, models

from sovet import ledger


def fill_frontiers(apps, schema_editor):
    organizations = apps.get_model("organizations", "Organization")
    nodes = apps.get_model("record", "LogNode")
    for organization in organizations.objects.all():
        stored = {
            (level, index): bytes(digest)
            for level, index, digest in nodes.objects.filter(organization=organization).values_list(
                "level", "index", "hash"
            )
        }
        organization.record_frontier = b"".join(
            stored[address] for address in ledger.root_reads(organization.record_length)
        )
        organization.save(update_fields=["record_frontier"])


class Migration(migrations.Migration):
    dependencies = [("organizations", "0002_congress_rules"), ("record", "0005_build_logs")]

    operations = [
        migrations.AddField(
            model_name="organization",
            name="record_frontier",
            field=models.BinaryField(default=b"", editable=False),
        ),
        migrations.RunPython(fill_frontiers, migrations.RunPython.noop),
    ]
