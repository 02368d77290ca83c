"""Sending one outbox row: claim it with a lease, take a throughput token, call Meta, store the wamid, or retry/fail.

The one window where a message can go out twice: Meta has answered 200 (the message is on its way) but the process
dies before the UPDATE that stores the wamid commits. The lease then expires and the sweeper sends the row again.
The window is one HTTP response read plus one single-row UPDATE in autocommit; nothing else runs in between.
"""

from __future__ import annotations

import logging
import random
import time
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import pgettext

from localization import in_language
from messaging import metrics
from messaging.models import Direction, Message, MessageStatus
from messaging.ratelimit import send_slot_wait
from messaging.whatsapp import WhatsAppClient
from messaging.whatsapp.errors import AuthError, GraphAPIError, explain
from salons.models import ChannelStatus, Salon
from salons.tenancy import salon_scope
from salons.tenancy.sql import TenantSQL

logger = logging.getLogger("chairside.messaging")

MAX_ATTEMPTS = 8
# A queued row whose first send did not start within this time is considered lost (publish failed, worker killed):
# the sweeper publishes it again. A duplicate task is harmless (the claim skips a row that is not due).
QUEUED_GRACE = timedelta(seconds=20)
# Tolerance for workers whose clock runs a little ahead of the one that scheduled the retry.
CLOCK_SKEW = timedelta(seconds=2)


def lease_duration() -> timedelta:
    """Long enough for one send with its timeout; short enough that a dead worker's row is picked up soon."""
    return timedelta(seconds=2 * settings.WHATSAPP_HTTP_TIMEOUT_SECONDS + 10)


@dataclass(frozen=True)
class DeliveryOutcome:
    state: str  # sent | retry | throttled | failed | skipped | sandbox
    retry_in: float | None = None


# One statement, so one round trip in autocommit (the lease is taken and committed at once): the sub-select finds the
# row if it is claimable and locks it, skipping a row another worker is claiming right now (SKIP LOCKED: never wait
# for it); the UPDATE takes the lease, or, for a sandbox conversation's row, marks it "sandbox" (never sent). The
# salon condition repeats the scope (row-level security enforces it too).
_CLAIM_SQL = """
UPDATE messaging_message AS m
SET status = CASE WHEN v.sandbox THEN %(held)s ELSE %(sending)s END,
    attempts = m.attempts + CASE WHEN v.sandbox THEN 0 ELSE 1 END,
    sending_at = CASE WHEN v.sandbox THEN m.sending_at ELSE %(now)s END,
    lease_expires_at = CASE WHEN v.sandbox THEN NULL ELSE %(lease)s END,
    next_attempt_at = CASE WHEN v.sandbox THEN NULL ELSE m.next_attempt_at END,
    updated_at = %(now)s
FROM (
    SELECT c.id, conv.sandbox FROM messaging_message AS c
    JOIN messaging_conversation AS conv ON conv.id = c.conversation_id
    WHERE c.id = %(pk)s AND c.salon_id = %(salon)s AND c.direction = %(outbound)s
      AND ((c.status = %(queued)s AND (c.next_attempt_at IS NULL OR c.next_attempt_at <= %(due)s))
           OR (c.status = %(sending)s AND c.lease_expires_at < %(now)s))
    FOR UPDATE OF c SKIP LOCKED
) AS v
WHERE m.id = v.id
RETURNING m.*
"""


# Stores Meta's wamid: fixed text (``TenantSQL``, prepared once per connection), as the claim, since it runs once per
# message sent. A row that is no longer sending or queued (a status webhook got there first) keeps what it has.
_MARK_SENT = TenantSQL(
    """
    UPDATE messaging_message
    SET wamid = %(wamid)s, status = %(sent)s, sent_at = %(now)s, lease_expires_at = NULL, next_attempt_at = NULL,
        updated_at = %(now)s
    WHERE id = %(pk)s AND salon_id = %(salon)s AND status = ANY(%(unfinished)s)
    """
)


def message_claim(*, salon: Salon, message_id: int) -> Message | None:
    """Lease the row for this worker: queued and due, or sending with an expired lease. None if another has it.

    A sandbox conversation's row comes back "sandbox" instead (held: the caller must not send it). This is the one
    place that keeps the admin's "Try your assistant" chats away from Meta: every send (assistant replies, staff
    replies, booking templates) comes through ``message_deliver``, which sends only a row this returned "sending".

    Profiled (bench_outbound): the claim as a transaction (BEGIN, SELECT … FOR UPDATE, UPDATE, COMMIT) plus a separate
    sandbox UPDATE were most of a delivery's database time; as one statement they are one round trip."""
    now = timezone.now()
    params = {
        "pk": message_id,
        "salon": salon.pk,
        "outbound": Direction.OUTBOUND,
        "queued": MessageStatus.QUEUED,
        "sending": MessageStatus.SENDING,
        "held": MessageStatus.SANDBOX,
        "now": now,
        "due": now + CLOCK_SKEW,
        "lease": now + lease_duration(),
    }
    return next(iter(Message.objects.raw(_CLAIM_SQL, params)), None)


def _not_connected() -> str:
    return pgettext(
        "WhatsApp error explanation", "WhatsApp is not connected for this salon (no phone number id or access token)."
    )


def _channel_problem(salon: Salon) -> str | None:
    """Why no message of the salon can go out now, in the salon's language (its staff read it); None when it can."""
    if not salon.phone_number_id or not salon.whatsapp_access_token:
        return in_language(salon.language, _not_connected)
    if salon.channel_status == ChannelStatus.NEEDS_CREDENTIALS:
        return in_language(salon.language, lambda: str(AuthError.explanation))
    return None


