"""Reminders, run through the periodic service against the real database: never stale, never twice, quiet hours."""

from datetime import time, timedelta

import pytest

from bookings.models import Booking, Reminder, ReminderStatus
from bookings.services import booking_cancel, booking_create, booking_reschedule, reminders_send_due
from bookings.tests.conftest import NOW, at
from bookings.tests.factories import ServiceFactory, staff_with_hours
from salons.tests.factories import CustomerFactory, SalonFactory

# Date-sensitive: also run at pinned dates (tests/pinned_dates.py).
pytestmark = [pytest.mark.django_db, pytest.mark.pinned_dates]


def book(shop, haircut, anna, customer, starts_at, now=NOW):
    return booking_create(
        salon=shop, customer=customer, service=haircut, staff=anna, starts_at=starts_at, source="admin", now=now
    )


def book_in_a_new_salon(salon, *, starts_at, now, hours=((time(9), time(17)),)):
    """A booking in ``salon`` with a service, a staff member working ``hours`` and a customer of its own."""
    service = ServiceFactory(salon=salon)
    staff = staff_with_hours(salon, [service], hours=list(hours))
    customer = CustomerFactory(salon=salon)
    return book(salon, service, staff, customer, starts_at, now=now)


def reminder_messages():
    from messaging.models import Message

    return list(Message.all_salons.filter(template__name="booking_reminder").order_by("pk"))


def test_a_due_reminder_is_sent_once_with_confirm_reschedule_cancel_buttons(
    shop, haircut, anna, client_of_shop, booking_templates
):
    booking = book(shop, haircut, anna, client_of_shop, at(3, 10))
    assert reminders_send_due(now=at(2, 9, 59)) == {}
    assert reminders_send_due(now=at(2, 10)) == {"sent": 1}
    [message] = reminder_messages()
    assert message.customer_id == client_of_shop.pk
    assert booking.code in message.preview
    buttons = [c for c in message.body["template"]["components"] if c["type"] == "button"]
    assert [b["parameters"][0]["payload"] for b in buttons] == [
        f"booking:{booking.code}:confirm",
        f"booking:{booking.code}:reschedule",
        f"booking:{booking.code}:cancel",
    ]
    row = Reminder.all_salons.get(booking=booking, offset_minutes=1440)
    assert (row.status, row.sent_at) == (ReminderStatus.SENT, at(2, 10))
    # Running again (or late, or in parallel) sends nothing more for that offset.
    assert reminders_send_due(now=at(2, 10, 1)) == {}
    assert reminders_send_due(now=at(3, 8)) == {"sent": 1}  # the 2 h one
    assert reminders_send_due(now=at(3, 9)) == {}
    assert len(reminder_messages()) == 2


def test_a_cancelled_booking_never_gets_a_reminder(shop, haircut, anna, client_of_shop, booking_templates):
    booking = book(shop, haircut, anna, client_of_shop, at(3, 10))
    booking_cancel(booking=booking, now=NOW)
    assert set(Reminder.all_salons.values_list("status", flat=True)) == {ReminderStatus.CANCELLED}
    assert reminders_send_due(now=at(3, 9)) == {}
    assert reminder_messages() == []


def test_a_booking_cancelled_behind_the_services_back_is_skipped_at_send_time(
    shop, haircut, anna, client_of_shop, booking_templates
):
    booking = book(shop, haircut, anna, client_of_shop, at(3, 10))
    Booking.all_salons.filter(pk=booking.pk).update(status="cancelled")
    assert reminders_send_due(now=at(2, 10)) == {"skipped": 1}
    assert Reminder.all_salons.get(offset_minutes=1440).detail == "booking cancelled"
    assert reminder_messages() == []


def test_a_moved_booking_gets_reminders_for_its_new_time_only(shop, haircut, anna, client_of_shop, booking_templates):
    booking = book(shop, haircut, anna, client_of_shop, at(3, 10))
    booking_reschedule(booking=booking, starts_at=at(4, 15), now=NOW)
    # The old 24 h reminder's time passes: nothing is sent for the old start.
    assert reminders_send_due(now=at(2, 10)) == {}
    assert reminders_send_due(now=at(3, 15)) == {"sent": 1}
    row = Reminder.all_salons.get(status=ReminderStatus.SENT)
    assert (row.starts_at, row.offset_minutes) == (at(4, 15), 1440)
    assert "Wed, 4 Mar 2026, 15:00" in reminder_messages()[0].preview


def test_a_start_changed_behind_the_services_back_is_skipped_and_rearmed(
    shop, haircut, anna, client_of_shop, booking_templates
):
    booking = book(shop, haircut, anna, client_of_shop, at(3, 10))
    Booking.all_salons.filter(pk=booking.pk).update(starts_at=at(3, 16), ends_at=at(3, 17))
    assert reminders_send_due(now=at(2, 10)) == {"skipped": 1}
    assert reminder_messages() == []
    pending = Reminder.all_salons.filter(status=ReminderStatus.PENDING)
    assert {(r.starts_at, r.offset_minutes) for r in pending} == {(at(3, 16), 1440), (at(3, 16), 120)}


