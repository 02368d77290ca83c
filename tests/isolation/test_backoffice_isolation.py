"""Tenant isolation of the back-office pages (calendar, booking from a slot, the booking page's actions): staff of
salon B never see salon A's rows there and cannot act on them or book with them."""

from __future__ import annotations

from datetime import datetime, time, timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from bookings.backoffice.slots import slot_value
from bookings.models import Booking
from bookings.tests.factories import ServiceFactory, booking_for, staff_with_hours
from salons.models import Role
from salons.tests.factories import CustomerFactory, MembershipFactory, SalonFactory
from tests.isolation import support

pytestmark = pytest.mark.django_db


class Salons:
    def __init__(self):
        self.rows = {}
        for name in ("a", "b"):
            salon = SalonFactory(
                name=f"{'Alpha Victim' if name == 'a' else 'Bravo Caller'} Salon", min_notice_minutes=0
            )
            service = ServiceFactory(salon=salon, name=f"Service {name.upper()}")
            staff = staff_with_hours(salon, [service], name=f"Stylist {name.upper()}", hours=[(time(8), time(20))])
            customer = CustomerFactory(salon=salon, name=f"Customer {name.upper()}")
            day = timezone.now().astimezone(salon.tz).date() + timedelta(days=1)
            booking = booking_for(
                salon, service=service, staff=staff, customer=customer,
                starts_at=datetime.combine(day, time(10), tzinfo=salon.tz),
            )  # fmt: skip
            setattr(self, name, salon)
            self.rows[name] = {"service": service, "staff": staff, "customer": customer, "booking": booking, "day": day}
        self.client = Client()
        self.client.force_login(MembershipFactory(salon=self.b, role=Role.OWNER).user)


@pytest.fixture
def world():
    return Salons()


@pytest.mark.parametrize("name", ["bookings_booking_day", "bookings_booking_week", "bookings_booking_book"])
def test_calendar_and_booking_pages_show_only_the_callers_salon(world, name):
    url = reverse(f"admin:{name}")
    a = world.rows["a"]
    response = world.client.get(url, {"date": a["day"].isoformat()})
    assert response.status_code == 200
    html = response.content.decode()
    for needle in ("Alpha Victim", "Stylist A", "Customer A", "Service A", a["booking"].code):
        assert needle not in html
    assert world.client.get(url, {"salon": str(world.a.pk)}).status_code == 404
    # A's staff member asked for in B's calendar: not shown, nothing of A's leaks.
    html = world.client.get(url, {"staff": a["staff"].pk, "date": a["day"].isoformat()}).content.decode()
    assert "Stylist A" not in html and a["booking"].code not in html


def test_booking_with_another_salons_rows_is_refused(world):
    a, b = world.rows["a"], world.rows["b"]
    before = support.db_snapshot(world.a)
    url = reverse("admin:bookings_booking_book")
    slot = slot_value(datetime.combine(b["day"], time(14), tzinfo=world.b.tz), b["staff"].pk)
    base = {"customer": b["customer"].pk, "service": b["service"].pk, "staff": b["staff"].pk,
            "date": b["day"].isoformat(), "slot": slot}  # fmt: skip
    assert world.client.post(url, {**base, "salon": world.a.pk}).status_code == 404
    for field in ("customer", "service", "staff"):
        response = world.client.post(url, {**base, "salon": world.b.pk, field: a[field].pk})
        assert response.status_code == 200 and response.context["form"].errors.get(field)
    a_slot = slot_value(datetime.combine(a["day"], time(14), tzinfo=world.a.tz), a["staff"].pk)
    response = world.client.post(url, {**base, "salon": world.b.pk, "staff": "", "slot": a_slot})
    assert Booking.all_salons.filter(salon=world.a).count() == 1
    assert not Booking.all_salons.filter(staff=a["staff"]).exclude(pk=a["booking"].pk).exists()
    assert support.db_snapshot(world.a) == before


@pytest.mark.parametrize("action", ["confirm", "complete", "no_show", "cancel", "move"])
def test_acting_on_another_salons_booking_is_a_404(world, action):
    a, b = world.rows["a"], world.rows["b"]
    before = support.db_snapshot(world.a)
    url = reverse("admin:bookings_booking_act", args=[a["booking"].pk])
    slot = slot_value(datetime.combine(a["day"], time(15), tzinfo=world.a.tz), a["staff"].pk)
    assert world.client.post(url, {"action": action, "reason": "x", "slot": slot}).status_code == 404
    # B's own booking moved to A's staff member: refused by the service, nothing changes.
    own = reverse("admin:bookings_booking_act", args=[b["booking"].pk])
    world.client.post(own, {"action": "move", "slot": slot})
    b["booking"].refresh_from_db()
    assert b["booking"].staff_id == b["staff"].pk
    assert support.db_snapshot(world.a) == before


def test_another_salons_booking_page_is_a_404(world):
    a = world.rows["a"]
    assert world.client.get(reverse("admin:bookings_booking_change", args=[a["booking"].pk])).status_code in (302, 404)


def test_the_inbox_never_lists_or_opens_another_salons_conversation(world):
    from ai_conversations.models import ConversationState
    from ai_conversations.tests.factories import AIConversationFactory
    from messaging.tests.factories import MessageFactory

    a = world.rows["a"]
    theirs = AIConversationFactory(salon=world.a, customer=a["customer"], state=ConversationState.HANDED_OFF)
    MessageFactory(salon=world.a, conversation__customer=a["customer"], preview="Alpha secret message")
    mine = AIConversationFactory(salon=world.b, customer=world.rows["b"]["customer"])
    url = reverse("admin:ai_conversations_inbox")
    for query in ({}, {"c": theirs.pk}):
        response = world.client.get(url, query)
        assert response.status_code == 200
        assert [i["conversation"] for i in response.context["items"]] == [mine]
        html = response.content.decode()
        assert "Customer A" not in html and "Alpha secret message" not in html
    before = support.db_snapshot(world.a)
    reply = reverse("admin:ai_conversations_reply", args=[theirs.pk])
    assert world.client.post(reply, {"text": "hi", "back": "inbox"}).status_code == 404
    assert support.db_snapshot(world.a) == before


def test_the_customer_page_and_book_again_stay_in_the_callers_salon(world):
    a, b = world.rows["a"], world.rows["b"]
    assert world.client.get(reverse("admin:salons_customer_change", args=[a["customer"].pk])).status_code in (302, 404)
    html = world.client.get(reverse("admin:salons_customer_change", args=[b["customer"].pk])).content.decode()
    assert a["booking"].code not in html and "Stylist A" not in html
    # "Book again" prefilled with A's customer: the form does not offer or accept it.
    response = world.client.get(reverse("admin:bookings_booking_book"), {"customer": a["customer"].pk})
    assert response.context["form"].initial.get("customer") is None


def test_the_dashboard_and_settings_pages_show_only_the_callers_salon(world):
    from salons.models import Invitation

    response = world.client.get(reverse("admin:index"))
    assert [board["salon"] for board in response.context["boards"]] == [world.b]
    assert "Alpha Victim" not in response.content.decode()
    url = reverse("admin:salons_salon_invite", args=[world.a.pk])
    assert world.client.post(url, {"email": "spy@b.test", "role": "owner"}).status_code == 404
    assert not Invitation.all_salons.filter(salon=world.a).exists()
