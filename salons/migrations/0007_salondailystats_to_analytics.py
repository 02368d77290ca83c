"""SalonDailyStats moves to the analytics app by state only: the table ``salons_salondailystats`` and every row stay
(analytics/migrations/0001_initial.py takes the model over under the same table name). No SQL runs; reversible."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("salons", "0006_invitation_salon_index_hygiene"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.DeleteModel(name="SalonDailyStats")],
            database_operations=[],
        ),
    ]
