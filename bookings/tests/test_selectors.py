"""Selectors used by the assistant: a customer's upcoming bookings and a booking by its code, within the scope."""

import pytest

from bookings.selectors import booking_by_code, customer_upcoming_bookings
from bookings.services import booking_cancel, booking_complete
from bookings.tests.conftest import NOW, at
from bookings.tests.factories import booking_for
from salons.tenancy import NoSalonInScope, salon_scope
from salons.tests.factories import SalonFactory

pytestmark = pytest.mark.django_db


def test_upcoming_bookings_are_the_active_future_ones_soonest_first(shop, haircut, anna, client_of_shop):
    later = booking_for(shop, service=haircut, staff=anna, customer=client_of_shop, starts_at=at(5, 10), now=NOW)
    sooner = booking_for(shop, service=haircut, staff=anna, customer=client_of_shop, starts_at=at(4, 10), now=NOW)
    gone = booking_for(shop, service=haircut, staff=anna, customer=client_of_shop, starts_at=at(6, 10), now=NOW)
    booking_cancel(booking=gone, now=NOW)
    done = booking_for(shop, service=haircut, staff=anna, customer=client_of_shop, starts_at=at(3, 10), now=NOW)
    booking_complete(booking=done, now=at(3, 11))
    with salon_scope(shop):
        assert customer_upcoming_bookings(customer=client_of_shop, now=at(3, 12)) == [sooner, later]
    with pytest.raises(NoSalonInScope):
        customer_upcoming_bookings(customer=client_of_shop)


def test_booking_by_code_ignores_case_and_separators_and_other_salons(shop, haircut, anna, client_of_shop):
    booking = booking_for(shop, service=haircut, staff=anna, customer=client_of_shop, starts_at=at(4, 10), now=NOW)
    messy = f" {booking.code[:3].lower()}-{booking.code[3:]} "
    with salon_scope(shop):
        assert booking_by_code(code=messy) == booking
        assert booking_by_code(code="") is None
    with salon_scope(SalonFactory()):
        assert booking_by_code(code=booking.code) is None
