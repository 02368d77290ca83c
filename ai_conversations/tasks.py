"""Celery tasks of the assistant: thin wrappers taking ids and ``salon_id``."""

from __future__ import annotations

import logging

from celery import shared_task

from salons.tenancy import salon_task

logger = logging.getLogger("chairside.assistant")


@shared_task(name="ai_conversations.tasks.assistant_reply", acks_late=True)
@salon_task
def assistant_reply(*, salon_id: str, message_id: str | None = None, message_ids: list[str] | None = None) -> None:
    """Answer one inbound message (``message_id``) or several of the salon's, one transaction each (``message_ids``:
    the webhook relay publishes a batch's replies together). One message's failure does not stop the others."""
    from ai_conversations.services import assistant_reply_to
    from messaging.models import Message

    if message_id is not None:
        message = Message.objects.filter(pk=message_id).first()
        if message is not None:
            assistant_reply_to(message=message)
        return
    messages = {str(m.pk): m for m in Message.objects.filter(pk__in=message_ids or [])}
    for pk in message_ids or []:
        if pk not in messages:
            continue
        try:
            assistant_reply_to(message=messages[pk])
        except Exception:
            logger.exception("assistant reply failed", extra={"salon_id": salon_id, "message_id": pk})
