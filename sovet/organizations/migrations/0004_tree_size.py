"""Keep how many of the record's entries its Merkle tree holds: until now, all of them."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("organizations", "0003_record_frontier")]

    operations = [
        migrations.AddField(
            model_name="organization",
            name="tree_size",
            field=models.PositiveBigIntegerField(default=0, editable=False),
        ),
        migrations.RunSQL(
            "UPDATE organizations_organization SET tree_size = record_length",
            migrations.RunSQL.noop,
        ),
    ]
