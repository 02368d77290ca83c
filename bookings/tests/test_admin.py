"""Admin: the day view (a staff user of one salon sees only theirs), booking through the add form, actions."""

from datetime import datetime, time, timedelta

import pytest
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from bookings.models import Booking, BookingEvent, BookingStatus
from bookings.tests.factories import ServiceFactory, booking_for, staff_with_hours
from salons.models import Role
from salons.tests.factories import CustomerFactory, MembershipFactory, SalonFactory, UserFactory

pytestmark = pytest.mark.django_db


def local(salon, days, hour):
    today = timezone.now().astimezone(salon.tz).date()
    return datetime.combine(today + timedelta(days=days), time(hour), tzinfo=salon.tz)


@pytest.fixture
def two_salons():
    mine = SalonFactory(name="Mine Salon", timezone="America/New_York")
    theirs = SalonFactory(name="Theirs Salon")
    rows = {}
    for salon in (mine, theirs):
        service = ServiceFactory(salon=salon, name=f"Cut at {salon.name}")
        staff = staff_with_hours(salon, [service], name=f"Stylist of {salon.name}", hours=[(time(8), time(20))])
        customer = CustomerFactory(salon=salon, name=f"Client of {salon.name}")
        booking = booking_for(salon, service=service, staff=staff, customer=customer, starts_at=local(salon, 1, 9))
        rows[salon.pk] = {"service": service, "staff": staff, "customer": customer, "booking": booking}
    return mine, theirs, rows


def staff_client(salon, role=Role.STAFF):
    client = Client()
    client.force_login(MembershipFactory(salon=salon, role=role, user=UserFactory()).user)
    return client


def test_day_view_shows_each_staff_members_bookings_in_the_salon_time_zone(two_salons):
    mine, theirs, rows = two_salons
    client = staff_client(mine)
    day = local(mine, 1, 0).date()
    response = client.get(reverse("admin:bookings_booking_day"), {"date": day.isoformat()})
    assert response.status_code == 200
    html = response.content.decode()
    assert "Stylist of Mine Salon" in html
    assert rows[mine.pk]["booking"].code in html
    assert "09:00–10:00" in html  # New York wall clock, not UTC
    assert "America/New_York" in html
    assert "Theirs Salon" not in html and rows[theirs.pk]["booking"].code not in html
    # Asking for the other salon explicitly is a 404.
    assert client.get(reverse("admin:bookings_booking_day"), {"salon": str(theirs.pk)}).status_code == 404
    # Another day: no bookings.
    response = client.get(reverse("admin:bookings_booking_day"), {"date": (day + timedelta(days=1)).isoformat()})
    assert rows[mine.pk]["booking"].code not in response.content.decode()


def test_day_view_needs_a_salon_membership():
    outsider = Client()
    outsider.force_login(UserFactory(is_staff=True))
    assert outsider.get(reverse("admin:bookings_booking_day")).status_code in (302, 403)


def test_the_add_form_books_through_the_service_and_shows_conflicts(two_salons):
    mine, _theirs, rows = two_salons
    client = staff_client(mine)
    row = rows[mine.pk]
    starts = local(mine, 2, 11)
    form = {
        "customer": row["customer"].pk,
        "service": row["service"].pk,
        "staff": row["staff"].pk,
        "starts_at_0": starts.strftime("%Y-%m-%d"),
        "starts_at_1": "11:00:00",  # the salon's wall clock (New York), not UTC
        "notes": "",
    }
    response = client.post(reverse("admin:bookings_booking_add"), form)
    assert response.status_code == 302, response.context["adminform"].form.errors if response.context else response
    booking = Booking.all_salons.get(salon=mine, starts_at=starts)
    assert booking.source == "admin"
    assert BookingEvent.all_salons.get(booking=booking).kind == "created"

    response = client.post(reverse("admin:bookings_booking_add"), form)
    assert response.status_code == 200
    errors = response.context["adminform"].form.errors
    assert "starts_at" in errors and "Free nearby" in str(errors)
    assert Booking.all_salons.filter(salon=mine).count() == 2


def test_actions_call_the_services_and_report_refusals(two_salons):
    mine, theirs, rows = two_salons
    client = staff_client(mine)
    booking, foreign = rows[mine.pk]["booking"], rows[theirs.pk]["booking"]
    changelist = reverse("admin:bookings_booking_changelist")
    client.post(changelist, {"action": "confirm_selected", ACTION_CHECKBOX_NAME: [booking.pk, foreign.pk]})
    booking.refresh_from_db()
    foreign.refresh_from_db()
    assert (booking.status, foreign.status) == (BookingStatus.CONFIRMED, BookingStatus.PENDING)
    response = client.post(changelist, {"action": "complete_selected", ACTION_CHECKBOX_NAME: [booking.pk]}, follow=True)
    assert "has not started" in response.content.decode()
    client.post(changelist, {"action": "cancel_selected", ACTION_CHECKBOX_NAME: [booking.pk]})
    booking.refresh_from_db()
    assert booking.status == BookingStatus.CANCELLED
    assert "Cancelled in the admin" in booking.cancellation_reason
