"""manage.py db_backup: pg_dump plus manifest into BACKUP_DIR, optional age encryption, then retention pruning."""

from __future__ import annotations

import sys
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from dbops import metrics
from dbops.backup import FORMATS, backup_create, prune_backups
from dbops.connection import admin_dsn
from dbops.errors import BackupError


class Command(BaseCommand):
    help = "Back up the database (pg_dump + manifest with sha256, versions, migrations, row counts and checksums)."

    def add_arguments(self, parser):
        parser.add_argument("--dir", type=Path, default=None, help="backup folder (default: BACKUP_DIR)")
        parser.add_argument("--format", choices=FORMATS, default=None, help="pg_dump format (default: BACKUP_FORMAT)")
        parser.add_argument("--jobs", type=int, default=None, help="parallel dump jobs (directory format)")
        parser.add_argument("--no-encrypt", action="store_true", help="ignore BACKUP_AGE_RECIPIENTS for this run")
        parser.add_argument("--keep-daily", type=int, default=None)
        parser.add_argument("--keep-weekly", type=int, default=None)
        parser.add_argument("--keep-monthly", type=int, default=None)
        parser.add_argument("--no-prune", action="store_true", help="keep every backup (no retention pass)")
        parser.add_argument("--progress", action="store_true", default=None, help="show progress even off a TTY")

    def handle(self, *args, **options):
        backup_dir = options["dir"] or Path(settings.BACKUP_DIR)
        dsn = admin_dsn()
        try:
            result = backup_create(
                dsn=dsn,
                backup_dir=backup_dir,
                fmt=options["format"] or settings.BACKUP_FORMAT,
                jobs=options["jobs"] or settings.BACKUP_JOBS,
                recipients=[] if options["no_encrypt"] else settings.BACKUP_AGE_RECIPIENTS,
                show_progress=options["progress"],
            )
        except BackupError as exc:
            raise CommandError(str(exc))
        manifest = result.manifest
        metrics.observe(manifest)
        encrypted = " (age-encrypted)" if manifest["encryption"] else ""
        self.stdout.write(
            f"backup {result.path}{encrypted}: {manifest['bytes']} bytes, {len(manifest['tables'])} tables, "
            f"{manifest['rows']} rows, sha256 {manifest['sha256']}, {manifest['seconds']:.2f}s"
        )
        if options["no_prune"]:
            return
        kept, deleted = prune_backups(
            backup_dir,
            database=dsn.dbname,
            daily=_pick(options["keep_daily"], settings.BACKUP_KEEP_DAILY),
            weekly=_pick(options["keep_weekly"], settings.BACKUP_KEEP_WEEKLY),
            monthly=_pick(options["keep_monthly"], settings.BACKUP_KEEP_MONTHLY),
        )
        for folder in deleted:
            self.stdout.write(f"pruned {folder}")
        self.stdout.write(f"retention: kept {len(kept)}, pruned {len(deleted)}")
        sys.stdout.flush()


def _pick(value: int | None, default: int) -> int:
    return default if value is None else value
