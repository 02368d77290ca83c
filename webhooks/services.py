"""Ingest of the inbound WhatsApp webhook (signature, one INSERT) and the operator actions (replay, purge)."""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta

import psycopg
from django.conf import settings
from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone

from webhooks import metrics
from webhooks.models import EventStatus, WebhookEvent

logger = logging.getLogger("chairside.webhooks")

NOTIFY_CHANNEL = "chairside_webhooks"  # also spelled out in _INSERT_AND_NOTIFY
SIGNATURE_PREFIX = "sha256="

# One statement, so one implicit transaction: the event is durable when the 200 goes out.
# WEBHOOKS_NOTIFY is off by default: pg_notify in the same statement costs no round trip, but a NOTIFY holds a global
# lock from pre-commit until the commit's WAL flush, which serialises the concurrent ingest commits that would
# otherwise share a flush (it cut the ingest rate well below insert-only: bench/RESULTS.md). The relays poll instead.
_INSERT_AND_NOTIFY = """
WITH inserted AS (
    INSERT INTO webhooks_webhookevent (body, body_sha256) VALUES (%s, %s)
    ON CONFLICT (body_sha256) DO NOTHING
    RETURNING id
)
SELECT pg_notify('chairside_webhooks', '') FROM inserted
"""
# No RETURNING: the row count says stored (1) or absorbed duplicate (0), and nothing needs the id.
_INSERT = """
INSERT INTO webhooks_webhookevent (body, body_sha256) VALUES (%s, %s)
ON CONFLICT (body_sha256) DO NOTHING
"""
_INSERT_FAILED = """
INSERT INTO webhooks_webhookevent (body, body_sha256, status, next_attempt_at, last_error, processed_at)
VALUES (%s, %s, 'failed', NULL, %s, statement_timestamp())
ON CONFLICT (body_sha256) DO NOTHING
RETURNING id
"""


def signature_valid(*, body: bytes, header: str, secrets: Iterable[str] | None = None) -> bool:
    """True if ``header`` (``sha256=<hex>``) is the HMAC-SHA256 of the raw ``body`` under any of the app secrets.

    Every secret is tried (rotation: old and new are both valid for a while) and compared in constant time.
    """
    if not header.startswith(SIGNATURE_PREFIX):
        return False
    supplied = header[len(SIGNATURE_PREFIX) :].strip().lower().encode("utf-8", "replace")
    valid = False
    for secret in settings.WHATSAPP_APP_SECRETS if secrets is None else secrets:
        expected = hmac.new(secret.encode(), body, hashlib.sha256).hexdigest().encode()
        valid |= hmac.compare_digest(expected, supplied)
    return valid


def sign(*, body: bytes, secret: str) -> str:
    """The ``X-Hub-Signature-256`` header Meta would send for ``body`` (tests, benchmarks, the fake server)."""
    return SIGNATURE_PREFIX + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


@dataclass(frozen=True)
class IngestResult:
    stored: bool  # False: a byte-identical body was already stored (a redelivery, absorbed)
    error: str = ""  # non-empty: the body was stored as failed (not a JSON object)
    event_id: int | None = None  # known (and logged) only for a body stored as failed

    @property
    def duplicate(self) -> bool:
        return not self.stored


def _not_a_webhook_payload(body: bytes) -> str:
    """Why ``body`` cannot be processed, or "" if it is a JSON object."""
    try:
        payload = json.loads(body)
    except (ValueError, RecursionError) as exc:  # UnicodeDecodeError and JSONDecodeError are ValueErrors
        return f"body is not JSON: {exc}"[:500]
    if not isinstance(payload, dict):
        return f"body is JSON but not an object ({type(payload).__name__})"
    return ""