def test_moving_back_to_a_time_already_reminded_does_not_remind_again(
    shop, haircut, anna, client_of_shop, booking_templates
):
    booking = book(shop, haircut, anna, client_of_shop, at(5, 10))
    assert reminders_send_due(now=at(4, 10)) == {"sent": 1}
    now = at(4, 10, 5)
    booking = booking_reschedule(booking=booking, starts_at=at(5, 11), now=now, override_policy=True, reason="x")
    booking = booking_reschedule(booking=booking, starts_at=at(5, 10), now=now, override_policy=True, reason="x")
    assert reminders_send_due(now=at(5, 8)) == {"sent": 1}  # the 2 h one only
    assert [r.offset_minutes for r in Reminder.all_salons.filter(status=ReminderStatus.SENT)] == [1440, 120]
    assert len(reminder_messages()) == 2


def test_a_short_notice_booking_gets_one_reminder_if_there_is_still_time(
    shop, haircut, anna, client_of_shop, booking_templates
):
    now = at(3, 8)
    booking = book(shop, haircut, anna, client_of_shop, at(3, 9, 30), now=now)  # 90 minutes ahead
    [row] = Reminder.all_salons.filter(booking=booking)
    assert (row.offset_minutes, row.due_at) == (120, now)
    assert reminders_send_due(now=now + timedelta(minutes=1)) == {"sent": 1}


def test_no_reminder_when_the_appointment_is_minutes_away(client_of_shop, booking_templates):
    salon = SalonFactory(min_notice_minutes=0, reminder_offsets_minutes=[1440, 120])
    booking = book_in_a_new_salon(salon, starts_at=at(3, 10), now=at(3, 9, 50), hours=[(time(0), time(23))])
    assert not Reminder.all_salons.filter(booking=booking).exists()


def test_quiet_hours_defer_to_their_end_or_skip_when_too_late(shop, haircut, client_of_shop, booking_templates):
    shop.quiet_hours_start, shop.quiet_hours_end = time(21), time(8)
    shop.reminder_offsets_minutes = [720]
    shop.save()
    early_bird = staff_with_hours(shop, [haircut], hours=[(time(6), time(22))])

    def book_at(starts_at, now=NOW):
        return book(shop, haircut, early_bird, CustomerFactory(salon=shop), starts_at, now=now)

    morning = book_at(at(4, 10))  # reminder due 22:00 the evening before: inside quiet hours
    dawn = book_at(at(4, 8, 5))  # due 20:05: fine
    assert reminders_send_due(now=at(3, 20, 5)) == {"sent": 1}
    assert Reminder.all_salons.get(booking=dawn).status == ReminderStatus.SENT
    assert reminders_send_due(now=at(3, 22)) == {"deferred": 1}
    row = Reminder.all_salons.get(booking=morning)
    assert (row.status, row.due_at) == (ReminderStatus.PENDING, at(4, 8))
    assert reminders_send_due(now=at(4, 3)) == {}
    assert reminders_send_due(now=at(4, 8)) == {"sent": 1}

    # The end of quiet hours is too close to the appointment: skipped rather than sent at night or too late.
    too_late = book_at(at(6, 9, 30), now=at(5, 20))
    Reminder.all_salons.filter(booking=too_late).update(due_at=at(6, 7))
    shop.quiet_hours_end = time(9, 20)
    shop.save()
    assert reminders_send_due(now=at(6, 7)) == {"skipped": 1}
    assert "quiet hours" in Reminder.all_salons.get(booking=too_late).detail
    assert len(reminder_messages()) == 2


def test_a_messaging_refusal_marks_the_reminder_failed_and_leaves_the_booking(shop, haircut, anna, client_of_shop):
    booking = book(shop, haircut, anna, client_of_shop, at(3, 10))  # no templates installed
    assert reminders_send_due(now=at(2, 10)) == {"failed": 1}
    row = Reminder.all_salons.get(booking=booking, offset_minutes=1440)
    assert row.status == ReminderStatus.FAILED
    assert "TemplateNotApproved" in row.detail
    assert Booking.all_salons.get(pk=booking.pk).status == "pending"


def test_reminders_of_every_salon_are_sent_each_inside_its_own_scope(
    shop, haircut, anna, client_of_shop, booking_templates
):
    from messaging.models import Message

    other = SalonFactory(reminder_offsets_minutes=[60])
    other_booking = book_in_a_new_salon(other, starts_at=at(3, 10), now=NOW)
    book(shop, haircut, anna, client_of_shop, at(3, 10))
    result = reminders_send_due(now=at(3, 9, 30))
    # Here the 24 h and 2 h reminders are both overdue: only the 2 h one goes out. The other salon has no
    # templates installed, so its reminder fails (and nothing leaks between the salons).
    assert result == {"sent": 1, "skipped": 1, "failed": 1}
    assert Reminder.all_salons.get(booking=other_booking).status == ReminderStatus.FAILED
    assert set(Message.all_salons.values_list("salon_id", flat=True)) == {shop.pk}
