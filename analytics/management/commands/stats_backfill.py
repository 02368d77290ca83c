"""`manage.py stats_backfill --from YYYY-MM-DD --to YYYY-MM-DD [--salon ID|SLUG]`: (re)build daily stats rows."""

from __future__ import annotations

from datetime import date, timedelta

from django.core.management.base import BaseCommand, CommandError

from analytics.services import salon_stats_rollup
from salons.management.commands._common import salon_from_arg
from salons.models import Salon


def _day(value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise CommandError(f"{value!r} is not a date (YYYY-MM-DD).")


class Command(BaseCommand):
    help = "Recompute SalonDailyStats for a range of salon-local days (idempotent; past days are stored final)."

    def add_arguments(self, parser):
        parser.add_argument("--from", dest="start", required=True, type=_day, help="First local day, YYYY-MM-DD")
        parser.add_argument("--to", dest="end", required=True, type=_day, help="Last local day, YYYY-MM-DD")
        parser.add_argument("--salon", help="Salon id or slug (default: every active salon)")

    def handle(self, *args, start: date, end: date, salon: str | None = None, **options):
        if end < start:
            raise CommandError("--to is before --from.")
        if salon:
            salons = [salon_from_arg(salon)]
        else:
            salons = list(Salon.objects.filter(is_active=True).defer("whatsapp_access_token").order_by("name"))
        days = (end - start).days + 1
        for one in salons:
            for offset in range(days):
                salon_stats_rollup(salon=one, day=start + timedelta(days=offset))
            self.stdout.write(f"{one.name}: {days} day(s) {start}..{end}")
        self.stdout.write(self.style.SUCCESS(f"Backfilled {len(salons) * days} salon-day(s)."))
