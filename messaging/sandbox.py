"""Sandbox conversations: a staff member's "Try your assistant" chat with their own salon.

A sandbox customer writes like any customer (the inbound message is stored by ``inbound_message_receive``, the
assistant answers in its task, replies go to the outbox), but nothing ever reaches Meta: the sender marks the
conversation's outbound messages "sandbox" (``messaging.outbound.message_claim``). Their WhatsApp ids start
with 0, which no country calling code does, so a sandbox id is never a real customer's.
"""

from __future__ import annotations

from django.db import transaction

from messaging.identity import SANDBOX_WA_ID_PATTERN, SANDBOX_WA_ID_PREFIX, Sender, customer_upsert
from messaging.models import Conversation
from messaging.services import conversation_for_customer
from salons.models import Customer, Salon


def sandbox_wa_id(*, user_id: int) -> str:
    """The WhatsApp id of ``user_id``'s sandbox customer (the same in every salon; 15 digits)."""
    return f"{SANDBOX_WA_ID_PREFIX}{user_id:012d}"


def is_sandbox_wa_id(wa_id: str) -> bool:
    return bool(SANDBOX_WA_ID_PATTERN.fullmatch(wa_id))


@transaction.atomic
def sandbox_conversation_for(*, salon: Salon, wa_id: str, name: str) -> Conversation:
    """``salon``'s sandbox customer with this id and their conversation, both created on first use.

    The conversation is flagged before anything can be sent in it."""
    if not is_sandbox_wa_id(wa_id):
        raise ValueError(f"{wa_id!r} is not a sandbox WhatsApp id")
    customer = customer_upsert(Sender(wa_id=wa_id, name=name))
    conversation = conversation_for_customer(salon=salon, customer=customer, lock=True)
    if not conversation.sandbox:
        Conversation.objects.filter(pk=conversation.pk).update(sandbox=True)
        conversation.sandbox = True
    return conversation


def sandbox_customer(*, wa_id: str) -> Customer | None:
    """``salon``'s sandbox customer with this id, if they ever wrote."""
    if not is_sandbox_wa_id(wa_id):
        return None
    return Customer.objects.filter(wa_id=wa_id).first()
