"""The back office of bookings: the calendar (day and week, constant queries), booking from a free slot, and the
booking page's actions and history in words."""

from datetime import datetime, time, timedelta

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from bookings import services
from bookings.backoffice.slots import slot_value
from bookings.models import Booking, BookingEvent, BookingStatus
from bookings.tests.factories import ServiceFactory, TimeOffFactory, booking_for, staff_with_hours
from salons.models import Role
from salons.tests.factories import CustomerFactory, MembershipFactory, SalonFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def salon():
    return SalonFactory(name="Studio Berlin", timezone="Europe/Berlin", min_notice_minutes=0, slot_step_minutes=30)


@pytest.fixture
def owner(salon):
    return MembershipFactory(salon=salon, role=Role.OWNER, user=UserFactory(full_name="Anna Owner")).user


@pytest.fixture
def client(owner):
    c = Client()
    c.force_login(owner)
    return c


def tomorrow(salon):
    return timezone.now().astimezone(salon.tz).date() + timedelta(days=1)


def at(salon, day, hour, minute=0):
    return datetime.combine(day, time(hour, minute), tzinfo=salon.tz)


@pytest.fixture
def setup(salon):
    service = ServiceFactory(salon=salon, name="Haircut", duration_minutes=60)
    anna = staff_with_hours(salon, [service], name="Anna", hours=[(time(9), time(12)), (time(13), time(18))])
    ben = staff_with_hours(salon, [service], name="Ben", hours=[(time(10), time(16))])
    customer = CustomerFactory(salon=salon, name="Lena Vogel", phone="+4915100000001")
    return service, anna, ben, customer


def test_the_day_view_has_a_time_axis_lanes_working_hours_time_off_and_bookings(client, salon, setup):
    service, anna, ben, customer = setup
    day = tomorrow(salon)
    booking = booking_for(salon, service=service, staff=anna, customer=customer, starts_at=at(salon, day, 10))
    TimeOffFactory(salon=salon, staff=ben, starts_at=at(salon, day, 14), ends_at=at(salon, day, 15), reason="Dentist")
    html = client.get(reverse("admin:bookings_booking_day"), {"date": day.isoformat()}).content.decode()
    assert "08:00" in html and "17:00" in html  # the axis
    assert html.index(">Anna<") < html.index(">Ben<")  # a column per staff member
    assert html.count('class="cal-working"') == 3  # Anna's two ranges (the break between is shaded), Ben's one
    assert "Dentist" in html and 'class="cal-time-off"' in html
    assert booking.code in html and "10:00–11:00" in html and "status-pending" in html
    # Clicking an empty time books there: a link per free cell, prefilled with staff, day and time.
    assert f"staff={ben.pk}&amp;date={day.isoformat()}&amp;at=10:30" in html


def test_the_week_view_shows_seven_days_and_filters_by_staff(client, salon, setup):
    service, anna, ben, customer = setup
    day = tomorrow(salon)
    booking_for(salon, service=service, staff=ben, customer=customer, starts_at=at(salon, day, 11))
    url = reverse("admin:bookings_booking_week")
    html = client.get(url, {"date": day.isoformat()}).content.decode()
    assert html.count('class="cal-day-head') == 7
    assert "11:00–12:00" in html
    html = client.get(url, {"date": day.isoformat(), "staff": anna.pk}).content.decode()
    assert "11:00–12:00" not in html  # Ben's booking is filtered out
    assert f'data-staff="{ben.pk}"' not in html


def test_the_now_line_is_on_today_only(client, salon, setup):
    today = timezone.now().astimezone(salon.tz).date()
    html = client.get(reverse("admin:bookings_booking_week"), {"date": today.isoformat()}).content.decode()
    local_now = timezone.now().astimezone(salon.tz)
    assert html.count('class="cal-now"') == (1 if 8 <= local_now.hour < 20 else 0)
    html = client.get(reverse("admin:bookings_booking_day"), {"date": tomorrow(salon).isoformat()}).content.decode()
    assert 'class="cal-now"' not in html


