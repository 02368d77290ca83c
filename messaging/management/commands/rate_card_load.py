"""manage.py rate_card_load [--file path]: upsert the WhatsApp rate card from a CSV."""

from pathlib import Path

from django.core.management.base import BaseCommand

from messaging.ratecard import RATE_CARD_CSV, load_rate_card


class Command(BaseCommand):
    help = "Load Meta's per-message prices (currency, market, category, price, effective_from) from a CSV."

    def add_arguments(self, parser):
        parser.add_argument("--file", default=str(RATE_CARD_CSV))

    def handle(self, *args, **options):
        count = load_rate_card(path=Path(options["file"]))
        self.stdout.write(f"rate card: {count} rows loaded")
