"""Fixtures of the messaging tests: a connected salon known to the fake Graph API and a customer in the window."""

from __future__ import annotations

import pytest
from django.utils import timezone

from messaging.models import Message
from messaging.outbound import DeliveryOutcome, message_deliver
from messaging.tests.factories import ConversationFactory


@pytest.fixture
def graph(fake_graph, salon):
    fake_graph.register_salon(salon)
    return fake_graph


@pytest.fixture
def conversation(salon):
    return ConversationFactory(salon=salon, window_open=True, customer__phone="+4915112340001")


@pytest.fixture
def customer(conversation):
    return conversation.customer


@pytest.fixture
def deliver(salon):
    """Run the worker's send path for a message (as the task would), making a scheduled retry due first."""

    def _deliver(message: Message, *, due: bool = True) -> DeliveryOutcome:
        if due:
            Message.all_salons.filter(pk=message.pk, next_attempt_at__isnull=False).update(
                next_attempt_at=timezone.now()
            )
        outcome = message_deliver(salon=salon, message_id=message.pk)
        message.refresh_from_db()
        return outcome

    return _deliver
