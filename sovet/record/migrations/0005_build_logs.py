"""Build the Merkle log of every record written before the log existed."""

from django.db import migrations

from sovet import canonical, ledger
from sovet.record import leaves


def build_logs(apps, schema_editor):
    organizations = apps.get_model("organizations", "Organization")
    entries = apps.get_model("record", "RecordEntry")
    nodes = apps.get_model("record", "LogNode")
    for organization in organizations.objects.all():
        if nodes.objects.filter(organization=organization).exists():
            continue
        hashes = [
            ledger.leaf_hash(
                leaves.leaf_bytes(
                    leaves.leaf_object(
                        organization=organization.slug,
                        seq=entry.seq,
                        at=entry.at,
                        actor=entry.actor,
                        action=entry.action,
                        statute_version=entry.statute_version,
                        payload=canonical.loads(entry.payload),
                    )
                )
            )
            for entry in entries.objects.filter(organization=organization).order_by("seq")
        ]
        nodes.objects.bulk_create(
            (
                nodes(organization=organization, level=level, index=index, hash=digest)
                for level, row in enumerate(ledger.subtree_levels(hashes))
                for index, digest in enumerate(row)
            ),
            batch_size=2000,
        )


class Migration(migrations.Migration):
    dependencies = [("record", "0004_ledger_append_only"), ("organizations", "0001_initial")]

    operations = [migrations.RunPython(build_logs, migrations.RunPython.noop)]
