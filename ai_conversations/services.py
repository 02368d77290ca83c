"""The assistant's writes: enqueue a reply for an inbound WhatsApp message, and produce that reply."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

from django.db import transaction

if TYPE_CHECKING:
    from salons.models import Salon

logger = logging.getLogger("chairside.assistant")


def assistant_enqueue_reply(*, salon: Salon, message: Any) -> None:
    """Called by the webhooks dispatcher for each new inbound message; the reply is produced by a task after commit."""
    from ai_conversations.tasks import assistant_reply

    salon_id, message_id = str(salon.pk), str(message.pk)
    transaction.on_commit(lambda: assistant_reply.delay(salon_id=salon_id, message_id=message_id))


def assistant_reply_to(*, message: Any) -> None:
    """Answer one inbound message (inside its salon's scope). Filled in by the dialog module."""
    from ai_conversations.dialog import dialog_handle_inbound

    dialog_handle_inbound(message=message)
