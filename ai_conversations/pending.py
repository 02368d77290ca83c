"""The assistant's pending work is durable: a ``PendingReply`` row per inbound message that needs an answer.

- ``services.assistant_enqueue_reply`` inserts the row in the transaction that stores the inbound message (the
  webhook dispatcher's item savepoint), and publishes the reply task after commit (coalesced per relay batch; a
  failed publish is logged, never raised).
- ``reply_pending_run`` produces the reply and deletes the row in one transaction, holding the row's lock: a second
  run (a duplicate task, a redelivery after a crash) waits for the first and then finds nothing to do; a run killed
  half-way rolls back and leaves the row for the sweeper. So a reply is produced exactly once per message.
- ``replies_sweep`` (beat, every few seconds) publishes again every row still pending past a short grace period:
  the first publish failed (broker down), the task was lost with its worker, or it is stuck behind a dead one. The
  grace doubles with every publish of the same row (15 s, 30 s, … 5 min), so a long backlog is not flooded.
- A reply that would now reach the customer later than the salon's ``reply_max_delay_minutes`` after the message was
  stored is not produced: the conversation goes to staff (handoff reason "reply delayed"), the turn is recorded.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from ai_conversations.enqueue import reply_task_kwargs
from ai_conversations.models import ConversationState, PendingReply
from ai_conversations.services import (
    ai_conversation_for,
    assistant_reply_to,
    assistant_settings_for,
    conversation_hand_off,
)
from salons.models import Customer
from salons.tenancy import all_salons, current_salon

logger = logging.getLogger("chairside.assistant")

REPLY_DELAYED = "reply delayed"
# The longest pause between two publishes of one pending reply (the grace doubles up to this).
MAX_REPUBLISH_SECONDS = 300.0


def sweep_after_seconds() -> float:
    """How long a pending reply may wait for its task before the sweeper publishes it again."""
    return float(getattr(settings, "ASSISTANT_REPLY_SWEEP_AFTER_SECONDS", 15.0))


def reply_pending_run(*, message_id: int | str, now: datetime | None = None) -> str:
    """Answer one inbound message of the salon in scope, once: "replied", "handed_off" (too late) or "done".

    Without a pending row (a task published before rows existed, a test) the reply is still produced when no turn
    was recorded for the message yet (``assistant_reply_to`` is idempotent per message)."""
    from messaging.models import Message  # the assistant may import messaging; lazily, as services does

    with transaction.atomic():
        pending = PendingReply.objects.select_for_update().filter(message_id=message_id).first()
        message = Message.objects.filter(pk=message_id).first()
        if message is None:
            return "done"  # purged meanwhile (the row went with it)
        now = now or timezone.now()
        outcome = "replied"
        if pending is not None and now - pending.created_at > reply_max_delay():
            _hand_off_delayed(message)
            outcome = "handed_off"
        sent = assistant_reply_to(message=message, now=now)
        if pending is None:
            return "replied" if sent else "done"
        pending.delete()
    return outcome


def reply_max_delay() -> timedelta:
    return timedelta(minutes=assistant_settings_for(current_salon()).reply_max_delay_minutes)


def _hand_off_delayed(message: Any) -> None:
    customer = Customer.objects.get(pk=message.customer_id)
    conversation = ai_conversation_for(customer=customer, lock=True)
    if conversation.state != ConversationState.HANDED_OFF:
        conversation_hand_off(conversation=conversation, reason=REPLY_DELAYED)
        logger.warning(
            "assistant reply too late: handed to staff",
            extra={"salon_id": str(message.salon_id), "message_id": message.pk},
        )


# Rows due again: the grace doubles with every publish (publish_count 1: 15 s, 2: 30 s, …), capped. The first
# condition is the same test with the smallest grace, so that the index on published_at narrows the scan.
_CLAIM_DUE = """
WITH due AS (
    SELECT id FROM ai_conversations_pendingreply
    WHERE published_at < %(now)s - make_interval(secs => %(grace)s)
      AND published_at < %(now)s - make_interval(secs => LEAST(%(grace)s * power(2, publish_count - 1), %(cap)s))
    ORDER BY published_at
    LIMIT %(limit)s
    FOR UPDATE SKIP LOCKED
)
UPDATE ai_conversations_pendingreply AS pending
SET published_at = %(now)s, publish_count = LEAST(pending.publish_count + 1, 32000)
FROM due WHERE pending.id = due.id
RETURNING pending.salon_id, pending.message_id
"""


def replies_sweep(*, limit: int = 500, now: datetime | None = None) -> int:
    """Publish again the replies still pending past their grace (every salon); returns how many were published.

    The rows are marked and published in one transaction: if the broker refuses, nothing is marked and the next
    sweep tries again. A task that starts before this commits waits on the row lock, then finds its row."""
    from ai_conversations.tasks import assistant_reply  # the tasks module loads the engine

    try:
        with all_salons(), transaction.atomic(), connection.cursor() as cursor:
            params = {"now": now or timezone.now(), "grace": sweep_after_seconds(), "cap": MAX_REPUBLISH_SECONDS}
            cursor.execute(_CLAIM_DUE, {**params, "limit": limit})
            rows = cursor.fetchall()
            for kwargs in reply_task_kwargs((str(salon_id), str(message_id)) for salon_id, message_id in rows):
                assistant_reply.apply_async(kwargs=kwargs)
    except Exception as exc:  # broker or database unreachable: nothing was marked, the next sweep tries again
        logger.warning("pending replies not swept", extra={"error": f"{type(exc).__name__}: {exc}"[:300]})
        return 0
    if rows:
        logger.info("pending replies published again", extra={"count": len(rows)})
    return len(rows)
