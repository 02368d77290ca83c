"""Celery tasks of the assistant: thin wrappers taking ids and ``salon_id``."""

from __future__ import annotations

from celery import shared_task

from salons.tenancy import salon_task


@shared_task(name="ai_conversations.tasks.assistant_reply", acks_late=True)
@salon_task
def assistant_reply(*, salon_id: str, message_id: str) -> None:
    from ai_conversations.services import assistant_reply_to
    from messaging.models import Message

    message = Message.objects.filter(pk=message_id).first()
    if message is None:
        return
    assistant_reply_to(message=message)


# Celery autodiscovers ``tasks`` modules only: register the rollup tasks (named ai_conversations.rollups.* so they
# route to the rollups queue).
from ai_conversations import rollups  # noqa: E402, F401
