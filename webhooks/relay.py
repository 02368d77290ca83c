"""The relay: claims due webhook events in batches (FOR UPDATE SKIP LOCKED, with a lease) and processes them.

PostgreSQL is the buffer between the HTTP path and the processing: the view only INSERTs (and NOTIFYs); any number of
relays claim disjoint batches; a relay that dies leaves its claimed events ``processing`` with a lease that expires,
after which the next claim takes them again. The beat task ``webhooks.tasks.process_due_events`` runs the same drain
as a safety net when no relay is running.
"""

from __future__ import annotations

import logging
import signal
import threading
import time
from collections.abc import Callable

import psycopg
from django.conf import settings
from django.db import close_old_connections, connection, transaction

from config.coalesce import coalescing
from config.db.unavailable import database_unavailable
from webhooks.processor import (
    ClaimedEvent,
    SalonResolver,
    claimed_event,
    event_process,
    skip_commit_flush,
)
from webhooks.services import NOTIFY_CHANNEL

logger = logging.getLogger("chairside.webhooks.relay")

_CLAIM = """
WITH due AS (
    SELECT id FROM webhooks_webhookevent
    WHERE next_attempt_at <= statement_timestamp() {extra}
    ORDER BY next_attempt_at
    LIMIT %s
    FOR UPDATE SKIP LOCKED
)
UPDATE webhooks_webhookevent AS event
SET status = 'processing',
    attempts = event.attempts + 1,
    next_attempt_at = statement_timestamp() + make_interval(secs => %s)
FROM due
WHERE event.id = due.id
RETURNING event.id, event.attempts, event.body, event.results, event.received_at
"""


# Connection parameters that belong to Django's cursor handling, not to a plain LISTEN connection.
_DJANGO_ONLY_PARAMS = ("cursor_factory", "context", "prepare_threshold")


def plain_connection_params(**overrides) -> dict:
    """psycopg connection parameters of the default database, for connections Django does not manage."""
    params = {k: v for k, v in connection.get_connection_params().items() if k not in _DJANGO_ONLY_PARAMS}
    if connection.settings_dict.get("POOLER"):
        # psycopg prepares a statement run 5 times by default: behind a transaction-mode pooler it would be
        # prepared on one server connection and executed on another.
        params["prepare_threshold"] = None
    return {**params, **overrides}


def listen_connection_params() -> dict:
    """Where the relay LISTENs: the direct server when the default database is a pooler, else the default one."""
    if connection.settings_dict.get("POOLER"):
        return dict(settings.DATABASE_DIRECT_PARAMS)
    return plain_connection_params()


def lease_seconds() -> float:
    return getattr(settings, "WEBHOOKS_LEASE_SECONDS", 60.0)


def events_claim(*, limit: int, min_age_seconds: float = 0.0) -> list[ClaimedEvent]:
    """Claim up to ``limit`` due events (oldest first) for this worker, with what processing them needs.

    The claim commits at once (autocommit), so other relays skip these rows; if this worker dies, the lease
    (``next_attempt_at`` = now + lease) expires and the events are claimed again."""
    extra = "AND received_at < statement_timestamp() - make_interval(secs => %s)" if min_age_seconds else ""
    params: list = [min_age_seconds] if min_age_seconds else []
    with transaction.atomic(), connection.cursor() as cursor:
        skip_commit_flush()  # a claim lost in a crash just leaves the events due
        cursor.execute(_CLAIM.format(extra=extra), [*params, limit, lease_seconds()])
        return sorted(claimed_event(row) for row in cursor.fetchall())


def events_drain(
    *,
    batch_size: int = 50,
    max_seconds: float | None = None,
    min_age_seconds: float = 0.0,
    should_stop: Callable[[], bool] = lambda: False,
) -> int:
    """Claim and process batches until nothing is due (or time is up); returns how many events were processed.

    Each batch's after-commit side effects (the assistant's reply tasks, stats cache versions) are published together
    when the batch ends (``config.coalesce``), not once per event."""
    started, done = time.monotonic(), 0
    while not should_stop():
        with coalescing():
            claimed = events_claim(limit=batch_size, min_age_seconds=min_age_seconds)
            done += _process_batch(claimed)
        if len(claimed) < batch_size or (max_seconds is not None and time.monotonic() - started > max_seconds):
            break
    return done


