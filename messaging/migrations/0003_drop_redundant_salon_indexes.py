"""Drop the single-column salon_id index of every messaging tenant table (an index leading with salon serves it).

Concurrently and outside a transaction: no ACCESS EXCLUSIVE lock is held while the index goes, so reads and writes
continue during the migration on a live database. Reversible (the index is rebuilt concurrently). The gain is measured
by ``manage.py bench_index_hygiene`` (docs/capacity.md).
"""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    atomic = False

    dependencies = [
        ("messaging", "0002_seed_rate_card"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="conversation",
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
                    "DROP INDEX CONCURRENTLY IF EXISTS messaging_conversation_salon_id_2aafd3d9",
                    reverse_sql="CREATE INDEX CONCURRENTLY IF NOT EXISTS messaging_conversation_salon_id_2aafd3d9 ON messaging_conversation (salon_id)",
                ),
            ],
        ),
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="message",
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
                    "DROP INDEX CONCURRENTLY IF EXISTS messaging_message_salon_id_2cd3e18b",
                    reverse_sql="CREATE INDEX CONCURRENTLY IF NOT EXISTS messaging_message_salon_id_2cd3e18b ON messaging_message (salon_id)",
                ),
            ],
        ),
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="messagetemplate",
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
                    "DROP INDEX CONCURRENTLY IF EXISTS messaging_messagetemplate_salon_id_e1672e0a",
                    reverse_sql="CREATE INDEX CONCURRENTLY IF NOT EXISTS messaging_messagetemplate_salon_id_e1672e0a ON messaging_messagetemplate (salon_id)",
                ),
            ],
        ),
    ]
