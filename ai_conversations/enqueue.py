"""Publishing the assistant's reply tasks, coalesced per webhook-relay batch (``config.coalesce``).

A module of its own, imported when the app is ready, so that the publisher is registered before the relay opens its
first batch without loading the assistant's engine in every process. A publish that fails is logged and left to the
sweeper (``ai_conversations.pending``): the pending-reply row, not the broker message, is the record of the work.
"""

from __future__ import annotations

from collections.abc import Iterable

from config.coalesce import coalesced
from config.publish import publish

# Replies a single task answers at most, when the webhook relay coalesces a batch's enqueues: fewer publishes, and
# still several workers answering a burst in parallel.
REPLY_TASK_MAX_MESSAGES = 10


def reply_task_kwargs(items: Iterable[tuple[str, str]]) -> list[dict]:
    """The ``assistant_reply`` kwargs for (salon id, message id) pairs: one task per salon per 10 messages, in order."""
    by_salon: dict[str, list[str]] = {}
    for salon_id, message_id in items:
        by_salon.setdefault(salon_id, []).append(message_id)
    tasks = []
    for salon_id, message_ids in by_salon.items():
        for start in range(0, len(message_ids), REPLY_TASK_MAX_MESSAGES):
            chunk = message_ids[start : start + REPLY_TASK_MAX_MESSAGES]
            if len(chunk) == 1:
                tasks.append({"salon_id": salon_id, "message_id": chunk[0]})
            else:
                tasks.append({"salon_id": salon_id, "message_ids": chunk})
    return tasks


@coalesced("assistant_replies_publish")
def replies_publish(items: list[tuple[str, str]]) -> None:
    """Publish ``assistant_reply`` for (salon id, message id) pairs; a failed publish is logged, never raised."""
    from ai_conversations.tasks import assistant_reply  # the tasks module loads the engine: only when publishing

    for kwargs in reply_task_kwargs(items):
        publish(assistant_reply, kwargs=kwargs)
