"""Per-table autovacuum settings for messaging's high-churn tables (the defaults wait for 20 % of a table to be dead).

ALTER TABLE ... SET (storage parameters) takes a SHARE UPDATE EXCLUSIVE lock: reads and writes go on. Reversible
(RESET). What and why: docs/capacity.md, "Vacuum".
"""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("messaging", "0003_drop_redundant_salon_indexes"),
    ]

    operations = [
        # Status updates (sent, delivered, read) rewrite each outbound row 3-4 times; retention purges.
        migrations.RunSQL(
            "ALTER TABLE messaging_message SET (autovacuum_vacuum_scale_factor = 0.02, autovacuum_analyze_scale_factor = 0.02, autovacuum_vacuum_insert_scale_factor = 0.05)",
            reverse_sql="ALTER TABLE messaging_message RESET (autovacuum_vacuum_scale_factor, autovacuum_analyze_scale_factor, autovacuum_vacuum_insert_scale_factor)",
        ),
        # last_message_at and the window move on every message.
        migrations.RunSQL(
            "ALTER TABLE messaging_conversation SET (autovacuum_vacuum_scale_factor = 0.05, autovacuum_analyze_scale_factor = 0.05)",
            reverse_sql="ALTER TABLE messaging_conversation RESET (autovacuum_vacuum_scale_factor, autovacuum_analyze_scale_factor)",
        ),
    ]
