"""Plumbing shared by ``bench_seed`` and ``bench_queries``: the bench databases and child processes pointed at them.

Each scale has its own database on the configured PostgreSQL server (``chairside_bench_s<N>``). The commands re-run
themselves in a child process whose ``DATABASE_URL`` names that database, so all Django code (migrations, ORM,
selectors, gunicorn) runs against it unchanged.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import uuid

import psycopg
from cryptography.fernet import Fernet
from django.conf import settings
from django.core.management.base import CommandError
from django.db import connection

from config.db.urls import database_url, sibling_database_url
from config.db.wiring import url_settings
from dbops.connection import admin_dsn

CHILD_FLAG = "CHAIRSIDE_BENCH_CHILD"
RESULT_PREFIX = "BENCHJSON "


def bench_db_name(scale: int) -> str:
    return f"chairside_bench_s{scale}"


def _admin() -> psycopg.Connection:
    """Creates and drops bench databases: the administrator when one is configured (the app role cannot)."""
    if settings.DATABASE_ADMIN_URL:
        return admin_dsn().connect(dbname="postgres")
    params = {k: v for k, v in connection.get_connection_params().items() if k not in ("cursor_factory", "context")}
    return psycopg.connect(**{**params, "dbname": "postgres"}, autocommit=True)


def bench_database_url(name: str) -> str:
    """The child's ``DATABASE_URL``: a bench database is a scratch database of the administrator's (it migrates and
    seeds it), or of the configured role when no administrator is configured."""
    if settings.DATABASE_ADMIN_URL:
        return database_url(url_settings(settings.DATABASE_ADMIN_URL), name)
    return sibling_database_url(name)


def database_exists(name: str) -> bool:
    with _admin() as admin:
        return admin.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone() is not None


def recreate_database(name: str) -> None:
    with _admin() as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.execute(f'CREATE DATABASE "{name}"')


def child_env(db_name: str, **extra: str) -> dict[str, str]:
    env = dict(os.environ)
    env.pop("TEST_DATABASE_NAME", None)
    env.pop("DATABASE_OWNER_URL", None)  # the bench database has no roles: the child migrates as its own user
    env.update(
        {
            CHILD_FLAG: "1",
            "DATABASE_URL": bench_database_url(db_name),
            "REDIS_URL": settings.REDIS_URL,
            "CACHE_KEY_PREFIX": f"{db_name}-{uuid.uuid4().hex[:6]}",  # cached stats never leak between runs
            "CHAIRSIDE_NO_EMBEDDED": "1",
            "PYTHONUNBUFFERED": "1",
            # Production mode: no debug cursor (query logging) in the timings; throwaway secrets.
            "DEBUG": "0",
            "SECURE_SSL_REDIRECT": "0",
            "SECRET_KEY": "bench-" + uuid.uuid4().hex * 2,
            "FIELD_ENCRYPTION_KEYS": Fernet.generate_key().decode(),
            "WHATSAPP_APP_SECRETS": "bench-app-secret",
            "WHATSAPP_VERIFY_TOKEN": "bench-verify-token",
            **extra,
        }
    )
    return env


def run_child(args: list[str], env: dict[str, str], *, stream=None) -> list[dict]:
    """Run ``manage.py <args>`` with ``env``; echo its lines to ``stream``; return the JSON results it printed."""
    process = subprocess.Popen(  # noqa: S603 (our interpreter, our arguments)
        [sys.executable, "manage.py", *args],
        cwd=settings.BASE_DIR,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    results = []
    assert process.stdout is not None
    for line in process.stdout:
        if line.startswith(RESULT_PREFIX):
            results.append(json.loads(line[len(RESULT_PREFIX) :]))
        elif stream is not None:
            stream.write(line.rstrip("\n"))
    if process.wait():
        raise CommandError(f"manage.py {' '.join(args)} failed (exit {process.returncode})")
    return results


def emit(result: dict) -> None:
    """From a child: hand a result to the parent."""
    sys.stdout.write(RESULT_PREFIX + json.dumps(result, default=str) + "\n")
    sys.stdout.flush()
