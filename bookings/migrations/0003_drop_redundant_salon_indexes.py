"""Drop the single-column salon_id index of every bookings tenant table (an index leading with salon serves it).

Concurrently and outside a transaction: no ACCESS EXCLUSIVE lock is held while the index goes, so reads and writes
continue during the migration on a live database. Reversible (the index is rebuilt concurrently). The gain is measured
by ``manage.py bench_index_hygiene`` (docs/capacity.md).
"""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    atomic = False

    dependencies = [
        ("bookings", "0002_stats_indexes"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="booking",
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
                    "DROP INDEX CONCURRENTLY IF EXISTS bookings_booking_salon_id_bec65eb1",
                    reverse_sql="CREATE INDEX CONCURRENTLY IF NOT EXISTS bookings_booking_salon_id_bec65eb1 ON bookings_booking (salon_id)",
                ),
            ],
        ),
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="bookingevent",
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
                    "DROP INDEX CONCURRENTLY IF EXISTS bookings_bookingevent_salon_id_29ff002e",
                    reverse_sql="CREATE INDEX CONCURRENTLY IF NOT EXISTS bookings_bookingevent_salon_id_29ff002e ON bookings_bookingevent (salon_id)",
                ),
            ],
        ),
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="reminder",
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
                    "DROP INDEX CONCURRENTLY IF EXISTS bookings_reminder_salon_id_4118146e",
                    reverse_sql="CREATE INDEX CONCURRENTLY IF NOT EXISTS bookings_reminder_salon_id_4118146e ON bookings_reminder (salon_id)",
                ),
            ],
        ),
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="service",
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
                    "DROP INDEX CONCURRENTLY IF EXISTS bookings_service_salon_id_67b3d462",
                    reverse_sql="CREATE INDEX CONCURRENTLY IF NOT EXISTS bookings_service_salon_id_67b3d462 ON bookings_service (salon_id)",
                ),
            ],
        ),
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="staffmember",
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
                    "DROP INDEX CONCURRENTLY IF EXISTS bookings_staffmember_salon_id_704837b1",
                    reverse_sql="CREATE INDEX CONCURRENTLY IF NOT EXISTS bookings_staffmember_salon_id_704837b1 ON bookings_staffmember (salon_id)",
                ),
            ],
        ),
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="staffservice",
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
                    "DROP INDEX CONCURRENTLY IF EXISTS bookings_staffservice_salon_id_25f07ffc",
                    reverse_sql="CREATE INDEX CONCURRENTLY IF NOT EXISTS bookings_staffservice_salon_id_25f07ffc ON bookings_staffservice (salon_id)",
                ),
            ],
        ),
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="timeoff",
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
                    "DROP INDEX CONCURRENTLY IF EXISTS bookings_timeoff_salon_id_5e24717a",
                    reverse_sql="CREATE INDEX CONCURRENTLY IF NOT EXISTS bookings_timeoff_salon_id_5e24717a ON bookings_timeoff (salon_id)",
                ),
            ],
        ),
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="workinghours",
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
                    "DROP INDEX CONCURRENTLY IF EXISTS bookings_workinghours_salon_id_b24ac7e3",
                    reverse_sql="CREATE INDEX CONCURRENTLY IF NOT EXISTS bookings_workinghours_salon_id_b24ac7e3 ON bookings_workinghours (salon_id)",
                ),
            ],
        ),
    ]
