"""Replay stored webhook events: by id, by receive-time range, or every finally failed one."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError
from django.utils.dateparse import parse_datetime
from django.utils.timezone import is_naive, make_aware

from webhooks.relay import events_drain
from webhooks.services import events_replay


def _when(value: str):
    parsed = parse_datetime(value)
    if parsed is None:
        raise CommandError(f"{value!r} is not an ISO date-time (for example 2026-01-31T12:00:00Z)")
    return make_aware(parsed) if is_naive(parsed) else parsed


class Command(BaseCommand):
    help = "Make stored webhook events due again. Items already processed are skipped; the rest run again."

    def add_arguments(self, parser):
        parser.add_argument("ids", nargs="*", type=int, help="Event ids.")
        parser.add_argument(
            "--since", type=_when, help="Events received at or after this ISO date-time (UTC if naive)."
        )
        parser.add_argument("--until", type=_when, help="Events received before this ISO date-time.")
        parser.add_argument("--failed", action="store_true", help="Every event that failed after its last attempt.")
        parser.add_argument(
            "--process", action="store_true", help="Process them now instead of leaving them to relays."
        )

    def handle(self, *args, **options):
        if not (options["ids"] or options["since"] or options["until"] or options["failed"]):
            raise CommandError("name the events: ids, --since/--until, or --failed")
        count = events_replay(
            event_ids=options["ids"],
            received_from=options["since"],
            received_until=options["until"],
            failed=options["failed"],
        )
        self.stdout.write(f"{count} event(s) due again")
        if options["process"] and count:
            self.stdout.write(f"{events_drain(batch_size=100)} event(s) processed")
