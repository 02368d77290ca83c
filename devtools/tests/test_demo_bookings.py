"""The demo seed builds a usable salon and is idempotent."""

import io

import pytest

from bookings.models import Booking, Service, StaffMember, WorkingHours
from devtools.demo import bookings as demo
from salons.tenancy import salon_scope

pytestmark = pytest.mark.django_db


def test_seed_creates_catalog_and_weeks_of_bookings_once(salon):
    with salon_scope(salon):
        demo.seed(salon=salon, stdout=io.StringIO())
        counts = (Service.objects.count(), StaffMember.objects.count(), Booking.objects.count())
        assert counts[0] == len(demo.SERVICES) and counts[1] == len(demo.STAFF)
        assert counts[2] > 50
        assert WorkingHours.objects.count() > 0
        assert Booking.objects.filter(status="completed").exists()
        assert Booking.objects.filter(status__in=["pending", "confirmed"]).exists()
        demo.seed(salon=salon, stdout=io.StringIO())
        assert (Service.objects.count(), StaffMember.objects.count(), Booking.objects.count()) == counts