@contextmanager
def _driver_cursor() -> Iterator[psycopg.Cursor]:
    """A plain psycopg cursor on Django's connection, for the one INSERT of the webhook's request path.

    Django's cursor wrapper, and django-prometheus' per-query counters and histogram in it, cost as much CPU as the
    HMAC, the hash and the JSON check together (bench/RESULTS.md, "Measurements quoted from the code").
    ``chairside_webhook_received_total`` counts these statements instead. What Django's wrapper does for
    correctness is kept: the idle-aware health check before use, and ``wrap_database_errors``, which turns driver
    errors into Django's and marks the connection so that the end of the request closes a broken one."""
    connection.close_if_health_check_failed()
    connection.ensure_connection()
    with connection.wrap_database_errors, psycopg.Cursor(connection.connection) as cursor:
        yield cursor


def event_ingest(*, body: bytes) -> IngestResult:
    """Store a signed webhook body: one INSERT (a single statement is its own transaction), nothing else.

    A redelivery of the same bytes is absorbed by the unique body hash. A body that is not a JSON object is stored as
    failed (kept for inspection) and reported back so the view can answer 400.
    """
    digest = hashlib.sha256(body).digest()
    error = _not_a_webhook_payload(body)
    if error:
        with connection.cursor() as cursor:
            cursor.execute(_INSERT_FAILED, [body, digest, error])
            row = cursor.fetchone()
            result = IngestResult(stored=row is not None, error=error, event_id=row[0] if row else None)
    else:
        notify = getattr(settings, "WEBHOOKS_NOTIFY", False)
        with _driver_cursor() as cursor:
            cursor.execute(_INSERT_AND_NOTIFY if notify else _INSERT, [body, digest])
            result = IngestResult(stored=cursor.rowcount == 1)
    if error:
        metrics.RECEIVED_NOT_JSON.inc()
    else:
        (metrics.RECEIVED_STORED if result.stored else metrics.RECEIVED_DUPLICATE).inc()
    return result


def notify_relay() -> None:
    """Wake the relays now (after a replay), instead of at their next poll."""
    with connection.cursor() as cursor:
        cursor.execute(f"NOTIFY {NOTIFY_CHANNEL}")


@transaction.atomic
def events_replay(
    *,
    event_ids: Iterable[int] = (),
    received_from: datetime | None = None,
    received_until: datetime | None = None,
    failed: bool = False,
) -> int:
    """Make the selected events due again (fresh attempts). Items that were already processed are skipped when the
    event runs again, so a replay re-runs what failed or was ignored (for example a number connected since)."""
    condition = Q()
    ids = list(event_ids)
    if ids:
        condition |= Q(pk__in=ids)
    if received_from or received_until:
        window = Q()
        if received_from:
            window &= Q(received_at__gte=received_from)
        if received_until:
            window &= Q(received_at__lt=received_until)
        condition |= window
    if failed:
        condition |= Q(status__in=[EventStatus.FAILED, EventStatus.PARTIALLY_FAILED], next_attempt_at__isnull=True)
    if not condition:
        raise ValueError("name the events to replay: ids, a time range or failed=True")
    # A body that is not JSON can never succeed; events being processed right now are left alone.
    queryset = WebhookEvent.objects.filter(condition).exclude(status=EventStatus.PROCESSING).exclude(body_not_json())
    count = queryset.update(status=EventStatus.RECEIVED, attempts=0, next_attempt_at=timezone.now(), last_error="")
    if count:
        transaction.on_commit(notify_relay)
    logger.info("webhook events replayed", extra={"count": count})
    return count


def body_not_json() -> Q:
    return Q(status=EventStatus.FAILED, last_error__startswith="body is ")


def events_purge(*, older_than: timedelta, batch_size: int = 5000) -> int:
    """Delete processed and ignored events received more than ``older_than`` ago, in small batches (no long locks).

    Failed events are kept until an operator replays or inspects them."""
    cutoff = timezone.now() - older_than
    total = 0
    while True:
        with transaction.atomic():
            ids = list(
                WebhookEvent.objects.filter(
                    status__in=[EventStatus.PROCESSED, EventStatus.IGNORED], received_at__lt=cutoff
                ).values_list("pk", flat=True)[:batch_size]
            )
            if not ids:
                break
            total += WebhookEvent.objects.filter(pk__in=ids).delete()[0]
    logger.info("webhook events purged", extra={"count": total, "older_than_days": older_than.days})
    return total
