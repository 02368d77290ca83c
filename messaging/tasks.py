"""Celery tasks of messaging (queue ``outbound``): send one outbox row, and the sweeper that finishes lost ones."""

from __future__ import annotations

from celery import shared_task

from config.api import DomainError
from config.publish import publish
from messaging import services
from messaging.models import MessageTemplate
from messaging.outbound import message_deliver, unfinished_messages
from messaging.whatsapp.errors import GraphAPIError
from salons.tenancy import current_salon, salon_task


@shared_task(name="messaging.tasks.message_send", ignore_result=True)
@salon_task
def message_send(*, message_id: int, salon_id: str) -> str:
    outcome = message_deliver(salon=current_salon(), message_id=message_id)
    if outcome.retry_in is not None:  # the row says when; if this publish fails, the sweeper publishes it
        publish(message_send, kwargs={"message_id": message_id, "salon_id": salon_id}, countdown=outcome.retry_in)
    return outcome.state


@shared_task(name="messaging.tasks.outbound_sweep", ignore_result=True)
def outbound_sweep() -> int:
    """Re-enqueue queued rows nobody picked up and sending rows whose lease expired (a worker died)."""
    found = unfinished_messages()
    for message_id, salon_id in found:
        publish(message_send, kwargs={"message_id": message_id, "salon_id": salon_id})
    return len(found)


@shared_task(name="messaging.tasks.template_push", bind=True, ignore_result=True, max_retries=6)
@salon_task
def template_push(self, *, template_id: int, salon_id: str) -> None:
    """Submit or edit a template on Meta; transient failures retry with backoff, refusals are stored on the row."""
    template = MessageTemplate.objects.filter(pk=template_id).first()
    if template is None:
        return
    try:
        services.template_push(template=template)
    except GraphAPIError as exc:
        raise self.retry(exc=exc, countdown=exc.backoff_seconds(self.request.retries + 1)) from exc
    except DomainError:
        return  # refused: the reason is on the template


@shared_task(name="messaging.tasks.template_sync", ignore_result=True)
@salon_task
def template_sync(*, salon_id: str) -> None:
    services.template_sync(salon=current_salon())
