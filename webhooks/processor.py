"""Processing of one stored webhook event: walk every entry, change, message and status, route each item to its
salon, dispatch it to messaging (and the assistant) in its own savepoint, and record the outcome on the event."""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from dataclasses import dataclass
from dataclasses import field as dataclass_field
from datetime import datetime, timedelta
from typing import Any, NamedTuple

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import connection, transaction
from django.utils import timezone

from ai_conversations import services as assistant
from messaging import inbound
from messaging import services as messaging_services
from salons.models import Salon
from salons.tenancy import salon_scope
from webhooks import metrics
from webhooks.models import EventStatus, ItemStatus
from webhooks.validation import item_problem, printable, text_problem

logger = logging.getLogger("chairside.webhooks")

# Changes routed by the WABA id (entry.id) rather than by a phone number.
TEMPLATE_FIELDS = frozenset(
    {
        "message_template_status_update",
        "message_template_quality_update",
        "message_template_components_update",
        "template_category_update",
    }
)


def max_attempts() -> int:
    return getattr(settings, "WEBHOOKS_MAX_ATTEMPTS", 8)


def retry_delay(attempt: int) -> timedelta:
    """Backoff after the ``attempt``-th failed try: 5 s, 10 s, 20 s, … capped at one hour."""
    base = getattr(settings, "WEBHOOKS_RETRY_BASE_SECONDS", 5.0)
    return timedelta(seconds=min(base * 2 ** max(attempt - 1, 0), 3600.0))


@dataclass
class Item:
    """One unit of work inside an event: an inbound message, a status, a template event, or an ignored part."""

    key: str
    kind: str  # message | status | template | change | event
    salon: Salon | None = None
    field: str = ""
    value: dict = dataclass_field(default_factory=dict)
    payload: Any = None  # the message or status object
    ignored: str = ""  # the reason, when nothing is to be done

    @property
    def ref(self) -> str:
        return printable(str(self.payload.get("id", "")), 255) if isinstance(self.payload, dict) else ""


class SalonResolver:
    """Salons by phone_number_id and by WABA id, looked up once per event. Salon is not tenant-owned."""

    def __init__(self) -> None:
        self._by_phone: dict[str, Salon | None] = {}
        self._by_waba: dict[str, list[Salon]] = {}

    def by_phone_number_id(self, phone_number_id: str) -> Salon | None:
        if phone_number_id not in self._by_phone:
            self._by_phone[phone_number_id] = (
                Salon.objects.filter(phone_number_id=phone_number_id, is_active=True).first()
                if phone_number_id and not text_problem(phone_number_id)
                else None
            )
        return self._by_phone[phone_number_id]

    def by_waba_id(self, waba_id: str) -> list[Salon]:
        # Several salons (a chain's numbers) may share one WABA: a template event applies to each of them.
        if waba_id not in self._by_waba:
            self._by_waba[waba_id] = (
                list(Salon.objects.filter(waba_id=waba_id, is_active=True).order_by("pk"))
                if waba_id and not text_problem(waba_id)
                else []
            )
        return self._by_waba[waba_id]


def _as_dict(value: Any) -> dict:
    return value if isinstance(value, dict) else {}


def _as_list(value: Any) -> list:
    return value if isinstance(value, list) else []


def walk(payload: dict, resolver: SalonResolver) -> Iterator[Item]:
    """Every item of a webhook payload, in order, with its salon resolved (or the reason it is ignored)."""
    if payload.get("object") != "whatsapp_business_account":
        yield Item("event", "event", ignored=f"object is {payload.get('object')!r}, not whatsapp_business_account")
        return
    entries = _as_list(payload.get("entry"))
    if not entries:
        yield Item("event", "event", ignored="no entries")
    for e, entry in enumerate(entries):
        entry = _as_dict(entry)
        changes = _as_list(entry.get("changes"))
        if not changes:
            yield Item(f"{e}", "change", ignored="entry without changes")
        for c, change in enumerate(changes):
            change = _as_dict(change)
            name, value = str(change.get("field", "")), _as_dict(change.get("value"))
            key = f"{e}.{c}"
            if name == "messages":
                yield from _walk_messages(key, value, resolver)
            elif name in TEMPLATE_FIELDS:
                waba_id = str(entry.get("id", ""))
                salons = resolver.by_waba_id(waba_id)
                if not salons:
                    yield Item(key, "template", field=name, ignored=f"unknown or inactive WABA id {waba_id!r}")
                for salon in salons:
                    yield Item(f"{key}.{salon.pk}", "template", salon=salon, field=name, value=value)
            else:
                yield Item(key, "change", field=name, ignored=f"unsupported field {name!r}")


