"""Concurrent clients, each with its own database connection, race for bookings: PostgreSQL lets exactly one win.

32 customers for one slot: the others get 409s with alternatives. One customer at one time with eight different
staff members: the customer's row lock serializes them, the others get CustomerBusy 409s.
"""

import threading
from datetime import time

import pytest
from django.db import connections

from bookings.errors import BookingConflict, CustomerBusy
from bookings.models import Booking
from bookings.services import booking_create
from bookings.tests.conftest import NOW, at
from bookings.tests.factories import ServiceFactory, staff_with_hours
from salons.tests.factories import CustomerFactory, SalonFactory

pytestmark = pytest.mark.django_db(transaction=True)


def race(clients: int, book) -> list:
    """Run ``book(i)`` for every client at once (each thread on its own connection); its result or exception."""
    barrier = threading.Barrier(clients)
    results: list = [None] * clients

    def client(i: int) -> None:
        try:
            barrier.wait()
            results[i] = book(i)
        except Exception as exc:  # the expected 409s, and anything else for the assertions to show
            results[i] = exc
        finally:
            connections.close_all()

    threads = [threading.Thread(target=client, args=(i,)) for i in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results


@pytest.fixture
def salon_and_service():
    salon = SalonFactory(timezone="Europe/Berlin", min_notice_minutes=0, booking_horizon_days=30)
    return salon, ServiceFactory(salon=salon, duration_minutes=60)


def test_32_clients_racing_for_one_slot_get_exactly_one_booking(salon_and_service):
    salon, service = salon_and_service
    staff = staff_with_hours(salon, [service], hours=[(time(9), time(18))])
    customers = [CustomerFactory(salon=salon) for _ in range(32)]

    results = race(
        32,
        lambda i: booking_create(
            salon=salon, customer=customers[i], service=service, staff=staff, starts_at=at(3, 10), source="api", now=NOW
        ),
    )

    created = [r for r in results if isinstance(r, Booking)]
    conflicts = [r for r in results if isinstance(r, BookingConflict)]
    assert len(created) == 1, results
    assert len(conflicts) == 31, [r for r in results if not isinstance(r, (Booking, BookingConflict))]
    assert all(c.alternatives and len(c.alternatives) <= 3 for c in conflicts)
    assert all(a["starts_at"] != at(3, 10) for c in conflicts for a in c.alternatives)
    assert Booking.all_salons.filter(salon=salon).count() == 1


def test_concurrent_bookings_of_one_customer_with_different_staff_give_exactly_one_booking(salon_and_service):
    salon, service = salon_and_service
    stylists = [staff_with_hours(salon, [service], hours=[(time(9), time(18))]) for _ in range(8)]
    customer = CustomerFactory(salon=salon)

    results = race(
        8,
        lambda i: booking_create(
            salon=salon,
            customer=customer,
            service=service,
            staff=stylists[i],
            starts_at=at(3, 10, 15 * (i % 3)),  # 10:00, 10:15, 10:30: all overlap each other
            source="api",
            now=NOW,
        ),
    )

    created = [r for r in results if isinstance(r, Booking)]
    busy = [r for r in results if isinstance(r, CustomerBusy)]
    assert len(created) == 1, results
    assert len(busy) == 7, results
    assert all(b.codes == [created[0].code] for b in busy)
    assert Booking.all_salons.filter(salon=salon, customer=customer).count() == 1
