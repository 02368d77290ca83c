"""Per-table autovacuum settings for webhooks's high-churn tables (the defaults wait for 20 % of a table to be dead).

ALTER TABLE ... SET (storage parameters) takes a SHARE UPDATE EXCLUSIVE lock: reads and writes go on. Reversible
(RESET). What and why: docs/capacity.md, "Vacuum".
"""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("webhooks", "0003_body_sha256_bytea"),
    ]

    operations = [
        # Every event is updated 2-3 times (claim, result) and the daily purge deletes a day's worth.
        migrations.RunSQL(
            "ALTER TABLE webhooks_webhookevent SET (autovacuum_vacuum_scale_factor = 0.01, autovacuum_vacuum_threshold = 1000, autovacuum_analyze_scale_factor = 0.02, autovacuum_vacuum_insert_scale_factor = 0.05)",
            reverse_sql="ALTER TABLE webhooks_webhookevent RESET (autovacuum_vacuum_scale_factor, autovacuum_vacuum_threshold, autovacuum_analyze_scale_factor, autovacuum_vacuum_insert_scale_factor)",
        ),
    ]