def _week_of_bookings(salon, staff_count: int, bookings: int):
    service = ServiceFactory(salon=salon, duration_minutes=30)
    staff = [staff_with_hours(salon, [service], hours=[(time(8), time(20))]) for _ in range(staff_count)]
    customers = [CustomerFactory(salon=salon) for _ in range(bookings)]
    monday = tomorrow(salon) + timedelta(days=7 - tomorrow(salon).weekday())
    for i in range(bookings):
        member, day, slot = staff[i % staff_count], i // staff_count % 7, i // (staff_count * 7)
        starts = at(salon, monday + timedelta(days=day), 8) + timedelta(minutes=30 * slot)
        booking_for(salon, service=service, staff=member, customer=customers[i], starts_at=starts, notify=False)
    return monday


def _queries_for_week(salon, staff_count, bookings):
    monday = _week_of_bookings(salon, staff_count, bookings)
    user = MembershipFactory(salon=salon, role=Role.OWNER).user
    client = Client()
    client.force_login(user)
    url = reverse("admin:bookings_booking_week")
    client.get(url, {"date": monday.isoformat()})  # warm the session and caches
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url, {"date": monday.isoformat()})
    assert response.status_code == 200
    return len(queries), response.content.decode().count("cal-booking status-")


def test_a_week_with_ten_staff_and_400_bookings_renders_in_as_many_queries_as_a_small_one():
    small = _queries_for_week(SalonFactory(min_notice_minutes=0), 2, 10)
    large = _queries_for_week(SalonFactory(min_notice_minutes=0), 10, 400)
    assert small[1] == 10 and large[1] == 400
    assert large[0] == small[0]


def test_booking_from_a_free_slot_books_through_the_service(client, salon, setup, owner):
    service, anna, _ben, customer = setup
    day = tomorrow(salon)
    url = reverse("admin:bookings_booking_book")
    page = client.get(url, {"salon": salon.pk, "staff": anna.pk, "date": day.isoformat(), "at": "10:00"})
    html = page.content.decode()
    assert "Lena Vogel · +4915100000001" in html  # customers named with their phone
    slots = page.context["form"].fields["slot"].choices
    assert [label for _v, label in slots][:3] == ["09:00", "09:30", "10:00"]
    assert page.context["form"].initial["slot"] == slots[2][0]
    assert "12:00" not in [label for _v, label in slots]  # Anna's break
    response = client.post(
        url,
        {"salon": salon.pk, "customer": customer.pk, "service": service.pk, "staff": anna.pk,
         "date": day.isoformat(), "slot": slots[2][0], "notes": ""},
    )  # fmt: skip
    assert response.status_code == 302, response.context["form"].errors if response.context else ""
    booking = Booking.all_salons.get()
    assert (booking.staff, booking.starts_at, booking.created_by) == (anna, at(salon, day, 10), owner)
    assert BookingEvent.all_salons.filter(booking=booking, kind="created").count() == 1


def test_booking_a_slot_taken_meanwhile_offers_alternatives(client, salon, setup):
    service, anna, _ben, customer = setup
    day = tomorrow(salon)
    taken = slot_value(at(salon, day, 10), anna.pk)
    booking_for(salon, service=service, staff=anna, starts_at=at(salon, day, 10))
    response = client.post(
        reverse("admin:bookings_booking_book"),
        {"salon": salon.pk, "customer": customer.pk, "service": service.pk, "staff": anna.pk,
         "date": day.isoformat(), "slot": taken},
    )  # fmt: skip
    assert response.status_code == 200
    assert response.context["alternatives"]
    assert "Free nearby" in response.content.decode()
    assert Booking.all_salons.count() == 1


def _act(client, booking, **data):
    return client.post(reverse("admin:bookings_booking_act", args=[booking.pk]), data)


