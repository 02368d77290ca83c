"""Sandbox conversations: every outbound message of one is kept from Meta by the sender, whoever wrote it."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from messaging.models import Conversation, Message, MessageStatus, status_may_advance
from messaging.sandbox import is_sandbox_wa_id, sandbox_conversation_for, sandbox_wa_id
from messaging.services import message_send_text
from messaging.tasks import message_send
from salons.models import Customer
from salons.tenancy import salon_scope

pytestmark = pytest.mark.django_db


@pytest.fixture
def sandbox(salon):
    with salon_scope(salon):
        conversation = sandbox_conversation_for(salon=salon, wa_id=sandbox_wa_id(user_id=7), name="Sandbox · Tess")
    Conversation.all_salons.filter(pk=conversation.pk).update(window_expires_at=timezone.now() + timedelta(hours=1))
    return conversation


def test_the_sandbox_customer_and_conversation_are_created_once_and_flagged(salon, sandbox):
    assert sandbox.sandbox and sandbox.customer.wa_id == "000000000000007"
    assert sandbox.customer.phone == "+000000000000007" and sandbox.customer.name == "Sandbox · Tess"
    with salon_scope(salon):
        again = sandbox_conversation_for(salon=salon, wa_id=sandbox_wa_id(user_id=7), name="other name")
    assert again.pk == sandbox.pk and Customer.all_salons.filter(salon=salon).count() == 1


def test_only_ids_no_country_code_can_start_are_sandbox_ids(salon):
    assert is_sandbox_wa_id(sandbox_wa_id(user_id=123456))
    assert not is_sandbox_wa_id("4915112345678")
    with salon_scope(salon), pytest.raises(ValueError, match="not a sandbox"):
        sandbox_conversation_for(salon=salon, wa_id="4915112345678", name="a real customer")


def test_the_sender_marks_a_sandbox_message_and_never_calls_the_graph_api(salon, sandbox, graph):
    with salon_scope(salon):
        message = message_send_text(salon=salon, customer=sandbox.customer, text="A staff reply")
    assert message_send(message_id=message.pk, salon_id=str(salon.pk)) == "sandbox"
    message.refresh_from_db()
    assert message.status == MessageStatus.SANDBOX and message.wamid is None and message.attempts == 0
    assert graph.requests == [] and graph.sent == []
    # Once kept in the sandbox, always: a second delivery (the sweeper, a redelivered task) changes nothing.
    assert message_send(message_id=message.pk, salon_id=str(salon.pk)) == "skipped"
    assert not status_may_advance(MessageStatus.SANDBOX, MessageStatus.DELIVERED)


def test_a_real_conversation_still_sends(salon, customer, graph):
    with salon_scope(salon):
        message = message_send_text(salon=salon, customer=customer, text="Your haircut is at 15:00")
    assert message_send(message_id=message.pk, salon_id=str(salon.pk)) == "sent"
    assert Message.all_salons.get(pk=message.pk).status == MessageStatus.SENT and len(graph.sent) == 1
