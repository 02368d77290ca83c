"""``manage.py pgbouncer_local``: a PgBouncer (transaction mode) in front of the configured database's server, until
Ctrl-C; prints the DATABASE_URL to run anything (a bench, the app) through it with DATABASE_POOLER=pgbouncer."""

from __future__ import annotations

import signal
import threading

from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from dbops.failover import find_pgbouncer
from dbops.pgbouncer import PgBouncer


class Command(BaseCommand):
    help = "Run Debian's pgbouncer in transaction mode in front of the configured PostgreSQL server (Ctrl-C stops)."

    def add_arguments(self, parser):
        parser.add_argument("--pool-size", type=int, default=20, help="Server connections per database and user.")

    def handle(self, *args, **options):
        executable = find_pgbouncer()
        if executable is None:
            raise CommandError("pgbouncer not found: install the Debian package pgbouncer")
        params = connection.settings_dict
        user = params.get("USER") or "postgres"
        bouncer = PgBouncer(
            executable,
            upstream_host=params.get("HOST") or "127.0.0.1",
            upstream_port=int(params.get("PORT") or 5432),
            pool_size=options["pool_size"],
            users=tuple({user, "postgres"}),
            admin_user=user,
        ).start()
        stopped = threading.Event()
        signal.signal(signal.SIGTERM, lambda *_: stopped.set())
        signal.signal(signal.SIGINT, lambda *_: stopped.set())
        self.stdout.write(
            f"DATABASE_URL=postgres://{user}@127.0.0.1:{bouncer.port}/{params['NAME']} DATABASE_POOLER=pgbouncer",
        )
        self.stdout.flush()
        try:
            stopped.wait()
        finally:
            bouncer.destroy()
