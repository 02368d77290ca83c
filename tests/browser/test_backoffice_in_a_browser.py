"""The back office as a salon runs its day in it, in a real browser (issue 18, "Done when"): book from an empty
calendar slot, move a booking from its page, cancel it. Screenshots of the calendar (day and week) and the booking
page go to the screenshots folder (tests/browser/conftest.py)."""

from __future__ import annotations

from datetime import datetime, time, timedelta

import pytest
from django.utils import timezone
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select

from bookings.models import Booking, BookingStatus
from bookings.tests.factories import ServiceFactory, TimeOffFactory, booking_for, staff_with_hours
from salons.models import Role
from salons.tests.factories import CustomerFactory, MembershipFactory, SalonFactory, UserFactory

pytestmark = pytest.mark.django_db(transaction=True)

PASSWORD = "pw-Chairside-123"  # UserFactory's


def local(salon, day, hour, minute=0):
    return datetime.combine(day, time(hour, minute), tzinfo=salon.tz)


@pytest.fixture
def studio():
    """A salon with three stylists, a day of bookings in every status, a break and time off."""
    salon = SalonFactory(name="Studio Aurora", timezone="Europe/Berlin", min_notice_minutes=0, slot_step_minutes=30)
    owner = MembershipFactory(salon=salon, role=Role.OWNER, user=UserFactory(full_name="Anna Weber")).user
    cut = ServiceFactory(salon=salon, name="Haircut", duration_minutes=45)
    colour = ServiceFactory(salon=salon, name="Colour", duration_minutes=90)
    staff = [
        staff_with_hours(salon, [cut, colour], name="Anna", hours=[(time(9), time(13)), (time(14), time(18))]),
        staff_with_hours(salon, [cut], name="Jonas", hours=[(time(10), time(19))]),
        staff_with_hours(salon, [cut, colour], name="Mia", hours=[(time(8), time(16))]),
    ]
    today = timezone.now().astimezone(salon.tz).date()
    day = today + timedelta(days=1)
    names = ["Lena Vogel", "Sofia Braun", "Paul Klein", "Emma Wolf", "Ben Roth", "Lea Hahn"]
    customers = [CustomerFactory(salon=salon, name=n, phone=f"+49151000000{i:02d}") for i, n in enumerate(names)]
    plan = [(0, 9, 0, cut), (0, 11, 0, colour), (1, 10, 30, cut), (1, 15, 0, cut), (2, 8, 30, colour), (2, 12, 0, cut)]
    for i, (who, hour, minute, service) in enumerate(plan):
        booking_for(salon, service=service, staff=staff[who], customer=customers[i],
                    starts_at=local(salon, day, hour, minute), notify=False)  # fmt: skip
    TimeOffFactory(salon=salon, staff=staff[2], starts_at=local(salon, day, 14), ends_at=local(salon, day, 16),
                   reason="Training")  # fmt: skip
    return {"salon": salon, "owner": owner, "cut": cut, "staff": staff, "customers": customers, "day": day}


def test_book_from_an_empty_calendar_slot(admin_ui, studio):
    salon, day, jonas = studio["salon"], studio["day"], studio["staff"][1]
    admin_ui.log_in(studio["owner"].email, PASSWORD)
    admin_ui.open(f"/admin/bookings/booking/day/?date={day.isoformat()}")
    admin_ui.screenshot("calendar_day")
    slot = admin_ui.find(f".cal-lane[data-staff='{jonas.pk}'] a.cal-slot[data-at='12:00']")
    admin_ui.browser.execute_script("arguments[0].scrollIntoView({block: 'center'})", slot)
    admin_ui.click_and_wait(slot)
    assert Select(admin_ui.find("select[name=staff]")).first_selected_option.text == "Jonas"
    checked = admin_ui.find("input[name=slot]:checked")
    assert checked.find_element(By.XPATH, "..").text == "12:00"
    Select(admin_ui.find("select[name=customer]")).select_by_visible_text("Emma Wolf · +4915100000003")
    admin_ui.screenshot("book_from_slot")
    admin_ui.click_and_wait(admin_ui.find("input[name=_book]"))
    assert any("Booked" in m for m in admin_ui.messages()), admin_ui.messages()
    booking = Booking.all_salons.get(staff=jonas, starts_at=local(salon, day, 12))
    assert booking.customer.name == "Emma Wolf" and booking.source == "admin"
    assert admin_ui.find(f".cal-booking[data-code='{booking.code}'] .when").text == "12:00–12:45"
    admin_ui.open(f"/admin/bookings/booking/week/?date={day.isoformat()}")
    admin_ui.screenshot("calendar_week")
    assert len(admin_ui.find_all(".cal-booking")) == 7


def test_move_a_booking_by_its_page_then_cancel_it(admin_ui, studio):
    salon, day, anna = studio["salon"], studio["day"], studio["staff"][0]
    booking = Booking.all_salons.get(staff=anna, starts_at=local(salon, day, 9))
    admin_ui.log_in(studio["owner"].email, PASSWORD)
    admin_ui.open(f"/admin/bookings/booking/{booking.pk}/change/")
    admin_ui.click_and_wait(admin_ui.find("#booking-panel button[value=confirm]"))
    assert admin_ui.find("#booking-status").text == "Confirmed"

    later = [
        r for r in admin_ui.find_all("#move-form input[name=slot]") if r.find_element(By.XPATH, "..").text == "15:00"
    ]
    later[0].click()
    admin_ui.click_and_wait(admin_ui.find("#move-submit"))
    booking.refresh_from_db()
    assert booking.starts_at == local(salon, day, 15)
    history = admin_ui.find("#booking-history").text
    assert f"Rescheduled by Anna Weber from {local(salon, day, 9):%a %d %b} 09:00 to" in history
    admin_ui.screenshot("booking_page")

    admin_ui.find("#cancel-form input[name=reason]").send_keys("Customer is ill")
    admin_ui.click_and_wait(admin_ui.find("#cancel-form button"))
    booking.refresh_from_db()
    assert booking.status == BookingStatus.CANCELLED
    assert "Cancelled by Anna Weber" in admin_ui.find("#booking-history").text
    assert admin_ui.find("#booking-status").text == "Cancelled"