def _walk_messages(key: str, value: dict, resolver: SalonResolver) -> Iterator[Item]:
    phone_number_id = str(_as_dict(value.get("metadata")).get("phone_number_id", ""))
    salon = resolver.by_phone_number_id(phone_number_id)
    unknown = "" if salon else f"unknown or inactive phone_number_id {phone_number_id!r}"
    messages, statuses = _as_list(value.get("messages")), _as_list(value.get("statuses"))
    for i, message in enumerate(messages):
        yield Item(
            f"{key}.m{i}", "message", salon=salon, field="messages", value=value, payload=message, ignored=unknown
        )
    for i, status in enumerate(statuses):
        yield Item(f"{key}.s{i}", "status", salon=salon, field="messages", value=value, payload=status, ignored=unknown)
    if not messages and not statuses:
        errors = [_as_dict(err).get("code") for err in _as_list(value.get("errors"))]
        reason = f"change carries errors {errors}" if errors else "change without messages or statuses"
        yield Item(key, "change", field="messages", ignored=unknown or reason)


# --- dispatch (messaging and the assistant are imported lazily: nothing at import time depends on them) -----------


class StatusBeforeMessage(Exception):
    """A status for a wamid we do not know yet: the send that produced it may not have stored its wamid yet."""


def unknown_status_attempts() -> int:
    """Attempts (5 s, 10 s, … apart) during which a status for an unknown wamid is retried before it is let go."""
    return getattr(settings, "WEBHOOKS_UNKNOWN_STATUS_ATTEMPTS", 3)


def _dispatch(item: Item, attempt: int = 1) -> str:
    """Apply one item inside its salon's scope; returns a short note for the results."""
    if item.kind == "message":
        result = inbound.inbound_message_receive(salon=item.salon, value=item.value, message=item.payload)
        if result.message is not None and result.created and not result.keyword:
            assistant.assistant_enqueue_reply(salon=item.salon, message=result.message)
        if not result.created:
            return "duplicate"
        return f"keyword {result.keyword}" if result.keyword else "created"
    if item.kind == "status":
        message = inbound.inbound_status_receive(salon=item.salon, status=item.payload)
        if message is None and attempt < unknown_status_attempts():
            # Meta can deliver "sent" before our worker stored the wamid it got back (the send's crash window);
            # retrying this item shortly applies it then. After the last try it is a message we never sent.
            raise StatusBeforeMessage(f"no message with wamid {item.ref!r} yet")
        return "applied" if message is not None else "unknown wamid"
    if item.kind == "template":
        template = messaging_services.template_event_apply(salon=item.salon, field=item.field, value=item.value)
        return "applied" if template is not None else "unknown template"
    raise ValueError(f"nothing to dispatch for item kind {item.kind!r}")


def _run_item(item: Item, previous: dict, attempt: int = 1) -> dict:
    if previous.get("status") in (ItemStatus.PROCESSED, ItemStatus.INVALID):
        return previous  # succeeded (or was found invalid) in an earlier attempt: never applied twice
    outcome: dict[str, Any] = {"kind": item.kind}
    if item.ref:
        outcome["ref"] = item.ref
    if item.salon is not None:
        outcome["salon"] = str(item.salon.pk)
    problem = "" if item.ignored else item_problem(item.kind, item.payload, item.value)
    if item.ignored:
        outcome.update(status=ItemStatus.IGNORED, reason=item.ignored)
    elif problem:
        # It would fail on every attempt and keep the event retrying: recorded once, with why, and left alone.
        logger.warning("webhook item invalid", extra={"item": item.key, "kind": item.kind, "reason": problem})
        outcome.update(status=ItemStatus.INVALID, reason=problem)
    else:
        try:
            with transaction.atomic(), salon_scope(item.salon):
                outcome["note"] = _dispatch(item, attempt)
            outcome["status"] = ItemStatus.PROCESSED
        except StatusBeforeMessage as exc:  # expected now and then: retried without a traceback in the logs
            logger.info("status for a wamid not stored yet; retrying", extra={"item": item.key, "ref": item.ref})
            outcome.update(status=ItemStatus.FAILED, error=str(exc))
        except Exception as exc:  # one bad item must not lose the others: its savepoint is rolled back, it is retried
            logger.warning(
                "webhook item failed",
                exc_info=True,
                extra={"item": item.key, "kind": item.kind, "salon_id": outcome.get("salon")},
            )
            outcome.update(status=ItemStatus.FAILED, error=printable(f"{type(exc).__name__}: {exc}", 500))
    metrics.ITEMS.labels(item.kind, outcome["status"]).inc()
    return outcome


