"""IntentDailyStat moves to the analytics app by state only: the table ``ai_conversations_intentdailystat`` and every
row stay (analytics/migrations/0001_initial.py takes the model over under the same table name). No SQL runs;
reversible."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("ai_conversations", "0005_autovacuum_high_churn_tables"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.DeleteModel(name="IntentDailyStat")],
            database_operations=[],
        ),
    ]