def test_the_booking_page_confirms_moves_and_cancels_and_tells_the_history_in_words(client, salon, setup):
    service, anna, ben, customer = setup
    day = tomorrow(salon)
    booking = booking_for(salon, service=service, staff=anna, customer=customer, starts_at=at(salon, day, 10))
    page = client.get(reverse("admin:bookings_booking_change", args=[booking.pk]))
    assert page.status_code == 200
    assert "10:00" in [label for _v, label in page.context["bo_choices"]]  # its own time is free to move to
    assert _act(client, booking, action="confirm").status_code == 302
    booking.refresh_from_db()
    assert booking.status == BookingStatus.CONFIRMED

    _act(client, booking, action="move", slot=slot_value(at(salon, day + timedelta(days=1), 14), ben.pk))
    booking.refresh_from_db()
    assert (booking.staff, booking.starts_at) == (ben, at(salon, day + timedelta(days=1), 14))

    _act(client, booking, action="cancel", reason="")
    booking.refresh_from_db()
    assert booking.status == BookingStatus.CONFIRMED  # a reason is required
    _act(client, booking, action="cancel", reason="Customer called")
    booking.refresh_from_db()
    assert (booking.status, booking.cancellation_reason) == (BookingStatus.CANCELLED, "Customer called")

    html = client.get(reverse("admin:bookings_booking_change", args=[booking.pk])).content.decode()
    old, new = at(salon, day, 10), at(salon, day + timedelta(days=1), 14)
    assert f"Rescheduled by Anna Owner from {old:%a %d %b %H:%M} to {new:%a %d %b %H:%M}" in html
    assert "Confirmed by Anna Owner" in html and "Cancelled by Anna Owner: “policy overridden: Customer called”" in html
    assert "Europe/Berlin" in html  # the header names the zone


def test_moving_to_a_slot_taken_meanwhile_offers_the_alternatives(client, salon, setup):
    service, anna, _ben, customer = setup
    day = tomorrow(salon)
    booking = booking_for(salon, service=service, staff=anna, customer=customer, starts_at=at(salon, day, 10))
    booking_for(salon, service=service, staff=anna, starts_at=at(salon, day, 15))
    response = _act(client, booking, action="move", slot=slot_value(at(salon, day, 15), anna.pk))
    assert response.status_code == 302 and "alt=" in response["Location"]
    page = client.get(response["Location"])
    assert page.context["bo_alternatives"]
    booking.refresh_from_db()
    assert booking.starts_at == at(salon, day, 10)


def test_status_actions_refused_by_the_service_show_its_message(client, salon, setup):
    service, anna, _ben, customer = setup
    booking = booking_for(
        salon, service=service, staff=anna, customer=customer, starts_at=at(salon, tomorrow(salon), 10)
    )
    response = _act(client, booking, action="complete")
    page = client.get(response["Location"])
    assert "has not started yet" in page.content.decode()
    booking.refresh_from_db()
    assert booking.status == BookingStatus.PENDING


def test_the_customer_page_tells_the_customers_story_and_books_again(client, salon, setup, owner):
    service, anna, _ben, customer = setup
    past_day = timezone.now().astimezone(salon.tz).date() - timedelta(days=3)
    then = timezone.now() - timedelta(days=5)
    for hour, status in ((10, "completed"), (14, "completed"), (16, "no_show")):
        booking = booking_for(salon, service=service, staff=anna, customer=customer,
                              starts_at=at(salon, past_day, hour), now=then, notify=False)  # fmt: skip
        {"completed": services.booking_complete, "no_show": services.booking_mark_no_show}[status](booking=booking)
    upcoming = booking_for(
        salon, service=service, staff=anna, customer=customer, starts_at=at(salon, tomorrow(salon), 9)
    )
    page = client.get(reverse("admin:salons_customer_change", args=[customer.pk]))
    assert page.status_code == 200
    html = page.content.decode()
    assert '<strong id="customer-visits">2</strong>' in html
    assert f'<strong id="customer-spend">{service.price * 2} {service.currency or salon.currency}</strong>' in html
    assert '<strong id="customer-no-shows">1</strong>' in html
    assert upcoming.code not in html and f"/admin/bookings/booking/{upcoming.pk}/change/" in html
    assert "No conversation yet." in html and "not asked" in html
    # Book again: the last booking's service and staff member at the next free slot (09:00 tomorrow is taken).
    assert f"service={service.pk}&amp;staff={anna.pk}" in html
    listing = client.get(reverse("admin:bookings_booking_changelist"), {"customer__id__exact": customer.pk})
    assert listing.status_code == 200 and len(listing.context["cl"].result_list) == 4
    again = page.context["bo_panels"]
    assert "Book again: Haircut · Anna" in "".join(again)


def test_the_plain_add_form_tells_two_customers_of_one_name_apart(client, salon, setup):
    CustomerFactory(salon=salon, name="Lena Vogel", phone="+4915100000002")
    html = client.get(reverse("admin:bookings_booking_add")).content.decode()
    assert "Lena Vogel · +4915100000001" in html and "Lena Vogel · +4915100000002" in html
