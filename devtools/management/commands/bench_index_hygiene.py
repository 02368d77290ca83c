"""``manage.py bench_index_hygiene``: message and booking insert rates before and after the index-hygiene migrations.

One run: a sibling database ``chairside_bench_index_s<N>`` is loaded by ``bench_seed`` (every migration applied), then
migrated back to before the index hygiene (the 19 single-column salon_id indexes return, the autovacuum settings go),
the inserts are timed, the database is migrated forward again and the same inserts are timed; the two schemas
alternate ``--alternations`` times (before, after, before, after, ...) so that load from other processes on the host
hits both alike, and each rate is the median over every round of its phase. Each phase starts from
``VACUUM ANALYZE``; each timed round is rolled back, so both phases insert into the same rows. Prints BENCH lines.
"""

from __future__ import annotations

import os
import statistics
import time

import psycopg
from django.core.management import call_command
from django.core.management.base import BaseCommand
from django.db import connection

from devtools.analytics_bench import bench

# The migrations just before index hygiene, per app (migrating to them re-creates the dropped indexes).
BEFORE = [
    ("salons", "0002_salondailystats"),
    ("bookings", "0002_stats_indexes"),
    ("messaging", "0002_seed_rate_card"),
    ("ai_conversations", "0003_stats_indexes"),
]
CHILD_PHASES = "BENCH_INDEX_HYGIENE_CHILD"


def _copy_sql(cursor, table: str, overrides: dict[str, str], where: str) -> str:
    """INSERT INTO table (every writable column but id) SELECT the same columns (some overridden) FROM table."""
    cursor.execute(
        "SELECT column_name FROM information_schema.columns WHERE table_name = %s AND column_name <> 'id' "
        "AND is_generated = 'NEVER' ORDER BY ordinal_position",
        [table],
    )
    columns = [row[0] for row in cursor.fetchall()]
    select = ", ".join(overrides.get(column, column) for column in columns)
    return f"INSERT INTO {table} ({', '.join(columns)}) SELECT {select} FROM {table} {where}"  # noqa: S608


