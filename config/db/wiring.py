"""Database settings from the environment: the pooler switch, the direct URL, timeouts per process role, replicas.

Imported by ``config/settings.py`` (so it must not touch Django's app registry). Everything here is a pure function of
the environment, which keeps it testable without reloading settings.

PgBouncer in transaction mode (``DATABASE_POOLER=pgbouncer``) hands a server connection to a client for one
transaction only, so nothing may outlive a transaction on it:
- no server-side cursors (``DISABLE_SERVER_SIDE_CURSORS``: a ``QuerySet.iterator()`` cursor lives across statements);
- no prepared statements (``prepare_threshold=None``: Debian's PgBouncer 1.18 cannot track them);
- no session ``SET``: the code sets things with ``SET LOCAL`` inside the transaction (webhooks.processor);
- no startup ``options`` (PgBouncer refuses unknown startup parameters): the pooler's own ``query_timeout`` and
  ``idle_transaction_timeout`` (deploy/pgbouncer/pgbouncer.ini) and the role's defaults take their place;
- ``LISTEN`` and migrations use ``DATABASE_DIRECT_URL`` (the relay's listener; ``release`` in deploy/entrypoint.sh).
"""

from __future__ import annotations

from urllib.parse import unquote

import environ
from django.core.exceptions import ImproperlyConfigured

POOLERS = ("", "pgbouncer")

# Per process role (CHAIRSIDE_PROCESS_ROLE, set by deploy/entrypoint.sh): seconds a statement may run, seconds a
# transaction may sit idle. The web answers people (a slow query is a bug: cut it); workers run rollups and sweeps.
ROLE_TIMEOUTS: dict[str, tuple[float, float]] = {
    "web": (15.0, 30.0),
    "worker": (120.0, 60.0),
    "relay": (60.0, 60.0),
    "beat": (30.0, 30.0),
    "release": (0.0, 0.0),  # migrations: no limit (a long index build is expected)
    "local": (0.0, 0.0),  # unset: make run, tests, manage.py commands run by hand
}
DEFAULT_ROLE = "local"


def url_settings(url: str) -> dict:
    """Django's settings of a ``postgres://`` URL (empty: none), a socket folder in the host unquoted."""
    db = environ.Env.db_url_config(url) if url else {}
    if db.get("HOST", "").startswith("%2F"):
        db["HOST"] = unquote(db["HOST"])  # a Unix socket directory (the embedded PostgreSQL)
    return db


def role_timeouts(env: environ.Env) -> tuple[str, float, float, float]:
    """(role, connect timeout, statement timeout, idle-in-transaction timeout), in seconds; 0 = no limit."""
    role = env.str("CHAIRSIDE_PROCESS_ROLE", default=DEFAULT_ROLE)
    statement, idle = ROLE_TIMEOUTS.get(role, ROLE_TIMEOUTS[DEFAULT_ROLE])
    return (
        role,
        env.float("DB_CONNECT_TIMEOUT", default=5.0),
        env.float("DB_STATEMENT_TIMEOUT", default=statement),
        env.float("DB_IDLE_IN_TRANSACTION_TIMEOUT", default=idle),
    )


def primary_database(env: environ.Env, *, engine: str = "config.db") -> dict:
    """The ``default`` database: ``DATABASE_URL`` (the pooler when there is one) with the pooler's restrictions."""
    pooler = env.str("DATABASE_POOLER", default="").strip().lower()
    if pooler not in POOLERS:
        raise ImproperlyConfigured(f"DATABASE_POOLER must be one of {POOLERS[1:]} or empty, not {pooler!r}")
    db = url_settings(env.str("DATABASE_URL"))
    db["ENGINE"] = engine
    db["CONN_MAX_AGE"] = env.int("DB_CONN_MAX_AGE", default=60)
    db["CONN_HEALTH_CHECKS"] = True
    options = db.setdefault("OPTIONS", {})
    # Server-side parameter binding lets psycopg prepare a statement after DB_PREPARE_THRESHOLD runs on a connection,
    # so the hot paths (webhook ingest and processing) skip PostgreSQL's planning, which costs more than the
    # execution itself for most of our lookups (bench/RESULTS.md, "Measurements quoted from the code"). Behind
    # PgBouncer in transaction mode a prepared statement would land on another client's server connection: never
    # prepare there.
    options.setdefault("server_side_binding", env.bool("DB_SERVER_SIDE_BINDING", default=True))
    threshold = env.str("DB_PREPARE_THRESHOLD", default="2")
    options.setdefault("prepare_threshold", int(threshold) if threshold and not pooler else None)
    _role, connect, statement, idle = role_timeouts(env)
    if connect:
        options.setdefault("connect_timeout", max(1, round(connect)))  # libpq: whole seconds, at least 1
    if not pooler:
        params = [f"-c {name}={int(seconds * 1000)}" for name, seconds in _session_limits(statement, idle) if seconds]
        if params:
            options.setdefault("options", " ".join(params))
    db["DISABLE_SERVER_SIDE_CURSORS"] = bool(pooler)
    db["POOLER"] = pooler
    db["TEST"] = {"NAME": env.str("TEST_DATABASE_NAME", default="test_chairside")}
    return db


def _session_limits(statement: float, idle: float) -> list[tuple[str, float]]:
    return [("statement_timeout", statement), ("idle_in_transaction_session_timeout", idle)]


def direct_database_url(env: environ.Env) -> str:
    """For what needs a real session (``LISTEN``, migrations): ``DATABASE_DIRECT_URL``, else ``DATABASE_URL``."""
    return env.str("DATABASE_DIRECT_URL", default="") or env.str("DATABASE_URL")


def direct_connection_params(env: environ.Env) -> dict:
    """psycopg keyword arguments for a direct session with the server (not through the pooler)."""
    db = url_settings(direct_database_url(env))
    params = {
        "dbname": db.get("NAME") or "postgres",
        "user": db.get("USER") or None,
        "password": db.get("PASSWORD") or None,
        "host": db.get("HOST") or None,
        "port": db.get("PORT") or None,
        "connect_timeout": max(1, round(env.float("DB_CONNECT_TIMEOUT", default=5.0))),
    }
    return {key: value for key, value in params.items() if value is not None}


def replica_databases(env: environ.Env, primary: dict) -> dict[str, dict]:
    """``replica_1``, ``replica_2``, ... from ``DATABASE_REPLICA_URLS`` (comma-separated), each like the primary but
    read-only in spirit (the router sends only opted-in reads there) and never a test database of its own."""
    replicas = {}
    for number, url in enumerate(env.list("DATABASE_REPLICA_URLS", default=[]), start=1):
        parsed = url_settings(url)
        db = {**primary, **{key: parsed.get(key, "") for key in ("NAME", "USER", "PASSWORD", "HOST", "PORT")}}
        db["OPTIONS"] = {**primary.get("OPTIONS", {}), **parsed.get("OPTIONS", {})}
        db["TEST"] = {"MIRROR": "default"}
        replicas[f"replica_{number}"] = db
    return replicas
