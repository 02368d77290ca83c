"""Eight clients, each with its own connection, book one customer at one time with eight different staff members:
exactly one wins (the customer's row lock serializes them), the others get CustomerBusy 409s."""

import threading
from datetime import time

import pytest
from django.db import connections

from bookings.errors import CustomerBusy
from bookings.models import Booking
from bookings.services import booking_create
from bookings.tests.conftest import NOW, at
from bookings.tests.factories import ServiceFactory, staff_with_hours
from salons.tests.factories import CustomerFactory, SalonFactory

CLIENTS = 8


@pytest.mark.django_db(transaction=True)
def test_concurrent_bookings_of_one_customer_with_different_staff_give_exactly_one_booking():
    salon = SalonFactory(timezone="Europe/Berlin", min_notice_minutes=0, booking_horizon_days=30)
    service = ServiceFactory(salon=salon, duration_minutes=60)
    stylists = [staff_with_hours(salon, [service], hours=[(time(9), time(18))]) for _ in range(CLIENTS)]
    customer = CustomerFactory(salon=salon)
    barrier = threading.Barrier(CLIENTS)
    results: list = [None] * CLIENTS

    def client(i: int) -> None:
        try:
            barrier.wait()
            results[i] = booking_create(
                salon=salon,
                customer=customer,
                service=service,
                staff=stylists[i],
                starts_at=at(3, 10, 15 * (i % 3)),  # 10:00, 10:15, 10:30: all overlap each other
                source="api",
                now=NOW,
            )
        except Exception as exc:  # CustomerBusy expected; anything else is surfaced by the assertions
            results[i] = exc
        finally:
            connections.close_all()

    threads = [threading.Thread(target=client, args=(i,)) for i in range(CLIENTS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    created = [r for r in results if isinstance(r, Booking)]
    busy = [r for r in results if isinstance(r, CustomerBusy)]
    assert len(created) == 1, results
    assert len(busy) == CLIENTS - 1, results
    assert all(b.codes == [created[0].code] for b in busy)
    assert Booking.all_salons.filter(salon=salon, customer=customer).count() == 1
