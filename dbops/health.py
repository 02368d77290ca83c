"""Database health reads for ``manage.py db_health`` and ``db_slow_queries``: plain SQL on a DB-API cursor.

Each function takes a cursor (Django's or psycopg's, so the commands can also look at another server by URL) and
returns JSON-ready rows (lists of dicts). Only catalog and statistics views are read; nothing here takes a lock
stronger than the statistics views do.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any


class StatStatementsUnavailable(Exception):
    """pg_stat_statements is not preloaded or not created; the message says which, and what to do."""


# Size functions take an ACCESS SHARE lock on the relation: a relation someone holds ACCESS EXCLUSIVE (a migration,
# LOCK TABLE, VACUUM FULL) is shown without a size rather than making this report queue behind that lock.
_SIZE = (
    "CASE WHEN {oid} IN (SELECT l.relation FROM pg_locks l WHERE l.locktype = 'relation' AND l.granted"
    " AND l.mode = 'AccessExclusiveLock' AND l.pid <> pg_backend_pid()) THEN NULL ELSE {fn}({oid}) END"
)


def _size(fn: str, oid: str) -> str:
    return _SIZE.format(fn=fn, oid=oid)


def _rows(cursor, sql: str, params: Sequence | None = None) -> list[dict[str, Any]]:
    cursor.execute(sql, params)
    names = [column.name if hasattr(column, "name") else column[0] for column in cursor.description]
    return [{name: _plain(value) for name, value in zip(names, row, strict=True)} for row in cursor.fetchall()]


def _plain(value: Any) -> Any:
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, timedelta):
        return value.total_seconds()
    if isinstance(value, datetime | date):
        return value.isoformat()
    return value


def connections_by_state(cursor) -> list[dict[str, Any]]:
    return _rows(
        cursor,
        """
        SELECT COALESCE(state, backend_type) AS state, COUNT(*) AS connections,
               ROUND(COALESCE(MAX(EXTRACT(EPOCH FROM clock_timestamp() - state_change)), 0)::numeric, 1)
                 AS longest_seconds
        FROM pg_stat_activity
        WHERE pid <> pg_backend_pid()
        GROUP BY 1 ORDER BY 2 DESC
        """,
    )


def connection_limit(cursor) -> dict[str, Any]:
    return _rows(
        cursor,
        """
        SELECT current_setting('max_connections')::int AS max_connections,
               current_setting('superuser_reserved_connections')::int AS reserved,
               (SELECT COUNT(*) FROM pg_stat_activity WHERE backend_type = 'client backend') AS client_connections
        """,
    )[0]


def long_transactions(cursor, *, min_seconds: float) -> list[dict[str, Any]]:
    return _rows(
        cursor,
        """
        SELECT pid, usename AS "user", application_name, state,
               ROUND(EXTRACT(EPOCH FROM clock_timestamp() - xact_start)::numeric, 1) AS transaction_seconds,
               wait_event_type, LEFT(regexp_replace(query, '\\s+', ' ', 'g'), 120) AS query
        FROM pg_stat_activity
        WHERE xact_start IS NOT NULL AND pid <> pg_backend_pid()
          AND clock_timestamp() - xact_start >= make_interval(secs => %s)
        ORDER BY xact_start
        """,
        [min_seconds],
    )


def lock_waits(cursor) -> list[dict[str, Any]]:
    return _rows(
        cursor,
        """
        SELECT waiting.pid AS waiting_pid, pg_blocking_pids(waiting.pid) AS blocked_by,
               ROUND(EXTRACT(EPOCH FROM clock_timestamp() - waiting.state_change)::numeric, 1) AS waiting_seconds,
               waiting.wait_event AS lock_type,
               LEFT(regexp_replace(waiting.query, '\\s+', ' ', 'g'), 120) AS waiting_query,
               LEFT(regexp_replace(blocker.query, '\\s+', ' ', 'g'), 120) AS blocker_query
        FROM pg_stat_activity waiting
        LEFT JOIN pg_stat_activity blocker ON blocker.pid = (pg_blocking_pids(waiting.pid))[1]
        WHERE waiting.wait_event_type = 'Lock'
        ORDER BY waiting.state_change
        """,
    )


def table_sizes(cursor, *, limit: int) -> list[dict[str, Any]]:
    return _rows(
        cursor,
        f"""
        SELECT * FROM (
          SELECT c.relname AS "table", NULLIF(c.reltuples, -1)::bigint AS rows_estimate,
                 {_size("pg_table_size", "c.oid")} AS table_bytes,
                 {_size("pg_indexes_size", "c.oid")} AS index_bytes,
                 {_size("pg_total_relation_size", "c.oid")} AS total_bytes,
                 (SELECT COUNT(*) FROM pg_index i WHERE i.indrelid = c.oid) AS indexes, c.relpages
          FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
          WHERE c.relkind IN ('r', 'p') AND n.nspname NOT IN ('pg_catalog', 'information_schema')
            AND n.nspname NOT LIKE 'pg_toast%%'
        ) t
        ORDER BY COALESCE(total_bytes, relpages::bigint * 8192) DESC
        LIMIT %s
        """,  # noqa: S608 (only this module's fragments are formatted in)
        [limit],
    )


# Every index with its table, size and scan count (index_sizes and unused_indexes narrow it down).
_INDEXES = f"""
    SELECT s.indexrelid, s.relname AS "table", s.indexrelname AS index,
           {_size("pg_relation_size", "s.indexrelid")} AS bytes, s.idx_scan AS scans
    FROM pg_stat_user_indexes s