def _event_status(results: dict) -> str:
    # An invalid item is dealt with (recorded, never retried): it counts as done for the event.
    statuses = {outcome["status"] for outcome in results.values()}
    if ItemStatus.FAILED in statuses:
        return EventStatus.FAILED if statuses == {ItemStatus.FAILED} else EventStatus.PARTIALLY_FAILED
    if statuses == {ItemStatus.IGNORED}:
        return EventStatus.IGNORED
    return EventStatus.PROCESSED


class ClaimedEvent(NamedTuple):
    """What the relay's claim returns for one event: enough to process it without reading the row again."""

    event_id: int
    attempt: int  # the claim's fencing token
    body: bytes
    results: dict
    received_at: datetime


class LeaseLost(Exception):
    """The event was claimed again by someone else (our lease expired): everything this attempt did is rolled back."""


_LOAD = """
SELECT id, attempts, body, results, received_at FROM webhooks_webhookevent
WHERE id = %s AND status = 'processing' AND attempts = %s
"""


def claimed_event(row: tuple) -> ClaimedEvent:
    event_id, attempt, body, results, received_at = row
    if isinstance(results, str | bytes):  # Django's psycopg adapters leave jsonb as text for JSONField to parse
        results = json.loads(results)
    return ClaimedEvent(event_id, attempt, bytes(body or b""), results or {}, received_at)


def _load(event_id: int, attempt: int) -> ClaimedEvent | None:
    with connection.cursor() as cursor:
        cursor.execute(_LOAD, [event_id, attempt])
        row = cursor.fetchone()
    return claimed_event(row) if row else None


def event_process(
    *,
    event_id: int,
    attempt: int,
    resolver: SalonResolver | None = None,
    claimed: ClaimedEvent | None = None,
) -> str | None:
    """Process one claimed event. ``attempt`` is the claim's fencing token: if the lease was lost and someone else
    claimed the event meanwhile, this returns None and nothing it did is kept. Everything the items wrote and the
    event's new status commit together, so a crash at any point leaves the event to be reclaimed, never half-applied.

    The fence is the final UPDATE of the event (``WHERE attempts = <our attempt>``), not a lock taken up front: the
    claim already returned the body, so the happy path reads nothing. A stale worker's item writes wait at worst on
    the new owner's row locks, and its final UPDATE matches no row, so its transaction is rolled back.

    ``claimed`` is what the relay's claim returned (the body is then not read again); ``resolver`` may be shared by
    the events of one claimed batch (one salon lookup per number per batch)."""
    event = claimed if claimed is not None else _load(event_id, attempt)
    if event is None:
        return None
    try:
        with transaction.atomic():
            skip_commit_flush()
            if attempt > max_attempts():
                # The worker died on every try (the lease kept expiring): stop here and leave it to an operator.
                return _finish(event, EventStatus.FAILED, f"gave up: the worker was lost on {attempt - 1} attempts")
            results, salon_ids = _process_items(event, resolver or SalonResolver())
            failed = [key for key, outcome in results.items() if outcome["status"] == ItemStatus.FAILED]
            invalid = [key for key, outcome in results.items() if outcome["status"] == ItemStatus.INVALID]
            notes = [f"{len(failed)} item(s) failed: {', '.join(failed[:20])}"] if failed else []
            notes += [f"{len(invalid)} item(s) invalid: {', '.join(invalid[:20])}"] if invalid else []
            return _finish(
                event,
                _event_status(results),
                "; ".join(notes),
                results=results,
                salon_ids=salon_ids,
            )
    except LeaseLost:
        logger.info("webhook event lease lost: rolled back", extra={"event_id": event_id, "attempt": attempt})
        return None
    except Exception as exc:
        # Not an item's failure (those are contained by their savepoints) but the walk's own: everything this attempt
        # wrote is rolled back with the transaction above; record the failure (and the retry) on its own.
        logger.exception("webhook event failed", extra={"event_id": event_id, "attempt": attempt})
        try:
            with transaction.atomic():
                return _finish(event, EventStatus.FAILED, printable(f"{type(exc).__name__}: {exc}", 1000))
        except LeaseLost:
            return None


