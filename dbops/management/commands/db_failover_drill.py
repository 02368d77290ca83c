"""``manage.py db_failover_drill``: promote the replica of a throwaway pair while writes are committed; count losses."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from dbops.failover import find_pgbouncer, run_drill


class Command(BaseCommand):
    help = (
        "Kill the primary of a throwaway primary/replica pair while a writer commits through PgBouncer, promote the "
        "replica, re-point the pooler, pg_rewind the old primary, and count committed rows that were lost."
    )

    def add_arguments(self, parser):
        parser.add_argument("--seconds-before", type=float, default=2.0, help="Writes before the primary is killed.")
        parser.add_argument("--seconds-after", type=float, default=2.0, help="Writes after the promotion.")
        parser.add_argument("--pgbouncer", default=None, help="pgbouncer binary (default: found on PATH, /usr/sbin).")
        parser.add_argument("--direct", action="store_true", help="Write directly, without PgBouncer.")

    def handle(self, *args, **options):
        pgbouncer = None if options["direct"] else (options["pgbouncer"] or find_pgbouncer())
        if not options["direct"] and pgbouncer is None:
            raise CommandError("pgbouncer not found (install the Debian package pgbouncer, or pass --direct)")
        result = run_drill(
            seconds_before=options["seconds_before"],
            seconds_after=options["seconds_after"],
            pgbouncer=pgbouncer,
            log=lambda line: self.stderr.write(line),
        )
        self.stdout.write(result.bench_line())
        if not result.ok:
            raise CommandError("failover drill failed: " + result.bench_line())
