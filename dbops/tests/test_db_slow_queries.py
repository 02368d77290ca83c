"""``manage.py db_slow_queries`` on throwaway servers: with pg_stat_statements preloaded, and without it."""

from __future__ import annotations

import io
import json

import pytest
from django.core.management import CommandError, call_command

from dbops.cluster import throwaway_cluster


def _slow(*args) -> str:
    out = io.StringIO()
    call_command("db_slow_queries", *args, stdout=out)
    return out.getvalue()


def test_slow_queries_lists_the_costliest_statements_first(stat_statements_cluster):
    stat_statements_cluster.execute("CREATE TABLE IF NOT EXISTS slow_probe (id int)")
    for _ in range(3):
        stat_statements_cluster.execute("SELECT pg_sleep(0.05), count(*) FROM slow_probe")
    stat_statements_cluster.execute("SELECT 1 + 1")
    rows = json.loads(_slow("--database-url", stat_statements_cluster.url(), "--top", "5", "--json"))
    assert len(rows) <= 5
    assert [row["total_ms"] for row in rows] == sorted((row["total_ms"] for row in rows), reverse=True)
    probe = next(row for row in rows if "slow_probe" in row["query"])
    assert probe["calls"] == 3
    assert probe["mean_ms"] >= 50  # pg_sleep(0.05): the server measured at least that
    by_calls = json.loads(_slow("--database-url", stat_statements_cluster.url(), "--order", "calls", "--json"))
    assert [row["calls"] for row in by_calls] == sorted((row["calls"] for row in by_calls), reverse=True)


def test_slow_queries_reads_as_a_table_on_a_terminal(stat_statements_cluster):
    stat_statements_cluster.execute("SELECT pg_sleep(0.01)")
    text = _slow("--database-url", stat_statements_cluster.url(), "--top", "3")
    assert text.startswith("Top 3 statements by total time")
    assert "mean_ms" in text and "query" in text


def test_slow_queries_creates_the_extension_where_it_is_loaded_but_missing(stat_statements_cluster):
    stat_statements_cluster.execute("DROP DATABASE IF EXISTS fresh")
    stat_statements_cluster.execute("CREATE DATABASE fresh")
    rows = json.loads(_slow("--database-url", stat_statements_cluster.url("fresh"), "--json"))
    assert isinstance(rows, list)
    assert stat_statements_cluster.execute(
        "SELECT extname FROM pg_extension WHERE extname = 'pg_stat_statements'", dbname="fresh"
    ) == [("pg_stat_statements",)]


def test_slow_queries_reset_empties_the_statistics(stat_statements_cluster):
    stat_statements_cluster.execute("CREATE DATABASE resetdb")
    url = stat_statements_cluster.url("resetdb")
    stat_statements_cluster.execute("SELECT pg_sleep(0.01) AS before_reset_marker", dbname="resetdb")
    assert "before_reset_marker" in _slow("--database-url", url, "--json")
    assert "Statistics reset." in _slow("--database-url", url, "--reset")
    assert "before_reset_marker" not in _slow("--database-url", url, "--json")


def test_slow_queries_says_how_to_enable_pg_stat_statements_when_it_is_not_loaded():
    with throwaway_cluster(prefix="chairside-nopgss-") as cluster, pytest.raises(CommandError) as error:
        _slow("--database-url", cluster.url())
    assert error.value.returncode == 2
    assert "shared_preload_libraries" in str(error.value)
    assert "CREATE EXTENSION pg_stat_statements" in str(error.value)


def test_slow_queries_runs_as_a_role_that_may_not_read_server_settings(stat_statements_cluster):
    """The app role without DATABASE_ADMIN_URL: no pg_read_all_settings, so shared_preload_libraries is unreadable;
    the command still finds pg_stat_statements loaded and lists what the role may see."""
    stat_statements_cluster.execute("DROP ROLE IF EXISTS plain_app")
    stat_statements_cluster.execute("CREATE ROLE plain_app LOGIN")
    with stat_statements_cluster.connect(user="plain_app") as conn:
        conn.execute("SELECT pg_sleep(0.01) AS plain_app_marker")
    rows = json.loads(_slow("--database-url", stat_statements_cluster.url(user="plain_app"), "--json"))
    assert any("plain_app_marker" in row["query"] for row in rows)


def test_slow_queries_tells_a_role_that_may_not_read_server_settings_how_to_check():
    with throwaway_cluster(prefix="chairside-nopgss-") as cluster:
        cluster.execute("CREATE ROLE plain_app LOGIN")
        with pytest.raises(CommandError) as error:
            _slow("--database-url", cluster.url(user="plain_app"))
    assert error.value.returncode == 2
    assert "pg_stat_statements is not loaded" in str(error.value)
    assert "DATABASE_ADMIN_URL" in str(error.value)