def skip_commit_flush() -> None:
    """Let this transaction's COMMIT return before its WAL reaches the disk (``synchronous_commit = off``, for this
    transaction only). Safe here because everything processing writes is derived from the raw event, whose INSERT was
    flushed before Meta got its 200: if the server crashes and loses the last few hundred milliseconds of processing
    commits, those events are simply still received/processing (leased) and are processed again. Any later
    synchronous commit that read this one's rows (an assistant reply, say) flushes the WAL up to and including it.
    It saves one disk flush per event.

    Always ``SET LOCAL``, never a session ``SET``: behind PgBouncer in transaction mode the server connection goes to
    another client after this transaction, and a session setting would make that client's commits (bookings)
    unflushed too. ``SET LOCAL`` ends with the transaction whatever happens."""
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL synchronous_commit TO OFF")


def _process_items(event: ClaimedEvent, resolver: SalonResolver) -> tuple[dict, list]:
    payload = json.loads(event.body)
    if not isinstance(payload, dict):
        raise ValueError("body is JSON but not an object")
    previous, results, salon_ids = event.results or {}, {}, []
    for item in walk(payload, resolver):
        results[item.key] = _run_item(item, _as_dict(previous.get(item.key)), event.attempt)
        if item.salon is not None and item.salon.pk not in salon_ids:
            salon_ids.append(item.salon.pk)
    return results, salon_ids


# One statement, fenced by the claim's attempt number. results and salon_ids stay as they are when not given (the
# give-up and walk-failure paths keep what an earlier attempt recorded).
_FINISH = """
UPDATE webhooks_webhookevent
SET status = %s, last_error = %s, next_attempt_at = %s, processed_at = %s,
    results = COALESCE(%s::jsonb, results), salon_ids = COALESCE(%s::uuid[], salon_ids)
WHERE id = %s AND status = 'processing' AND attempts = %s
"""


def _finish(
    event: ClaimedEvent, status: str, error: str, *, results: dict | None = None, salon_ids: list | None = None
) -> str:
    """Record the attempt's outcome (and schedule the retry); raises LeaseLost if the event is no longer ours."""
    now = timezone.now()
    retry = status in (EventStatus.FAILED, EventStatus.PARTIALLY_FAILED) and event.attempt < max_attempts()
    next_attempt_at, processed_at = (now + retry_delay(event.attempt), None) if retry else (None, now)
    with connection.cursor() as cursor:
        cursor.execute(
            _FINISH,
            [
                status,
                error,
                next_attempt_at,
                processed_at,
                None if results is None else json.dumps(results, cls=DjangoJSONEncoder),
                salon_ids,
                event.event_id,
                event.attempt,
            ],
        )
        if cursor.rowcount != 1:
            raise LeaseLost(f"event {event.event_id}: attempt {event.attempt} is no longer the current claim")
    if retry:
        metrics.RETRIED.inc()
    else:
        metrics.PROCESSED.labels(status).inc()
        metrics.LAG.observe(max((now - event.received_at).total_seconds(), 0.0))
        if status in (EventStatus.FAILED, EventStatus.PARTIALLY_FAILED):
            metrics.FAILED.inc()
            logger.error(
                "webhook event failed after its last attempt",
                extra={"event_id": event.event_id, "attempts": event.attempt, "error": error[:300]},
            )
    return status
