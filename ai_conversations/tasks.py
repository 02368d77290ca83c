"""Celery tasks of the assistant: thin wrappers taking ids and ``salon_id``."""

from __future__ import annotations

import logging

from celery import shared_task

from ai_conversations.pending import replies_sweep, reply_pending_run
from config.db.unavailable import database_unavailable
from salons.tenancy import salon_task

logger = logging.getLogger("chairside.assistant")


@shared_task(name="ai_conversations.tasks.assistant_reply", acks_late=True)
@salon_task
def assistant_reply(*, salon_id: str, message_id: str | None = None, message_ids: list[str] | None = None) -> None:
    """Answer one inbound message (``message_id``) or several of the salon's, one transaction each (``message_ids``:
    the webhook relay publishes a batch's replies together). Each is answered once (ai_conversations.pending).

    One message's failure does not stop the others (it stays pending: the sweeper publishes it again); the database
    being unreachable fails the task, which is then retried (the app's base task), the answered ones being done."""
    for pk in [message_id] if message_id is not None else list(message_ids or []):
        try:
            reply_pending_run(message_id=pk)
        except Exception as exc:
            if database_unavailable(exc):
                raise
            logger.exception("assistant reply failed", extra={"salon_id": salon_id, "message_id": pk})


@shared_task(name="ai_conversations.tasks.assistant_replies_sweep", ignore_result=True)
def assistant_replies_sweep() -> int:
    """Publish again the replies still pending past their grace period (beat, every few seconds)."""
    return replies_sweep()
