"""Database settings from the environment: what DATABASE_POOLER turns off, role timeouts, the direct URL, replicas."""

from __future__ import annotations

import environ
import pytest
from django.core.exceptions import ImproperlyConfigured

from config.db import wiring

URL = "postgres://app:secret@pgbouncer:6432/chairside"


@pytest.fixture
def env(monkeypatch):
    for name in (
        "DATABASE_POOLER",
        "DATABASE_DIRECT_URL",
        "DATABASE_REPLICA_URLS",
        "CHAIRSIDE_PROCESS_ROLE",
        "DB_PREPARE_THRESHOLD",
        "DB_STATEMENT_TIMEOUT",
        "DB_IDLE_IN_TRANSACTION_TIMEOUT",
        "DB_CONNECT_TIMEOUT",
    ):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("DATABASE_URL", URL)
    return monkeypatch


def test_behind_pgbouncer_nothing_outlives_a_transaction(env):
    env.setenv("DATABASE_POOLER", "pgbouncer")
    env.setenv("CHAIRSIDE_PROCESS_ROLE", "web")
    db = wiring.primary_database(environ.Env())
    assert db["DISABLE_SERVER_SIDE_CURSORS"] is True
    assert db["OPTIONS"]["prepare_threshold"] is None  # even with the default threshold of 2
    assert "options" not in db["OPTIONS"]  # PgBouncer refuses startup options: the pooler's timeouts apply
    assert db["OPTIONS"]["connect_timeout"] == 5
    assert db["POOLER"] == "pgbouncer"


def test_a_direct_connection_prepares_hot_statements_and_gets_its_roles_timeouts(env):
    env.setenv("CHAIRSIDE_PROCESS_ROLE", "web")
    db = wiring.primary_database(environ.Env())
    assert db["DISABLE_SERVER_SIDE_CURSORS"] is False
    assert db["OPTIONS"]["prepare_threshold"] == 2
    assert db["OPTIONS"]["options"] == "-c statement_timeout=15000 -c idle_in_transaction_session_timeout=30000"


def test_timeouts_can_be_set_and_local_runs_have_none(env):
    assert "options" not in wiring.primary_database(environ.Env())["OPTIONS"]
    env.setenv("CHAIRSIDE_PROCESS_ROLE", "worker")
    env.setenv("DB_STATEMENT_TIMEOUT", "2.5")
    assert wiring.primary_database(environ.Env())["OPTIONS"]["options"] == (
        "-c statement_timeout=2500 -c idle_in_transaction_session_timeout=60000"
    )


def test_an_unknown_pooler_stops_start_up(env):
    env.setenv("DATABASE_POOLER", "pgpool")
    with pytest.raises(ImproperlyConfigured, match="DATABASE_POOLER"):
        wiring.primary_database(environ.Env())


def test_listen_and_migrations_use_the_direct_url_when_there_is_one(env):
    assert wiring.direct_connection_params(environ.Env())["port"] == 6432
    env.setenv("DATABASE_DIRECT_URL", "postgres://owner:pw@db-primary:5432/chairside")
    params = wiring.direct_connection_params(environ.Env())
    assert (params["host"], params["port"], params["user"], params["dbname"]) == (
        "db-primary",
        5432,
        "owner",
        "chairside",
    )


def test_replicas_are_copies_of_the_primarys_settings_on_other_hosts(env):
    env.setenv(
        "DATABASE_REPLICA_URLS", "postgres://app:secret@replica1:5432/chairside,postgres://app:secret@r2/chairside"
    )
    primary = wiring.primary_database(environ.Env())
    replicas = wiring.replica_databases(environ.Env(), primary)
    assert list(replicas) == ["replica_1", "replica_2"]
    assert replicas["replica_1"]["HOST"] == "replica1" and replicas["replica_2"]["HOST"] == "r2"
    assert replicas["replica_1"]["ENGINE"] == primary["ENGINE"] == "config.db"
    assert replicas["replica_1"]["TEST"] == {"MIRROR": "default"}  # no test database of its own
