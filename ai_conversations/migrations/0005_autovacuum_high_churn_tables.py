"""Per-table autovacuum settings for ai_conversations's high-churn tables (the defaults wait for 20 % of a table to be dead).

ALTER TABLE ... SET (storage parameters) takes a SHARE UPDATE EXCLUSIVE lock: reads and writes go on. Reversible
(RESET). What and why: docs/capacity.md, "Vacuum".
"""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("ai_conversations", "0004_drop_redundant_salon_indexes"),
    ]

    operations = [
        # Insert-mostly, trimmed by retention_purge.
        migrations.RunSQL(
            "ALTER TABLE ai_conversations_aimessage SET (autovacuum_vacuum_insert_scale_factor = 0.05, autovacuum_analyze_scale_factor = 0.05)",
            reverse_sql="ALTER TABLE ai_conversations_aimessage RESET (autovacuum_vacuum_insert_scale_factor, autovacuum_analyze_scale_factor)",
        ),
        # Today's rows are rewritten every 15 minutes.
        migrations.RunSQL(
            "ALTER TABLE ai_conversations_intentdailystat SET (autovacuum_vacuum_scale_factor = 0.05, autovacuum_analyze_scale_factor = 0.05)",
            reverse_sql="ALTER TABLE ai_conversations_intentdailystat RESET (autovacuum_vacuum_scale_factor, autovacuum_analyze_scale_factor)",
        ),
    ]
