"""manage.py db_basebackup: WAL archiving and base backups for a self-managed server (the embedded default)."""

from __future__ import annotations

from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from dbops.connection import admin_dsn
from dbops.errors import BackupError
from dbops.physical import archiving_enable, basebackup_create


class Command(BaseCommand):
    help = "Take a base backup (full, or --incremental on the newest) into BACKUP_DIR/base; --enable-archiving first."

    def add_arguments(self, parser):
        parser.add_argument("--dir", type=Path, default=None, help="default: BACKUP_DIR/base")
        parser.add_argument("--incremental", action="store_true", help="on top of the newest base backup (PG 17+)")
        parser.add_argument(
            "--enable-archiving",
            type=Path,
            metavar="ARCHIVE_DIR",
            default=None,
            help="ALTER SYSTEM archive_command into this folder (restart the server to apply), then back up",
        )

    def handle(self, *args, **options):
        dsn = admin_dsn()
        base_dir = options["dir"] or Path(settings.BACKUP_DIR) / "base"
        try:
            if options["enable_archiving"]:
                restart = archiving_enable(dsn=dsn, archive_dir=options["enable_archiving"])
                self.stdout.write(f"WAL archiving into {options['enable_archiving']} configured")
                if restart:
                    self.stdout.write("restart PostgreSQL to turn archiving on, then run db_basebackup again")
                    return
            target = basebackup_create(dsn=dsn, base_dir=base_dir, incremental=options["incremental"])
        except BackupError as exc:
            raise CommandError(str(exc))
        self.stdout.write(f"base backup {target} ({'incremental' if options['incremental'] else 'full, verified'})")