def _process_batch(claimed: list[ClaimedEvent]) -> int:
    done, resolver = 0, SalonResolver()
    for event in claimed:
        try:
            event_process(event_id=event.event_id, attempt=event.attempt, resolver=resolver, claimed=event)
            done += 1
        except Exception:
            # A database-level failure: the event keeps its lease and is reclaimed when it expires.
            logger.exception("webhook event processing crashed", extra={"event_id": event.event_id})
            close_old_connections()
    return done


class Relay:
    """The long-running relay loop: drain, then sleep until a NOTIFY arrives or the poll interval passes.

    The poll adapts to the traffic: after a drain that found work the relay looks again after ``busy_poll_interval``
    (events are arriving: a short wait keeps the lag near the processing time), after an empty one it waits
    ``poll_interval``. Ingest does not NOTIFY by default (see webhooks.services), so this poll is what bounds the lag.
    """

    def __init__(
        self,
        *,
        batch_size: int = 50,
        poll_interval: float = 0.2,
        busy_poll_interval: float = 0.02,
        listen: bool = True,
    ) -> None:
        self.batch_size, self.poll_interval, self.listen = batch_size, poll_interval, listen
        self.busy_poll_interval = min(busy_poll_interval, poll_interval)
        self._stop = threading.Event()
        self._listener: psycopg.Connection | None = None

    def stop(self, *_: object) -> None:
        self._stop.set()

    def install_signal_handlers(self) -> None:
        signal.signal(signal.SIGTERM, self.stop)
        signal.signal(signal.SIGINT, self.stop)

    def _connect_listener(self) -> psycopg.Connection | None:
        if not self.listen:
            return None
        try:
            # LISTEN needs a session of its own: DATABASE_DIRECT_URL, never the transaction-mode pooler.
            listener = psycopg.connect(**listen_connection_params(), autocommit=True)
            listener.execute(f"LISTEN {NOTIFY_CHANNEL}")
            return listener
        except psycopg.Error:
            logger.warning("LISTEN failed: polling only", exc_info=True)
            return None

    def _wait(self, timeout: float) -> None:
        if self._listener is None:
            self._listener = self._connect_listener()
        if self._listener is None:
            self._stop.wait(timeout)
            return
        try:
            # Returns at the first batch of notifications (all that are queued) or after the timeout.
            for _ in self._listener.notifies(timeout=timeout, stop_after=1):
                pass
        except psycopg.Error:
            logger.warning("LISTEN connection lost: reconnecting", exc_info=True)
            self._listener.close()
            self._listener = None

    def run(self, *, max_idle_loops: int | None = None) -> None:
        logger.info("webhook relay started", extra={"batch_size": self.batch_size, "poll_interval": self.poll_interval})
        idle = 0
        while not self._stop.is_set():
            try:
                processed = events_drain(batch_size=self.batch_size, should_stop=self._stop.is_set)
            except Exception as exc:
                if database_unavailable(exc):  # restarting or down: expected, and not worth a traceback each time
                    logger.warning("webhook relay: database unavailable; retrying", extra={"error": str(exc)[:200]})
                else:
                    logger.exception("webhook relay drain failed; retrying")
                close_old_connections()
                processed = 0
                self._stop.wait(self.poll_interval)
            idle = 0 if processed else idle + 1
            if max_idle_loops is not None and idle >= max_idle_loops:
                break
            if not self._stop.is_set():
                self._wait(self.busy_poll_interval if processed else self.poll_interval)
        if self._listener is not None:
            self._listener.close()
        logger.info("webhook relay stopped")
