"""manage.py db_backup: pg_dump plus manifest into BACKUP_DIR, optional age encryption, then retention pruning."""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from dbops.backup import FORMATS
from dbops.errors import BackupError
from dbops.services import backup_and_prune


class Command(BaseCommand):
    help = "Back up the database (pg_dump + manifest with sha256, versions, migrations, row counts and checksums)."

    def add_arguments(self, parser):
        parser.add_argument("--dir", type=Path, default=None, help="backup folder (default: BACKUP_DIR)")
        parser.add_argument("--format", choices=FORMATS, default=None, help="pg_dump format (default: BACKUP_FORMAT)")
        parser.add_argument("--jobs", type=int, default=None, help="parallel dump jobs (directory format)")
        parser.add_argument("--no-encrypt", action="store_true", help="ignore BACKUP_AGE_RECIPIENTS for this run")
        parser.add_argument("--keep-daily", type=int, default=None, help="default BACKUP_KEEP_DAILY (7)")
        parser.add_argument("--keep-weekly", type=int, default=None, help="default BACKUP_KEEP_WEEKLY (4)")
        parser.add_argument("--keep-monthly", type=int, default=None, help="default BACKUP_KEEP_MONTHLY (12)")
        parser.add_argument("--no-prune", action="store_true", help="keep every backup (no retention pass)")
        parser.add_argument("--progress", action="store_true", default=None, help="show progress even off a TTY")

    def handle(self, *args, **options):
        try:
            run = backup_and_prune(
                backup_dir=options["dir"],
                fmt=options["format"],
                jobs=options["jobs"],
                encrypt=not options["no_encrypt"],
                keep_daily=options["keep_daily"],
                keep_weekly=options["keep_weekly"],
                keep_monthly=options["keep_monthly"],
                prune=not options["no_prune"],
                show_progress=options["progress"],
            )
        except BackupError as exc:
            raise CommandError(str(exc))
        manifest = run.backup.manifest
        encrypted = " (age-encrypted)" if manifest["encryption"] else ""
        self.stdout.write(
            f"backup {run.backup.path}{encrypted}: {manifest['bytes']} bytes, {len(manifest['tables'])} tables, "
            f"{manifest['rows']} rows, sha256 {manifest['sha256']}, {manifest['seconds']:.2f}s"
        )
        if options["no_prune"]:
            return
        for folder in run.pruned:
            self.stdout.write(f"pruned {folder}")
        self.stdout.write(f"retention: kept {len(run.kept)}, pruned {len(run.pruned)}")
