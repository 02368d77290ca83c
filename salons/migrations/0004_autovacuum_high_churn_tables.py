"""Per-table autovacuum settings for salons's high-churn tables (the defaults wait for 20 % of a table to be dead).

ALTER TABLE ... SET (storage parameters) takes a SHARE UPDATE EXCLUSIVE lock: reads and writes go on. Reversible
(RESET). What and why: docs/capacity.md, "Vacuum".
"""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("salons", "0003_drop_redundant_salon_indexes"),
    ]

    operations = [
        # Today's row of every salon is rewritten every 5 minutes.
        migrations.RunSQL(
            "ALTER TABLE salons_salondailystats SET (autovacuum_vacuum_scale_factor = 0.02, autovacuum_analyze_scale_factor = 0.05)",
            reverse_sql="ALTER TABLE salons_salondailystats RESET (autovacuum_vacuum_scale_factor, autovacuum_analyze_scale_factor)",
        ),
    ]
