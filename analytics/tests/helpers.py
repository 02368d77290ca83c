"""Rows with chosen timestamps for the stats tests (bookings straight to the table: the rollups only read them)."""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal

from django.db.backends.postgresql.psycopg_any import DateTimeTZRange

from ai_conversations.models import AIConversation, AIMessage
from bookings.models import Booking, BookingStatus
from bookings.tests.factories import ServiceFactory, StaffMemberFactory
from messaging.models import Direction, MessageStatus, MessageType
from messaging.tests.factories import ConversationFactory, MessageFactory
from salons.models import Customer
from salons.tests.factories import CustomerFactory


def make_booking(
    salon,
    starts_at: datetime,
    *,
    status: str = BookingStatus.PENDING,
    created_at: datetime | None = None,
    staff=None,
    customer=None,
    price: str = "40.00",
    **timestamps,
) -> Booking:
    staff = staff or StaffMemberFactory(salon=salon)
    ends_at = starts_at + timedelta(hours=1)
    booking = Booking.all_salons.create(
        salon=salon,
        customer=customer or CustomerFactory(salon=salon),
        service=ServiceFactory(salon=salon),
        staff=staff,
        starts_at=starts_at,
        ends_at=ends_at,
        busy_range=DateTimeTZRange(starts_at, ends_at),
        status=status,
        source="admin",
        price=Decimal(price),
        currency=salon.currency,
    )
    Booking.all_salons.filter(pk=booking.pk).update(
        created_at=created_at or starts_at - timedelta(days=1), **timestamps
    )
    booking.refresh_from_db()
    return booking


def make_customer(salon, created_at: datetime, **kwargs) -> Customer:
    customer = CustomerFactory(salon=salon, **kwargs)
    Customer.all_salons.filter(pk=customer.pk).update(created_at=created_at)
    return customer


def make_dialog(salon, at: datetime, *, reply_after: list[int], customer=None):
    """A conversation where the customer writes at ``at`` and after each reply; each reply takes ``reply_after`` s."""
    conversation = ConversationFactory(salon=salon, **({"customer": customer} if customer else {}))
    messages = []
    for seconds in reply_after:
        messages.append(
            MessageFactory(
                salon=salon,
                conversation=conversation,
                direction=Direction.INBOUND,
                status=MessageStatus.RECEIVED,
                created_at=at,
            )
        )
        at += timedelta(seconds=seconds)
        messages.append(MessageFactory(salon=salon, conversation=conversation, created_at=at, type=MessageType.TEXT))
        at += timedelta(minutes=5)
    return conversation, messages


def make_ai_turn(salon, at: datetime, *, tokens: int = 0, cost: str = "0", handed_off: bool = False) -> AIMessage:
    conversation = AIConversation.all_salons.create(
        salon=salon, customer=CustomerFactory(salon=salon), handed_off_at=at if handed_off else None
    )
    if handed_off:
        AIConversation.all_salons.filter(pk=conversation.pk).update(state="handed_off")
    return AIMessage.all_salons.create(
        salon=salon,
        conversation=conversation,
        direction="out",
        content="Hi!",
        prompt_tokens=tokens,
        cost=Decimal(cost),
        created_at=at,
    )
