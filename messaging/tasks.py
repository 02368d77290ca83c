"""Celery tasks of messaging (queue ``outbound``): send one outbox row, and the sweeper that finishes lost ones."""

from __future__ import annotations

from celery import shared_task

from messaging.outbound import message_deliver, unfinished_messages
from salons.tenancy import salon_task


@shared_task(name="messaging.tasks.message_send", ignore_result=True)
@salon_task
def message_send(*, message_id: int, salon_id: str) -> str:
    outcome = message_deliver(message_id=message_id)
    if outcome.retry_in is not None:
        message_send.apply_async(kwargs={"message_id": message_id, "salon_id": salon_id}, countdown=outcome.retry_in)
    return outcome.state


@shared_task(name="messaging.tasks.outbound_sweep", ignore_result=True)
def outbound_sweep() -> int:
    """Re-enqueue queued rows nobody picked up and sending rows whose lease expired (a worker died)."""
    found = unfinished_messages()
    for message_id, salon_id in found:
        message_send.apply_async(kwargs={"message_id": message_id, "salon_id": salon_id})
    return len(found)
