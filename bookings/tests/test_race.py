"""32 clients, each with its own database connection, race for one slot: exactly one wins, the others get 409s."""

import threading
from datetime import time

import pytest
from django.db import connections

from bookings.errors import BookingConflict
from bookings.models import Booking
from bookings.services import booking_create
from bookings.tests.conftest import NOW, at
from bookings.tests.factories import ServiceFactory, staff_with_hours
from salons.tests.factories import CustomerFactory, SalonFactory

CLIENTS = 32


@pytest.mark.django_db(transaction=True)
def test_32_clients_racing_for_one_slot_get_exactly_one_booking():
    salon = SalonFactory(timezone="Europe/Berlin", min_notice_minutes=0, booking_horizon_days=30)
    service = ServiceFactory(salon=salon, duration_minutes=60)
    staff = staff_with_hours(salon, [service], hours=[(time(9), time(18))])
    customers = [CustomerFactory(salon=salon) for _ in range(CLIENTS)]
    barrier = threading.Barrier(CLIENTS)
    results: list = [None] * CLIENTS

    def client(i: int) -> None:
        try:
            barrier.wait()
            results[i] = booking_create(
                salon=salon,
                customer=customers[i],
                service=service,
                staff=staff,
                starts_at=at(3, 10),
                source="api",
                now=NOW,
            )
        except BookingConflict as exc:
            results[i] = exc
        except Exception as exc:  # surfaced by the assertions below
            results[i] = exc
        finally:
            connections.close_all()

    threads = [threading.Thread(target=client, args=(i,)) for i in range(CLIENTS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    created = [r for r in results if isinstance(r, Booking)]
    conflicts = [r for r in results if isinstance(r, BookingConflict)]
    assert len(created) == 1, results
    assert len(conflicts) == CLIENTS - 1, [r for r in results if not isinstance(r, (Booking, BookingConflict))]
    assert all(c.alternatives and len(c.alternatives) <= 3 for c in conflicts)
    assert all(a["starts_at"] != at(3, 10) for c in conflicts for a in c.alternatives)
    assert Booking.all_salons.filter(salon=salon).count() == 1
