"""Delete processed and ignored webhook events older than a given age (failed ones are kept)."""

from __future__ import annotations

import re
from datetime import timedelta

from django.core.management.base import BaseCommand, CommandError

from webhooks.services import events_purge

_AGE = re.compile(r"^(\d+)([dh])$")


def _age(value: str) -> timedelta:
    match = _AGE.match(value.strip())
    if not match:
        raise CommandError(f"{value!r}: use a number of days or hours, for example 30d or 12h")
    amount, unit = int(match.group(1)), match.group(2)
    return timedelta(days=amount) if unit == "d" else timedelta(hours=amount)


class Command(BaseCommand):
    help = "Delete processed/ignored webhook events received longer ago than --older-than (default 30d)."

    def add_arguments(self, parser):
        parser.add_argument("--older-than", default="30d", help="Age such as 30d or 12h (default 30d).")

    def handle(self, *args, **options):
        count = events_purge(older_than=_age(options["older_than"]))
        self.stdout.write(f"{count} event(s) deleted")
