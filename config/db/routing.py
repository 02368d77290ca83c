"""Read replicas: a router that sends only opted-in reads to a fresh replica, with read-your-writes pinning.

Reads opt in with ``replica_reads()`` (a context manager and decorator: the stats API, the dashboard, list endpoints,
exports). Everything else, every write, every read inside a transaction and every ``select_for_update`` (Django routes
those as writes) uses the primary. Once a request or task has written, it stays on the primary for the rest of its life
(``ReplicaPinMiddleware`` and the Celery task signals start a fresh life; a write also sets a short cookie so the
browser's next request, typically the redirect after a POST, reads the primary too).

A replica is used only while it answers and its replay lag is at most ``DB_REPLICA_MAX_LAG_SECONDS``; each replica's
health is checked at most once per ``DB_REPLICA_CHECK_INTERVAL_SECONDS`` per process (one small query), and a replica
that failed its check is skipped until the next one.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from contextlib import ContextDecorator
from contextvars import ContextVar
from dataclasses import dataclass, field

from celery.signals import task_prerun
from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections

logger = logging.getLogger("chairside.db.replicas")

PIN_COOKIE = "chairside_primary"

# Replay lag in seconds: 0 when everything received is replayed (an idle primary is not "lag"), else the age of the
# last replayed transaction. NULL on a primary (not in recovery): never use it as a replica.
_LAG_SQL = """
SELECT CASE
    WHEN NOT pg_is_in_recovery() THEN NULL
    WHEN pg_last_wal_receive_lsn() IS NOT DISTINCT FROM pg_last_wal_replay_lsn() THEN 0
    ELSE COALESCE(EXTRACT(EPOCH FROM clock_timestamp() - pg_last_xact_replay_timestamp()), 0)
END
"""


@dataclass
class _Life:
    """One request's or task's routing state."""

    opted_in: int = 0
    wrote: bool = False


_life: ContextVar[_Life | None] = ContextVar("chairside_db_life", default=None)


def _current() -> _Life:
    life = _life.get()
    if life is None:
        life = _Life()
        _life.set(life)
    return life


def start_life(*, pinned: bool = False) -> object:
    """Begin a request's or task's routing life (returns a token for ``end_life``)."""
    return _life.set(_Life(wrote=pinned))


def end_life(token: object) -> None:
    _life.reset(token)


def pin_to_primary() -> None:
    _current().wrote = True


class replica_reads(ContextDecorator):
    """Reads inside may go to a fresh replica (unless this request/task already wrote)."""

    def __enter__(self):
        _current().opted_in += 1
        return self

    def __exit__(self, *exc):
        _current().opted_in -= 1
        return False


@dataclass
class _Health:
    checked_at: float = -1e9
    usable: bool = False
    lag: float | None = None
    lock: threading.Lock = field(default_factory=threading.Lock)


_health: dict[str, _Health] = {}
_health_lock = threading.Lock()


def replica_aliases() -> list[str]:
    return [alias for alias in connections.settings if alias.startswith("replica_")]


def replica_lag(alias: str) -> float | None:
    """The replica's replay lag in seconds (raises if it does not answer; None if it is not a replica)."""
    conn = connections[alias]
    with conn.cursor() as cursor:
        cursor.execute(_LAG_SQL)
        value = cursor.fetchone()[0]
    return None if value is None else float(value)


def replica_usable(alias: str, *, clock: Callable[[], float] = time.monotonic) -> bool:
    with _health_lock:
        health = _health.setdefault(alias, _Health())
    now = clock()
    if now - health.checked_at < settings.DB_REPLICA_CHECK_INTERVAL_SECONDS:
        return health.usable
    with health.lock:
        if now - health.checked_at < settings.DB_REPLICA_CHECK_INTERVAL_SECONDS:
            return health.usable
        try:
            lag = replica_lag(alias)
            usable = lag is not None and lag <= settings.DB_REPLICA_MAX_LAG_SECONDS
        except Exception as exc:  # down, refusing, timing out: the primary answers instead
            lag, usable = None, False
            connections[alias].close()
            logger.warning("replica unavailable", extra={"alias": alias, "error": str(exc)[:200]})
        if not usable and health.usable:
            logger.warning("replica skipped", extra={"alias": alias, "lag_seconds": lag})
        health.checked_at, health.usable, health.lag = clock(), usable, lag
        return usable


def forget_replica_health() -> None:
    """Check every replica again at the next read (tests; after re-pointing replicas)."""
    with _health_lock:
        _health.clear()


def replica_for_read() -> str | None:
    life = _current()
    if not life.opted_in or life.wrote or connections[DEFAULT_DB_ALIAS].in_atomic_block:
        return None
    for alias in replica_aliases():
        if replica_usable(alias):
            return alias
    return None


class ReplicaRouter:
    def db_for_read(self, model, **hints):
        return replica_for_read() or DEFAULT_DB_ALIAS

    def db_for_write(self, model, **hints):
        pin_to_primary()
        return DEFAULT_DB_ALIAS

    def allow_relation(self, obj1, obj2, **hints):
        return True  # replicas are copies of the primary: the same rows

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        return db == DEFAULT_DB_ALIAS


class ReplicaPinMiddleware:
    """Each request starts a fresh routing life; a request that wrote (or a browser whose last request wrote, within
    ``DB_REPLICA_PIN_SECONDS``) reads the primary."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        pinned = _cookie_pin_valid(request.COOKIES.get(PIN_COOKIE))
        token = start_life(pinned=pinned)
        try:
            response = self.get_response(request)
            if _current().wrote and not pinned and replica_aliases():
                until = int(time.time() + settings.DB_REPLICA_PIN_SECONDS)
                response.set_cookie(
                    PIN_COOKIE, str(until), max_age=int(settings.DB_REPLICA_PIN_SECONDS) or 1, httponly=True
                )
            return response
        finally:
            end_life(token)


def _cookie_pin_valid(value: str | None) -> bool:
    try:
        return value is not None and int(value) >= time.time()
    except ValueError:
        return False


def _task_started(**_kwargs) -> None:
    start_life()


def connect_task_signals() -> None:
    """Each Celery task starts a fresh routing life (a worker thread otherwise keeps the previous task's pin)."""
    task_prerun.connect(_task_started, weak=False, dispatch_uid="chairside-db-life")
