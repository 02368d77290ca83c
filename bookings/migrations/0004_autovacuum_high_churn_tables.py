"""Per-table autovacuum settings for bookings's high-churn tables (the defaults wait for 20 % of a table to be dead).

ALTER TABLE ... SET (storage parameters) takes a SHARE UPDATE EXCLUSIVE lock: reads and writes go on. Reversible
(RESET). What and why: docs/capacity.md, "Vacuum".
"""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("bookings", "0003_drop_redundant_salon_indexes"),
    ]

    operations = [
        # Rows are created, marked sent and purged with their bookings.
        migrations.RunSQL(
            "ALTER TABLE bookings_reminder SET (autovacuum_vacuum_scale_factor = 0.05, autovacuum_analyze_scale_factor = 0.05)",
            reverse_sql="ALTER TABLE bookings_reminder RESET (autovacuum_vacuum_scale_factor, autovacuum_analyze_scale_factor)",
        ),
        # Insert-only, trimmed by retention_purge.
        migrations.RunSQL(
            "ALTER TABLE bookings_bookingevent SET (autovacuum_vacuum_insert_scale_factor = 0.05, autovacuum_analyze_scale_factor = 0.05)",
            reverse_sql="ALTER TABLE bookings_bookingevent RESET (autovacuum_vacuum_insert_scale_factor, autovacuum_analyze_scale_factor)",
        ),
    ]
