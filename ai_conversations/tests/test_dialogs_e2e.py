"""Scripted dialogs end to end: signed webhook POSTs, the real processor, the assistant and the fake Graph API."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

import pytest
from django.utils import timezone

from ai_conversations.models import AIConversation, AIMessage, ConversationState
from ai_conversations.playground import choices
from bookings.models import Booking

pytestmark = pytest.mark.django_db


def local_day(salon, days_ahead: int):
    return (timezone.now().astimezone(salon.tz) + timedelta(days=days_ahead)).date()


def at_local(salon, day, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=salon.tz).astimezone(UTC)


def text_of(message) -> str:
    body = message.body
    if body["type"] == "text":
        return body["text"]["body"]
    return body["interactive"]["body"]["text"]


def test_happy_path_books_the_asked_time_after_confirming_with_buttons(chat, assistant_salon, fake_graph):
    customer = chat()
    turn = customer.say("Hi! Can I get a men's haircut tomorrow at 3pm?")
    assert turn.status_code == 200
    [question] = turn.replies
    assert question.body["interactive"]["type"] == "button"
    assert "Men's haircut" in text_of(question) and "15:00" in text_of(question) and "25.00 EUR" in text_of(question)
    assert [c[0] for c in choices(question)] == ["book:yes", "book:other", "book:no"]

    turn = customer.tap("book:yes", "Yes, book it")
    [booked] = turn.replies
    booking = Booking.all_salons.get(salon=assistant_salon)
    assert booking.source == "assistant"
    assert booking.customer.wa_id == "4915123456789"
    assert booking.service.name == "Men's haircut"
    assert booking.starts_at == at_local(assistant_salon, local_day(assistant_salon, 1), 15)
    assert booking.code in text_of(booked) and "15:00" in text_of(booked) and booking.staff.name in text_of(booked)
    # Both replies really went out through the (fake) Graph API, to this customer.
    sent = [s.payload for s in fake_graph.sent]
    assert [p["to"] for p in sent] == ["4915123456789", "4915123456789"]
    assert booking.code in sent[-1]["text"]["body"]
    conversation = AIConversation.all_salons.get(salon=assistant_salon)
    assert conversation.state == ConversationState.ACTIVE and conversation.dialog_state == {
        "last_booking_code": booking.code
    }
    intents = list(AIMessage.all_salons.filter(direction="in").values_list("intent", flat=True))
    assert intents == ["book", "confirm"]
