"""Drop the single-column salon_id index of every salons tenant table (an index leading with salon serves it).

Concurrently and outside a transaction: no ACCESS EXCLUSIVE lock is held while the index goes, so reads and writes
continue during the migration on a live database. Reversible (the index is rebuilt concurrently). The gain is measured
by ``manage.py bench_index_hygiene`` (docs/capacity.md).
"""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    atomic = False

    dependencies = [
        ("salons", "0002_salondailystats"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="apikey",
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
                    "DROP INDEX CONCURRENTLY IF EXISTS salons_apikey_salon_id_11a319ee",
                    reverse_sql="CREATE INDEX CONCURRENTLY IF NOT EXISTS salons_apikey_salon_id_11a319ee ON salons_apikey (salon_id)",
                ),
            ],
        ),
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="customer",
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
                    "DROP INDEX CONCURRENTLY IF EXISTS salons_customer_salon_id_ddf1ee5a",
                    reverse_sql="CREATE INDEX CONCURRENTLY IF NOT EXISTS salons_customer_salon_id_ddf1ee5a ON salons_customer (salon_id)",
                ),
            ],
        ),
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="membership",
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
                    "DROP INDEX CONCURRENTLY IF EXISTS salons_membership_salon_id_1d45f603",
                    reverse_sql="CREATE INDEX CONCURRENTLY IF NOT EXISTS salons_membership_salon_id_1d45f603 ON salons_membership (salon_id)",
                ),
            ],
        ),
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="salondailystats",
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
                    "DROP INDEX CONCURRENTLY IF EXISTS salons_salondailystats_salon_id_d021369c",
                    reverse_sql="CREATE INDEX CONCURRENTLY IF NOT EXISTS salons_salondailystats_salon_id_d021369c ON salons_salondailystats (salon_id)",
                ),
            ],
        ),
    ]
