"""The outbound services write queued rows and enqueue on commit; inbound opens the window."""

import pytest

from messaging.inbound import inbound_message_receive
from messaging.models import Message, MessageStatus
from messaging.services import WindowClosed, message_send_text
from messaging.tests.factories import ConversationFactory
from salons.tenancy import salon_scope

pytestmark = pytest.mark.django_db


def test_text_inside_window_is_queued_and_enqueued_on_commit(salon, django_capture_on_commit_callbacks):
    conversation = ConversationFactory(salon=salon, window_open=True)
    with salon_scope(salon), django_capture_on_commit_callbacks() as callbacks:
        message = message_send_text(customer=conversation.customer, text="Hello")
    assert message.status == MessageStatus.QUEUED
    assert len(callbacks) == 1


def test_text_without_window_is_refused(salon):
    conversation = ConversationFactory(salon=salon)
    with salon_scope(salon), pytest.raises(WindowClosed):
        message_send_text(customer=conversation.customer, text="Hello")
    assert Message.all_salons.count() == 0


def test_inbound_message_creates_customer_conversation_and_opens_window(salon):
    value = {"contacts": [{"wa_id": "4915112345678", "profile": {"name": "Ana"}}]}
    raw = {"from": "4915112345678", "id": "wamid.IN1", "timestamp": "1763730000", "type": "text"}
    raw["text"] = {"body": "hi"}
    with salon_scope(salon):
        result = inbound_message_receive(salon=salon, value=value, message=raw)
        again = inbound_message_receive(salon=salon, value=value, message=raw)
    assert result.created and not again.created
    assert result.message.customer.name == "Ana"
    assert result.message.conversation.window_expires_at is not None
