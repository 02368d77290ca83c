"""manage.py db_restore: verify a backup against its manifest, then restore it into a named database."""

from __future__ import annotations

from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connections

from dbops.backup import latest_backup
from dbops.connection import admin_dsn
from dbops.errors import BackupError
from dbops.restore import backup_restore, verify_files


class Command(BaseCommand):
    help = "Restore a backup (default: the latest) into --target; the live database only with --force."

    def add_arguments(self, parser):
        parser.add_argument("backup", nargs="?", type=Path, help="backup folder (default: latest in BACKUP_DIR)")
        parser.add_argument("--target", help="database to restore into (must not exist unless --force)")
        parser.add_argument("--dir", type=Path, default=None, help="backup folder to pick the latest from")
        parser.add_argument("--force", action="store_true", help="replace an existing target (kept, renamed aside)")
        parser.add_argument("--verify-only", action="store_true", help="only check the files against the manifest")
        parser.add_argument("--jobs", type=int, default=None, help="parallel pg_restore jobs")
        parser.add_argument("--no-owner", action="store_true", help="skip ownership and grants (roles missing)")
        parser.add_argument("--progress", action="store_true", default=None, help="show progress even off a TTY")

    def handle(self, *args, **options):
        dsn = admin_dsn()
        try:
            folder = options["backup"] or latest_backup(options["dir"] or Path(settings.BACKUP_DIR), dsn.dbname)[0]
            if options["verify_only"]:
                manifest = verify_files(folder)
                self.stdout.write(f"ok: {folder} matches its manifest (sha256 {manifest['sha256']})")
                return
            if not options["target"]:
                raise CommandError("--target is required (the database to restore into)")
            if options["force"]:
                connections.close_all()  # our own connections must not hold the database being replaced
            result = backup_restore(
                folder=folder,
                dsn=dsn,
                target=options["target"],
                live_database=dsn.dbname,
                force=options["force"],
                identity=settings.BACKUP_AGE_IDENTITY,
                jobs=options["jobs"] or settings.BACKUP_JOBS,
                no_owner=options["no_owner"],
                show_progress=options["progress"],
            )
        except BackupError as exc:
            raise CommandError(str(exc))
        self.stdout.write(
            f"restored {folder} into {result.target}: {result.rows} rows, counts and checksums match the manifest, "
            f"{result.seconds:.2f}s"
        )
        if result.replaced:
            self.stdout.write(f"the previous {result.target} is kept as {result.replaced} (drop it when satisfied)")
