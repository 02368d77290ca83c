"""``manage.py db_health`` against the test database: what it reports, on a terminal and as JSON."""

from __future__ import annotations

import io
import json
import threading
import uuid

import psycopg
import pytest
from django.core.management import call_command
from django.db import connection

from dbops.connection import admin_dsn

pytestmark = pytest.mark.django_db


def _connect_as_app() -> psycopg.Connection:
    """A session of the app role (the suite's Django connection role: no DDL, row-level security)."""
    params = connection.get_connection_params()
    return psycopg.connect(
        **{k: v for k, v in params.items() if k in {"dbname", "host", "port", "user", "password"}}, autocommit=True
    )


def _connect_as_admin() -> psycopg.Connection:
    """A session of the administrator (DATABASE_ADMIN_URL): the one that may create tables in the test database."""
    return admin_dsn().connect()


@pytest.fixture
def scratch_table():
    """A committed table (visible to other sessions) created by the administrator, readable by the app role, dropped
    afterwards."""
    name = f"obs_health_{uuid.uuid4().hex[:8]}"
    with _connect_as_admin() as conn:
        conn.execute(
            f"CREATE TABLE {name} (id bigint PRIMARY KEY, salon int NOT NULL, created int NOT NULL)"
            " WITH (autovacuum_enabled = false)"
        )
        conn.execute(f"CREATE INDEX {name}_salon ON {name} (salon)")
        conn.execute(f"CREATE INDEX {name}_salon_created ON {name} (salon, created)")
        conn.execute(f"CREATE UNIQUE INDEX {name}_salon_unique ON {name} (salon, id)")
        conn.execute(f"CREATE INDEX {name}_created_partial ON {name} (created) WHERE salon > 0")
        conn.execute(f"INSERT INTO {name} SELECT g, g % 10, g FROM generate_series(1, 1000) g")
        conn.execute(f"DELETE FROM {name} WHERE id <= 300")
        conn.execute(f"ANALYZE {name}")
        conn.execute(f'GRANT SELECT ON {name} TO "{connection.settings_dict["USER"]}"')
    yield name
    with _connect_as_admin() as conn:
        conn.execute(f"DROP TABLE IF EXISTS {name}")


def _report(*args) -> dict:
    out = io.StringIO()
    call_command("db_health", "--json", "--limit", "500", *args, stdout=out)
    return json.loads(out.getvalue())


def test_db_health_reports_a_single_column_index_covered_by_a_composite_as_redundant(scratch_table):
    redundant = {row["index"]: row for row in _report()["redundant_indexes"]}
    assert redundant[f"{scratch_table}_salon"]["covered_by"] in {f"{scratch_table}_salon_created"}
    assert redundant[f"{scratch_table}_salon"]["columns"] == ["salon"]
    # A unique index enforces something, a partial index serves other queries: neither is reported.
    assert f"{scratch_table}_salon_unique" not in redundant
    assert f"{scratch_table}_created_partial" not in redundant


def test_db_health_lists_sizes_unused_indexes_and_dead_tuples(scratch_table):
    report = _report()
    tables = {row["table"]: row for row in report["table_sizes"]}
    assert tables[scratch_table]["indexes"] == 5
    assert tables[scratch_table]["total_bytes"] >= tables[scratch_table]["table_bytes"] > 0
    unused = {row["index"] for row in report["unused_indexes"]}
    assert f"{scratch_table}_salon_created" in unused
    assert f"{scratch_table}_pkey" not in unused  # backs the primary key
    dead = {row["table"]: row for row in report["dead_tuples"]}
    assert dead[scratch_table]["dead"] == 300
    assert dead[scratch_table]["live"] > 0
    assert report["cache_hit_ratio"]["database"] is not None
    assert report["connection_limit"]["max_connections"] > 0
    assert sum(row["connections"] for row in report["connections_by_state"]) >= 1


def test_db_health_shows_a_long_transaction_and_who_blocks_a_lock_wait(scratch_table):
    # A migration (the administrator) holds the lock, a request of the app role waits: db_health, on the
    # administrator connection, sees both roles' sessions with their queries.
    holder = _connect_as_admin()
    waiter = _connect_as_app()
    try:
        holder.execute("BEGIN")
        holder.execute(f"LOCK TABLE {scratch_table} IN ACCESS EXCLUSIVE MODE")
        holder_pid = holder.info.backend_pid
        waiter_pid = waiter.info.backend_pid
        waiter.execute("SET lock_timeout = '60s'")
        blocked = threading.Thread(target=lambda: waiter.execute(f"SELECT count(*) FROM {scratch_table}"))
        blocked.start()
        with _connect_as_admin() as probe:
            for _ in range(600):  # until the waiter is seen waiting (bounded, not a timing assertion)
                row = probe.execute("SELECT wait_event_type FROM pg_stat_activity WHERE pid = %s", [waiter_pid])
                if row.fetchone() == ("Lock",):
                    break
                threading.Event().wait(0.05)
        report = _report("--long-seconds", "0")
        waits = {row["waiting_pid"]: row for row in report["lock_waits"]}
        assert waits[waiter_pid]["blocked_by"] == [holder_pid]
        assert scratch_table in waits[waiter_pid]["waiting_query"]
        assert waits[waiter_pid]["blocker_query"].startswith("LOCK TABLE")
        long = {row["pid"]: row for row in report["long_transactions"]}
        assert long[holder_pid]["state"] == "idle in transaction"
        assert long[holder_pid]["user"] == admin_dsn().user
        holder.execute("ROLLBACK")
        blocked.join(timeout=60)
    finally:
        holder.close()
        waiter.close()


def test_db_health_prints_readable_sections_on_a_terminal(scratch_table):
    out = io.StringIO()
    call_command("db_health", stdout=out)
    text = out.getvalue()
    for heading in (
        "== Connections",
        "== Lock waits",
        "== Cache hit ratio",
        "== Largest tables",
        "== Unused indexes",
        "== Redundant indexes",
        "== Dead tuples and vacuum",
    ):
        assert heading in text
    assert f"{scratch_table}_salon" in text


def test_db_health_runs_on_the_administrator_connection_when_one_is_configured(scratch_table):
    report = _report()
    assert report["user"] == admin_dsn().user != connection.settings_dict["USER"]
    assert report["sees_all_sessions"] is True


def test_db_health_without_an_administrator_url_shows_what_the_app_role_may_see(scratch_table, settings):
    settings.DATABASE_ADMIN_URL = ""
    with _connect_as_admin() as other:  # another role's session: listed, without its query
        other.execute("SELECT 1")
        report = _report()
        assert report["user"] == connection.settings_dict["USER"]
        assert report["sees_all_sessions"] is False
        tables = {row["table"]: row for row in report["table_sizes"]}
        assert tables[scratch_table]["indexes"] == 5
        redundant = {row["index"]: row for row in report["redundant_indexes"]}
        assert redundant[f"{scratch_table}_salon"]["covered_by"] == f"{scratch_table}_salon_created"
        assert report["connection_limit"]["client_connections"] >= 2
    out = io.StringIO()
    call_command("db_health", stdout=out)
    assert "GRANT pg_read_all_stats" in out.getvalue()