class Command(BaseCommand):
    help = "Time message and booking inserts before and after the index-hygiene migrations (prints BENCH lines)."

    def add_arguments(self, parser):
        parser.add_argument("--scale", type=int, default=1, help="bench_seed scale of the data (default 1).")
        parser.add_argument("--rows", type=int, default=5000, help="Rows per batch round (default 5000).")
        parser.add_argument("--single", type=int, default=1000, help="Single-row INSERTs per round (default 1000).")
        parser.add_argument("--rounds", type=int, default=3, help="Rounds per phase and mode (default 3).")
        parser.add_argument(
            "--alternations", type=int, default=3, help="How many times each schema is measured (default 3)."
        )
        parser.add_argument("--keep", action="store_true", help="Keep the bench database afterwards.")

    def handle(self, *args, **options):
        if os.environ.get(CHILD_PHASES):
            return self._phases(options)
        name = f"chairside_bench_index_s{options['scale']}"
        bench.recreate_database(name)
        env = bench.child_env(name)
        self.stdout.write(f"database {name}: bench_seed --scale {options['scale']}")
        bench.run_child(["bench_seed", "--scale", str(options["scale"])], env)
        args = ["bench_index_hygiene", "--rows", str(options["rows"]), "--single", str(options["single"])]
        args += ["--rounds", str(options["rounds"]), "--alternations", str(options["alternations"])]
        results = bench.run_child(args, {**env, CHILD_PHASES: "1"})
        for result in results:
            if result["mode"] == "work":
                self.stdout.write(
                    f"BENCH index_hygiene phase={result['phase']} table={result['table']} indexes={result['indexes']} "
                    f"wal_bytes_per_row={result['wal_bytes']:.0f} wal_records_per_row={result['wal_records']:.2f} "
                    f"buffers_per_row={result['buffers']:.2f}"
                )
                continue
            self.stdout.write(
                f"BENCH index_hygiene phase={result['phase']} table={result['table']} mode={result['mode']} "
                f"indexes={result['indexes']} rows_per_s={result['rows_per_s']:.0f} "
                f"(median of {result['rounds']} rounds, scale={options['scale']})"
            )
        by = {(r["phase"], r["table"], r["mode"]): r.get("rows_per_s") for r in results}
        for table in ("messaging_message", "bookings_booking"):
            for mode in ("batch", "single"):
                before, after = by.get(("before", table, mode)), by.get(("after", table, mode))
                if before and after:
                    self.stdout.write(
                        f"BENCH index_hygiene table={table} mode={mode} change={100 * (after / before - 1):+.1f}%"
                    )
        if not options["keep"]:
            with bench._admin() as admin:
                admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    # --- in the child: DATABASE_URL names the bench database ----------------------------------------------------------
    def _phases(self, options) -> None:
        rates: dict[tuple, list[float]] = {}
        indexes: dict[tuple, int] = {}
        for _ in range(options["alternations"]):
            for phase in ("before", "after"):
                if phase == "before":
                    for app, migration in BEFORE:
                        call_command("migrate", app, migration, verbosity=0)
                else:
                    call_command("migrate", verbosity=0)
                for key, (count, measured) in self._measure(phase, options).items():
                    rates.setdefault(key, []).extend(measured)
                    indexes[key] = count
        for (phase, table, mode), measured in rates.items():
            if mode == "work":
                bench.emit({"phase": phase, "table": table, "mode": mode, "indexes": indexes[(phase, table, mode)],
                            **{k: statistics.median(m[k] for m in measured) for k in measured[0]}})  # fmt: skip
                continue
            bench.emit(
                {
                    "phase": phase,
                    "table": table,
                    "mode": mode,
                    "indexes": indexes[(phase, table, mode)],
                    "rows_per_s": statistics.median(measured),
                    "rounds": len(measured),
                }
            )

    def _measure(self, phase: str, options) -> dict[tuple, tuple[int, list[float]]]:
        connection.ensure_connection()
        params = {k: v for k, v in connection.get_connection_params().items() if k not in ("cursor_factory", "context")}
        results = {}
        with psycopg.connect(**params, autocommit=True) as conn, conn.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE messaging_message")
            cursor.execute("VACUUM ANALYZE bookings_booking")
            message_sql = _copy_sql(cursor, "messaging_message", {"wamid": "NULL"}, "")
            shift = "interval '200 years' * %(round)s"
            booking_sql = _copy_sql(
                cursor,
                "bookings_booking",
                {
                    "starts_at": f"starts_at + {shift}",
                    "ends_at": f"ends_at + {shift}",
                    "busy_range": f"tstzrange(lower(busy_range) + {shift}, upper(busy_range) + {shift}, '[)')",
                    "code": "substr(md5(id::text || '-' || %(round)s::text), 1, 12)",
                },
                "",
            )
            for table, sql in (("messaging_message", message_sql), ("bookings_booking", booking_sql)):
                cursor.execute(
                    "SELECT count(*) FROM pg_index i JOIN pg_class t ON t.oid = i.indrelid WHERE t.relname = %s",
                    [table],
                )
                indexes = cursor.fetchone()[0]
                limit = max(options["rows"], options["single"])
                cursor.execute(f"SELECT id FROM {table} ORDER BY id LIMIT %s", [limit])  # noqa: S608
                ids = [row[0] for row in cursor.fetchall()]
                batch_ids, single_ids = ids[: options["rows"]], ids[: options["single"]]
                # Deterministic beside the rates: WAL and buffer work per inserted row (one more index = one more
                # b-tree insertion, its WAL record and the pages it touches), from EXPLAIN (ANALYZE, WAL, BUFFERS).
                cursor.execute("BEGIN")
                cursor.execute(
                    "EXPLAIN (ANALYZE, WAL, BUFFERS, FORMAT JSON) " + sql + " WHERE id = ANY(%(ids)s)",
                    {"round": -1, "ids": batch_ids},  # -200 years: clear of the rows it copies
                )
                plan = cursor.fetchone()[0][0]["Plan"]
                cursor.execute("ROLLBACK")
                rows = max(len(batch_ids), 1)
                work = {
                    "wal_bytes": plan.get("WAL Bytes", 0) / rows,
                    "wal_records": plan.get("WAL Records", 0) / rows,
                    "buffers": (plan.get("Shared Hit Blocks", 0) + plan.get("Shared Read Blocks", 0)) / rows,
                }
                results[(phase, table, "work")] = (indexes, [work])
                for mode in ("batch", "single"):
                    rates = []
                    for round_number in range(1, options["rounds"] + 1):
                        values = {"round": round_number}
                        cursor.execute("BEGIN")
                        started = time.perf_counter()
                        if mode == "batch":
                            cursor.execute(sql + " WHERE id = ANY(%(ids)s)", {**values, "ids": batch_ids})
                            count = len(batch_ids)
                        else:
                            for row_id in single_ids:
                                cursor.execute(sql + " WHERE id = %(id)s", {**values, "id": row_id})
                            count = len(single_ids)
                        elapsed = time.perf_counter() - started
                        cursor.execute("ROLLBACK")
                        rates.append(count / elapsed)
                    results[(phase, table, mode)] = (indexes, rates)
        return results
