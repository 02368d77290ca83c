"""manage.py db_pitr_drill: point-in-time recovery on a throwaway cluster, with RPO and RTO measured."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from dbops.errors import BackupError
from dbops.pitr import pitr_drill


class Command(BaseCommand):
    help = "Base backup + WAL archive on a throwaway cluster, recover to a noted time, check markers A/B."

    def add_arguments(self, parser):
        parser.add_argument(
            "--archive-timeout", type=int, default=5, help="archive_timeout of the drill cluster (the RPO bound)"
        )

    def handle(self, *args, **options):
        try:
            result = pitr_drill(
                archive_timeout=options["archive_timeout"], log=lambda line: self.stderr.write(f"pitr: {line}")
            )
        except BackupError as exc:
            self.stdout.write("BENCH pitr_drill rpo_seconds=0 rto_seconds=0 ok=0")
            raise CommandError(f"PITR drill failed: {exc}")
        self.stdout.write(
            f"recovered to {result.target_time}: markers present {result.present} (expected ['A'], B after target)"
        )
        self.stdout.write(result.bench_line())
        if not result.ok:
            raise CommandError("PITR drill failed: the recovered database does not hold exactly marker A")
