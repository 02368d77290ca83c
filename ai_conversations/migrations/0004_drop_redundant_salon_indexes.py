"""Drop the single-column salon_id index of every ai_conversations tenant table (an index leading with salon serves it).

Concurrently and outside a transaction: no ACCESS EXCLUSIVE lock is held while the index goes, so reads and writes
continue during the migration on a live database. Reversible (the index is rebuilt concurrently). The gain is measured
by ``manage.py bench_index_hygiene`` (docs/capacity.md).
"""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    atomic = False

    dependencies = [
        ("ai_conversations", "0003_stats_indexes"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="aiconversation",
                    name="salon",
                    field=models.ForeignKey(
                        db_index=False,
                        editable=False,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to="salons.salon",
                    ),
                ),
            ],
            database_operations=[
                migrations.RunSQL(
                    "DROP INDEX CONCURRENTLY IF EXISTS ai_conversations_aiconversation_salon_id_397148f4",
                    reverse_sql="CREATE INDEX CONCURRENTLY IF NOT EXISTS ai_conversations_aiconversation_salon_id_397148f4 ON ai_conversations_aiconversation (salon_id)",
                ),
            ],
        ),
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="aimessage",
                    name="salon",
                    field=models.ForeignKey(
                        db_index=False,
                        editable=False,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to="salons.salon",
                    ),
                ),
            ],
            database_operations=[
                migrations.RunSQL(
                    "DROP INDEX CONCURRENTLY IF EXISTS ai_conversations_aimessage_salon_id_ba722024",
                    reverse_sql="CREATE INDEX CONCURRENTLY IF NOT EXISTS ai_conversations_aimessage_salon_id_ba722024 ON ai_conversations_aimessage (salon_id)",
                ),
            ],
        ),
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="assistantsettings",
                    name="salon",
                    field=models.ForeignKey(
                        db_index=False,
                        editable=False,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to="salons.salon",
                    ),
                ),
            ],
            database_operations=[
                migrations.RunSQL(
                    "DROP INDEX CONCURRENTLY IF EXISTS ai_conversations_assistantsettings_salon_id_50af4a53",
                    reverse_sql="CREATE INDEX CONCURRENTLY IF NOT EXISTS ai_conversations_assistantsettings_salon_id_50af4a53 ON ai_conversations_assistantsettings (salon_id)",
                ),
            ],
        ),
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="intentdailystat",
                    name="salon",
                    field=models.ForeignKey(
                        db_index=False,
                        editable=False,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to="salons.salon",
                    ),
                ),
            ],
            database_operations=[
                migrations.RunSQL(
                    "DROP INDEX CONCURRENTLY IF EXISTS ai_conversations_intentdailystat_salon_id_9c86796e",
                    reverse_sql="CREATE INDEX CONCURRENTLY IF NOT EXISTS ai_conversations_intentdailystat_salon_id_9c86796e ON ai_conversations_intentdailystat (salon_id)",
                ),
            ],
        ),
    ]
