"""manage.py db_restore_drill: restore the latest backup into a scratch database, check it, time it, drop it."""

from __future__ import annotations

from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from dbops.connection import admin_dsn
from dbops.errors import BackupError
from dbops.restore import restore_drill


class Command(BaseCommand):
    help = "Prove the latest backup: restore into a scratch DB, compare with its manifest and the code's migrations."

    def add_arguments(self, parser):
        parser.add_argument("--dir", type=Path, default=None, help="backup folder (default: BACKUP_DIR)")
        parser.add_argument("--jobs", type=int, default=None, help="parallel pg_restore jobs")
        parser.add_argument("--progress", action="store_true", default=None, help="show progress even off a TTY")

    def handle(self, *args, **options):
        try:
            result = restore_drill(
                dsn=admin_dsn(),
                backup_dir=options["dir"] or Path(settings.BACKUP_DIR),
                identity=settings.BACKUP_AGE_IDENTITY,
                jobs=options["jobs"] or settings.BACKUP_JOBS,
                show_progress=options["progress"],
            )
        except BackupError as exc:
            self.stdout.write("BENCH restore_drill rows=0 seconds=0 ok=0")
            raise CommandError(f"restore drill failed: {exc}")
        self.stdout.write(
            f"drill: restored {result.backup} into {result.scratch} (dropped); of {result.seconds:.2f}s, "
            f"{result.verify_seconds:.2f}s compared counts and checksums with the manifest"
        )
        if result.missing:
            self.stdout.write(f"migrations in the code but not in the backup: {', '.join(result.missing)}")
        self.stdout.write(result.bench_line())
        if not result.ok:
            raise CommandError("restore drill failed: the backup lacks migrations the code has (run db_backup again)")
