"""The body hash as 32 raw bytes (bytea) instead of 64 hex characters: a cheaper unique index on every ingest."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("webhooks", "0002_index_failed_only"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[
                # Existing hashes are converted, not recomputed: decode() keeps them equal to sha256(body).
                migrations.RunSQL(
                    sql="ALTER TABLE webhooks_webhookevent "
                    "ALTER COLUMN body_sha256 TYPE bytea USING decode(body_sha256, 'hex')",
                    reverse_sql="ALTER TABLE webhooks_webhookevent "
                    "ALTER COLUMN body_sha256 TYPE varchar(64) USING encode(body_sha256, 'hex')",
                ),
            ],
            state_operations=[
                migrations.AlterField(
                    model_name="webhookevent",
                    name="body_sha256",
                    field=models.BinaryField(
                        help_text="SHA-256 of the body (absorbs byte-identical redeliveries).", max_length=32
                    ),
                ),
            ],
        ),
    ]
