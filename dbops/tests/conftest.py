"""A throwaway PostgreSQL with pg_stat_statements and auto_explain preloaded (the machine's server has neither)."""

from __future__ import annotations

import pytest

from dbops.cluster import throwaway_cluster

STAT_STATEMENTS_SETTINGS = {
    "shared_preload_libraries": "pg_stat_statements,auto_explain",
    "pg_stat_statements.track": "all",
    "auto_explain.log_min_duration": "0",
    "log_min_duration_statement": "0",
}


@pytest.fixture(scope="session")
def stat_statements_cluster():
    with throwaway_cluster(settings=STAT_STATEMENTS_SETTINGS, prefix="chairside-pgss-") as cluster:
        cluster.execute("CREATE EXTENSION pg_stat_statements")
        yield cluster
