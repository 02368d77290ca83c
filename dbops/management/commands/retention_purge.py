"""``manage.py retention_purge``: delete rows past each table's retention, in batches, with progress."""

from __future__ import annotations

from django.conf import settings
from django.core.management.base import BaseCommand

from dbops.retention import POLICIES, PurgeResult, retention_purge


class Command(BaseCommand):
    help = "Delete messages, AI messages, booking events and webhook events older than their retention (RETENTION_*)."

    def add_arguments(self, parser):
        parser.add_argument("--table", choices=sorted(POLICIES), action="append", help="Only these (repeatable).")
        parser.add_argument("--days", type=int, help="Override the retention in days for this run.")
        parser.add_argument("--batch-size", type=int, default=2000, help="Rows per delete transaction (default 2000).")
        parser.add_argument("--dry-run", action="store_true", help="Count what would be deleted; delete nothing.")
        parser.add_argument("--max-seconds", type=float, help="Stop after this long (continue at the next run).")

    def handle(self, *args, **options):
        for name in options["table"] or list(POLICIES):
            days = options["days"] if options["days"] is not None else settings.RETENTION_DAYS[name]
            if days <= 0:
                self.stdout.write(f"{name}: kept forever (retention 0)")
                continue
            result = retention_purge(
                name=name,
                days=days,
                batch_size=options["batch_size"],
                dry_run=options["dry_run"],
                max_seconds=options["max_seconds"],
                progress=self._progress,
            )
            verb = "would delete" if options["dry_run"] else "deleted"
            tail = "" if result.finished else " (stopped at --max-seconds; run again to continue)"
            self.stdout.write(
                f"{name}: {verb} {result.deleted} row(s) older than {days} days "
                f"(before {result.cutoff:%Y-%m-%d %H:%M} UTC) in {result.batches} batch(es){tail}"
            )

    def _progress(self, result: PurgeResult) -> None:
        self.stdout.write(f"  {result.name}: batch {result.batches}, {result.deleted} deleted so far")
