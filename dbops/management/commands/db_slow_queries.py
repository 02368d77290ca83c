"""``manage.py db_slow_queries --top N``: the statements that cost the most, from pg_stat_statements."""

from __future__ import annotations

import json

from django.core.management.base import BaseCommand, CommandError

from dbops.health import SLOW_ORDER, StatStatementsUnavailable, slow_queries, stat_statements_ready
from dbops.report import database_cursor, table


class Command(BaseCommand):
    help = "Top statements by total (or mean, max, calls) execution time from pg_stat_statements. --json for machines."

    def add_arguments(self, parser):
        parser.add_argument("--top", type=int, default=20, help="How many statements (default 20).")
        parser.add_argument("--order", choices=sorted(SLOW_ORDER), default="total", help="Sort key (default total).")
        parser.add_argument("--json", action="store_true", help="Print JSON instead of a table.")
        parser.add_argument("--reset", action="store_true", help="Reset the statistics after showing them.")
        parser.add_argument("--database", default="default", help="Django database alias (default: default).")
        parser.add_argument("--database-url", help="Look at another server instead (e.g. a replica).")

    def handle(self, *args, **options):
        with database_cursor(alias=options["database"], url=options["database_url"]) as cursor:
            try:
                stat_statements_ready(cursor)
            except StatStatementsUnavailable as exc:
                raise CommandError(str(exc), returncode=2) from exc
            rows = slow_queries(cursor, top=options["top"], order=options["order"])
            if options["reset"]:
                cursor.execute("SELECT pg_stat_statements_reset()")
        if options["json"]:
            self.stdout.write(json.dumps(rows, indent=2, default=str))
            return
        self.stdout.write(f"Top {options['top']} statements by {options['order']} time (pg_stat_statements)")
        self.stdout.write(
            table(
                rows,
                [
                    "queryid",
                    "calls",
                    "total_ms",
                    "mean_ms",
                    "max_ms",
                    "rows",
                    "cache_hit_ratio",
                    "percent_of_total_time",
                    "query",
                ],
            )
        )
        if options["reset"]:
            self.stdout.write("Statistics reset.")
