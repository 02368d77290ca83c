"""Seed the rate card from messaging/data/rate_card.csv (manage.py rate_card_load reloads it later)."""

from django.db import migrations


def seed(apps, schema_editor):
    from messaging.ratecard import load_rate_card

    load_rate_card(apps.get_model("messaging", "RateCard"))


class Migration(migrations.Migration):
    dependencies = [("messaging", "0001_initial")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