def message_deliver(*, salon: Salon, message_id: int) -> DeliveryOutcome:
    """Send one outbound row of ``salon`` (inside its scope). Returns what happened and when to try again."""
    with salon_scope(salon):
        return _deliver(salon, message_id)


def _deliver(salon: Salon, message_id: int) -> DeliveryOutcome:
    problem = _channel_problem(salon)
    if not problem:
        wait = send_slot_wait(salon.phone_number_id)
        if wait > 0:
            metrics.MESSAGES_SENT.labels(type="any", outcome="throttled").inc()
            return DeliveryOutcome("throttled", retry_in=wait)
    message = message_claim(salon=salon, message_id=message_id)
    if message is None:
        return DeliveryOutcome("skipped")
    if message.status == MessageStatus.SANDBOX:
        metrics.MESSAGES_SENT.labels(type="any", outcome="sandbox").inc()
        return DeliveryOutcome("sandbox")
    if problem:
        _fail(message, code=None, title="WhatsApp not connected", explanation=problem, details="")
        return DeliveryOutcome("failed")
    started = time.perf_counter()
    try:
        with WhatsAppClient.for_salon(salon) as client:
            wamid = client.send(message.body)
    except GraphAPIError as exc:
        metrics.SEND_LATENCY.observe(time.perf_counter() - started)
        return _handle_error(message, exc, salon)
    # Crash window starts (Meta accepted); store the wamid first, before anything else.
    _MARK_SENT.execute(
        pk=message.pk, wamid=wamid, sent=MessageStatus.SENT, now=timezone.now(),
        unfinished=[MessageStatus.SENDING, MessageStatus.QUEUED],
    )  # fmt: skip
    # Crash window ends.
    metrics.SEND_LATENCY.observe(time.perf_counter() - started)
    metrics.MESSAGES_SENT.labels(type=message.type, outcome="sent").inc()
    return DeliveryOutcome("sent")


def retry_delay(exc: GraphAPIError, attempt: int) -> float:
    """Exponential backoff by error class, with jitter so that retries of a burst spread out."""
    base = exc.backoff_seconds(attempt)
    return round(base * random.uniform(0.75, 1.25), 3)


def _handle_error(message: Message, exc: GraphAPIError, salon: Salon) -> DeliveryOutcome:
    code_label = str(exc.code) if exc.code is not None else (f"http_{exc.http_status}" if exc.http_status else "none")
    metrics.GRAPH_ERRORS.labels(code=code_label, error_class=type(exc).__name__).inc()
    explanation = explain(exc.code, salon.language, error=exc)
    if exc.retryable and message.attempts < MAX_ATTEMPTS:
        delay = retry_delay(exc, message.attempts)
        now = timezone.now()
        Message.objects.filter(pk=message.pk, status=MessageStatus.SENDING).update(
            status=MessageStatus.QUEUED,
            lease_expires_at=None,
            next_attempt_at=now + timedelta(seconds=delay),
            error_code=exc.code,
            error_title=(exc.title or str(exc))[:255],
            error_explanation=explanation,
            error_details=exc.details,
            updated_at=now,
        )
        metrics.MESSAGES_SENT.labels(type=message.type, outcome="retry").inc()
        logger.info("send retried", extra={"message_id": message.pk, "code": exc.code, "retry_in": delay})
        return DeliveryOutcome("retry", retry_in=delay)
    if isinstance(exc, AuthError):
        Salon.objects.filter(pk=salon.pk).update(channel_status=ChannelStatus.NEEDS_CREDENTIALS)
        logger.warning("salon channel needs new credentials", extra={"salon_id": str(salon.pk)})
    if exc.retryable:
        explanation = f"{explanation} Gave up after {message.attempts} attempts."
    _fail(message, code=exc.code, title=exc.title or str(exc), explanation=explanation, details=exc.details)
    return DeliveryOutcome("failed")


def _fail(message: Message, *, code: int | None, title: str, explanation: str, details: str) -> None:
    now = timezone.now()
    Message.objects.filter(pk=message.pk, status=MessageStatus.SENDING).update(
        status=MessageStatus.FAILED,
        failed_at=now,
        lease_expires_at=None,
        next_attempt_at=None,
        error_code=code,
        error_title=title[:255],
        error_explanation=explanation,
        error_details=details,
        updated_at=now,
    )
    metrics.MESSAGES_SENT.labels(type=message.type, outcome="failed").inc()
    logger.info("send failed", extra={"message_id": message.pk, "code": code})


def unfinished_messages(*, now=None, limit: int = 1000) -> list[tuple[int, str]]:
    """(message id, salon id) of rows a worker should have finished: lost queued ones and expired leases.

    Crosses tenants on purpose (the sweeper serves every salon); it returns ids only.
    """
    now = now or timezone.now()
    rows = (
        Message.all_salons.filter(direction=Direction.OUTBOUND)
        .filter(
            Q(status=MessageStatus.QUEUED, next_attempt_at__lt=now - QUEUED_GRACE)
            | Q(status=MessageStatus.QUEUED, next_attempt_at__isnull=True, created_at__lt=now - QUEUED_GRACE)
            | Q(status=MessageStatus.SENDING, lease_expires_at__lt=now)
        )
        .order_by("created_at")
        .values_list("pk", "salon_id")[:limit]
    )
    return [(pk, str(salon_id)) for pk, salon_id in rows]
