"""The morning dashboard: today's bookings and free time, the week's revenue against last week's, the no-show rate,
open handoffs, WhatsApp and AI spend; each card links to the rows it counts."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from decimal import Decimal

import pytest
import time_machine
from django.test import Client
from django.urls import reverse

from ai_conversations.models import ConversationState
from ai_conversations.tests.factories import AIConversationFactory, AIMessageFactory
from bookings import services
from bookings.tests.factories import ServiceFactory, booking_for, staff_with_hours
from messaging.tests.factories import MessageFactory
from salons.models import Role
from salons.tests.factories import MembershipFactory, SalonFactory

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 12, 2, 11, 0, tzinfo=UTC)  # Wednesday 12:00 in Berlin


def at(salon, day, hour):
    return datetime.combine(day, time(hour), tzinfo=salon.tz)


@time_machine.travel(NOW, tick=False)
def test_the_cards_count_and_link_to_what_they_count():
    salon = SalonFactory(timezone="Europe/Berlin", currency="EUR", min_notice_minutes=0)
    service = ServiceFactory(salon=salon, duration_minutes=60, price=Decimal("40.00"))
    anna = staff_with_hours(salon, [service], name="Anna", hours=[(time(9), time(17))])
    today = NOW.astimezone(salon.tz).date()
    monday = today - timedelta(days=2)
    earlier = NOW - timedelta(days=30)

    def past(day, hour, outcome):
        booking = booking_for(salon, service=service, staff=anna, starts_at=at(salon, day, hour), now=earlier)
        outcome(booking=booking)

    past(monday, 10, services.booking_complete)
    past(monday, 12, services.booking_complete)
    past(monday - timedelta(days=7), 10, services.booking_complete)
    past(monday - timedelta(days=7), 12, services.booking_complete)
    past(monday - timedelta(days=7), 14, services.booking_complete)
    past(monday + timedelta(days=1), 10, services.booking_mark_no_show)
    booking_for(salon, service=service, staff=anna, starts_at=at(salon, today, 14))
    AIConversationFactory(salon=salon, state=ConversationState.HANDED_OFF)
    AIMessageFactory(salon=salon, cost=Decimal("0.25"), cost_currency="USD")
    MessageFactory(salon=salon, cost=Decimal("0.0625"), cost_currency="EUR", pricing_category="utility")

    client = Client()
    client.force_login(MembershipFactory(salon=salon, role=Role.OWNER).user)
    response = client.get(reverse("admin:index"))
    [board] = response.context["boards"]
    cards = {card.key: card for card in board["cards"]}
    assert cards["today"].value == "1"
    assert (cards["gaps"].value, cards["gaps"].detail) == ("7 h 00", "2 gaps of 30 min or more")
    assert cards["revenue"].value == "80.00 EUR" and "120.00 EUR -33 %" in cards["revenue"].detail
    assert cards["no_shows"].value == "17 %" and cards["no_shows"].detail == "1 of 6 appointments"
    assert cards["handoffs"].value == "1" and cards["handoffs"].url == reverse("admin:ai_conversations_inbox")
    assert cards["whatsapp"].value.endswith(" EUR") and Decimal(cards["whatsapp"].value.split()[0]) == Decimal("0.0625")
    assert cards["ai"].value == "0.25 USD"

    # Traceable: the revenue card's link lists exactly the completed bookings of this week.
    listing = client.get(cards["revenue"].url)
    assert listing.status_code == 200
    assert {b.starts_at for b in listing.context["cl"].result_list} == {at(salon, monday, 10), at(salon, monday, 12)}
    listing = client.get(cards["no_shows"].url)
    assert [b.status for b in listing.context["cl"].result_list] == ["no_show"]
    assert len(client.get(cards["today"].url).context["cl"].result_list) == 1


@time_machine.travel(NOW, tick=False)
def test_the_dashboard_counts_only_the_users_salon():
    mine, theirs = SalonFactory(), SalonFactory()
    AIConversationFactory(salon=theirs, state=ConversationState.HANDED_OFF)
    client = Client()
    client.force_login(MembershipFactory(salon=mine, role=Role.OWNER).user)
    [board] = client.get(reverse("admin:index")).context["boards"]
    assert board["salon"] == mine
    assert {c.key: c.value for c in board["cards"]}["handoffs"] == "0"
