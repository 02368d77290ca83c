"""``manage.py db_health``: connections, long transactions, lock waits, sizes, index and vacuum health."""

from __future__ import annotations

import json

from django.core.management.base import BaseCommand

from dbops.health import health_report
from dbops.report import database_cursor, human_bytes, table


class Command(BaseCommand):
    help = (
        "Show the database's health: connections by state, long transactions, lock waits, cache hit ratio, table "
        "and index sizes, unused and redundant indexes, dead tuples and last autovacuum. --json for machines."
    )

    def add_arguments(self, parser):
        parser.add_argument("--json", action="store_true", help="Print one JSON document instead of tables.")
        parser.add_argument("--limit", type=int, default=15, help="Rows per size/dead-tuple section (default 15).")
        parser.add_argument(
            "--long-seconds", type=float, default=60, help="A transaction open this long is listed (default 60)."
        )
        parser.add_argument("--database", default="default", help="Django database alias (default: default).")
        parser.add_argument("--database-url", help="Look at another server instead (e.g. a replica).")

    def handle(self, *args, **options):
        with database_cursor(alias=options["database"], url=options["database_url"]) as cursor:
            report = health_report(cursor, limit=options["limit"], long_seconds=options["long_seconds"])
        if options["json"]:
            self.stdout.write(json.dumps(report, indent=2, default=str))
            return
        self.stdout.write(self.render(report, long_seconds=options["long_seconds"]))

    def render(self, report: dict, *, long_seconds: float) -> str:
        limit = report["connection_limit"]
        ratio = report["cache_hit_ratio"]
        out = [
            f"Database {report['database']}: {report['server_version'].split(' on ')[0]}, as {report['user']}",
        ]
        if not report["sees_all_sessions"]:
            out.append(
                "  (this role sees other roles' sessions without query, state or timings: set DATABASE_ADMIN_URL, "
                "or GRANT pg_read_all_stats to it)"
            )
        out += [
            "",
            f"== Connections: {limit['client_connections']} clients of max_connections {limit['max_connections']} "
            f"({limit['reserved']} reserved)",
            table(report["connections_by_state"], ["state", "connections", "longest_seconds"]),
            "",
            f"== Transactions open longer than {long_seconds:g} s",
            table(
                report["long_transactions"],
                ["pid", "user", "application_name", "state", "transaction_seconds", "wait_event_type", "query"],
            ),
            "",
            "== Lock waits",
            table(report["lock_waits"], ["waiting_pid", "blocked_by", "waiting_seconds", "lock_type", "waiting_query"]),
            "",
            f"== Cache hit ratio: database {ratio['database']}, tables {ratio['tables']}, indexes {ratio['indexes']}"
            " (healthy: above 0.99 on a warm server)",
            "",
            "== Largest tables",
            table(
                report["table_sizes"],
                ["table", "rows_estimate", "table_bytes", "index_bytes", "total_bytes", "indexes"],
                sizes=("table_bytes", "index_bytes", "total_bytes"),
            ),
            "",
            "== Largest indexes",
            table(report["index_sizes"], ["table", "index", "bytes", "scans"], sizes=("bytes",)),
            "",
            "== Unused indexes (no scan since the statistics were reset; constraint indexes left out)",
            table(report["unused_indexes"], ["table", "index", "bytes"], sizes=("bytes",)),
            "",
            "== Redundant indexes (their columns lead another index on the same table)",
            table(
                report["redundant_indexes"],
                ["table", "index", "columns", "covered_by", "covered_by_columns", "bytes"],
                sizes=("bytes",),
            ),
        ]
        if report["redundant_indexes"]:
            total = sum(row["bytes"] for row in report["redundant_indexes"])
            out.append(f"  {len(report['redundant_indexes'])} redundant, {human_bytes(total)}")
        out += [
            "",
            "== Dead tuples and vacuum",
            table(
                report["dead_tuples"],
                ["table", "live", "dead", "dead_ratio", "last_autovacuum", "last_autoanalyze", "autovacuum_count"],
            ),
            "",
        ]
        return "\n".join(out)