"""  # noqa: S608 (only this module's fragments are formatted in)


def index_sizes(cursor, *, limit: int) -> list[dict[str, Any]]:
    return _rows(
        cursor,
        f"""
        SELECT t."table", t.index, t.bytes, t.scans FROM ({_INDEXES}) t
        ORDER BY bytes DESC NULLS LAST
        LIMIT %s
        """,  # noqa: S608
        [limit],
    )


def unused_indexes(cursor) -> list[dict[str, Any]]:
    """Never scanned since the statistics were reset, and not backing a constraint (those enforce something)."""
    return _rows(
        cursor,
        f"""
        SELECT t."table", t.index, t.bytes, t.scans FROM ({_INDEXES}) t
        JOIN pg_index i ON i.indexrelid = t.indexrelid
        WHERE t.scans = 0 AND NOT i.indisunique AND NOT i.indisprimary
          AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = t.indexrelid)
        ORDER BY bytes DESC NULLS LAST, "table", index
        """,  # noqa: S608
    )


def redundant_indexes(cursor) -> list[dict[str, Any]]:
    """B-tree indexes whose key columns are a leading prefix of another b-tree index on the same table.

    The longer index answers every query the shorter one does (on its leading columns) so the shorter one only costs
    writes. Unique, primary-key and constraint indexes are never reported as the redundant one (they enforce rules),
    nor are partial or expression indexes (their predicate or expression changes what they serve).
    """
    indexes = _rows(
        cursor,
        f"""
        SELECT t.relname AS "table", ic.relname AS index, i.indexrelid::bigint AS oid,
               string_to_array(i.indkey::text, ' ')::int[] AS columns,
               i.indclass::text AS opclasses, i.indisunique AS is_unique, i.indisprimary AS is_primary,
               i.indpred IS NOT NULL AS is_partial, i.indexprs IS NOT NULL AS has_expressions,
               EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid) AS backs_constraint,
               {_size("pg_relation_size", "i.indexrelid")} AS bytes,
               (SELECT array_agg(a.attname ORDER BY k.ord) FROM unnest(i.indkey) WITH ORDINALITY k(attnum, ord)
                  JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = k.attnum) AS column_names
        FROM pg_index i
        JOIN pg_class ic ON ic.oid = i.indexrelid
        JOIN pg_class t ON t.oid = i.indrelid
        JOIN pg_namespace n ON n.oid = t.relnamespace
        JOIN pg_am am ON am.oid = ic.relam
        WHERE am.amname = 'btree' AND n.nspname NOT IN ('pg_catalog', 'information_schema')
          AND n.nspname NOT LIKE 'pg_toast%%'
        ORDER BY t.relname, ic.relname
        """,  # noqa: S608
    )
    found = []
    for short in indexes:
        if short["is_unique"] or short["is_primary"] or short["backs_constraint"]:
            continue
        if short["is_partial"] or short["has_expressions"]:
            continue
        width = len(short["columns"])
        short_classes = short["opclasses"].split()
        for long in indexes:
            if long["oid"] == short["oid"] or long["table"] != short["table"] or long["has_expressions"]:
                continue
            if long["is_partial"] or len(long["columns"]) < width:
                continue
            same_prefix = long["columns"][:width] == short["columns"]
            same_classes = long["opclasses"].split()[:width] == short_classes
            if not (same_prefix and same_classes):
                continue
            if len(long["columns"]) == width and long["oid"] > short["oid"] and not long["is_unique"]:
                continue  # two identical plain indexes: report only the younger one
            found.append(
                {
                    "table": short["table"],
                    "index": short["index"],
                    "columns": short["column_names"],
                    "bytes": short["bytes"],
                    "covered_by": long["index"],
                    "covered_by_columns": long["column_names"],
                }
            )
            break
    return found


def cache_hit_ratio(cursor) -> dict[str, Any]:
    return _rows(
        cursor,
        """
        SELECT
          (SELECT ROUND(SUM(blks_hit)::numeric / NULLIF(SUM(blks_hit) + SUM(blks_read), 0), 4)
             FROM pg_stat_database WHERE datname = current_database()) AS database,
          (SELECT ROUND(SUM(heap_blks_hit)::numeric / NULLIF(SUM(heap_blks_hit) + SUM(heap_blks_read), 0), 4)
             FROM pg_statio_user_tables) AS tables,
          (SELECT ROUND(SUM(idx_blks_hit)::numeric / NULLIF(SUM(idx_blks_hit) + SUM(idx_blks_read), 0), 4)
             FROM pg_statio_user_indexes) AS indexes
        """,
    )[0]


def dead_tuples(cursor, *, limit: int) -> list[dict[str, Any]]:
    return _rows(
        cursor,
        """
        SELECT relname AS "table", n_live_tup AS live, n_dead_tup AS dead,
               ROUND(n_dead_tup::numeric / NULLIF(n_live_tup + n_dead_tup, 0), 4) AS dead_ratio,
               last_autovacuum, last_vacuum, last_autoanalyze, autovacuum_count
        FROM pg_stat_user_tables
        ORDER BY n_dead_tup DESC, relname
        LIMIT %s
        """,
        [limit],
    )


def health_report(cursor, *, limit: int = 15, long_seconds: float = 60) -> dict[str, Any]:
    """Everything ``db_health`` shows, as one JSON-ready dict."""
    cursor.execute(
        "SELECT current_database(), version(), current_user, pg_has_role(current_user, 'pg_read_all_stats', 'USAGE')"
    )
    database, version, user, sees_all_sessions = cursor.fetchone()
    return {
        "database": database,
        "server_version": version,
        "user": user,
        # Without pg_read_all_stats (or superuser) other roles' sessions show no query, state or timings.
        "sees_all_sessions": sees_all_sessions,
        "connection_limit": connection_limit(cursor),
        "connections_by_state": connections_by_state(cursor),
        "long_transactions": long_transactions(cursor, min_seconds=long_seconds),
        "lock_waits": lock_waits(cursor),
        "cache_hit_ratio": cache_hit_ratio(cursor),
        "table_sizes": table_sizes(cursor, limit=limit),
        "index_sizes": index_sizes(cursor, limit=limit),
        "unused_indexes": unused_indexes(cursor),
        "redundant_indexes": redundant_indexes(cursor),
        "dead_tuples": dead_tuples(cursor, limit=limit),
    }


# -- pg_stat_statements ----------------------------------------------------------------------------------------------

SLOW_ORDER = {"total": "total_exec_time", "mean": "mean_exec_time", "calls": "calls", "max": "max_exec_time"}


def stat_statements_ready(cursor, *, create: bool = True) -> None:
    """Raise StatStatementsUnavailable, saying what to do, unless pg_stat_statements can be read here.

    Only superusers and members of pg_read_all_settings may read ``shared_preload_libraries``; another role (the app
    role, when no DATABASE_ADMIN_URL is set) is told whether the library is loaded by the setting it defines when
    loaded (``pg_stat_statements.max``), checked without raising (a failed statement would end the transaction)."""
    cursor.execute(
        "SELECT pg_has_role(current_user, 'pg_read_all_settings', 'USAGE'),"
        " current_setting('pg_stat_statements.max', true) IS NOT NULL"
    )
    can_read_settings, defines_settings = cursor.fetchone()
    if can_read_settings:
        cursor.execute("SELECT current_setting('shared_preload_libraries')")
        preload = cursor.fetchone()[0] or ""
        loaded = "pg_stat_statements" in [part.strip() for part in preload.split(",")]
        now = f"now: '{preload}'"
    else:
        loaded = defines_settings
        now = "this role may not read it: set DATABASE_ADMIN_URL or GRANT pg_read_all_settings"
    if not loaded:
        raise StatStatementsUnavailable(
            f"pg_stat_statements is not loaded: add it to shared_preload_libraries ({now}) "
            "and restart PostgreSQL; then run CREATE EXTENSION pg_stat_statements. See docs/monitoring.md."
        )
    cursor.execute("SELECT 1 FROM pg_extension WHERE extname = 'pg_stat_statements'")
    if cursor.fetchone():
        return
    if create:
        try:
            cursor.execute("CREATE EXTENSION IF NOT EXISTS pg_stat_statements")
            return
        except Exception as exc:  # permission denied for a non-superuser: say so
            raise StatStatementsUnavailable(
                "pg_stat_statements is loaded but the extension is not created in this database, and creating it "
                f"failed ({exc.__class__.__name__}: {str(exc).strip()}). As a superuser: "
                "CREATE EXTENSION pg_stat_statements;"
            ) from exc
    raise StatStatementsUnavailable("Run CREATE EXTENSION pg_stat_statements; in this database.")


def slow_queries(cursor, *, top: int, order: str = "total") -> list[dict[str, Any]]:
    column = SLOW_ORDER[order]
    return _rows(
        cursor,
        f"""
        SELECT queryid::text AS queryid, calls,
               ROUND(total_exec_time::numeric, 2) AS total_ms,
               ROUND(mean_exec_time::numeric, 2) AS mean_ms,
               ROUND(max_exec_time::numeric, 2) AS max_ms,
               rows,
               ROUND(shared_blks_hit::numeric / NULLIF(shared_blks_hit + shared_blks_read, 0), 4) AS cache_hit_ratio,
               ROUND((100 * total_exec_time / NULLIF(SUM(total_exec_time) OVER (), 0))::numeric, 1)
                 AS percent_of_total_time,
               regexp_replace(query, '\\s+', ' ', 'g') AS query
        FROM pg_stat_statements
        WHERE dbid = (SELECT oid FROM pg_database WHERE datname = current_database())
        ORDER BY {column} DESC
        LIMIT %s
        """,  # noqa: S608 (column comes from SLOW_ORDER, not from the caller)
        [top],
    )
