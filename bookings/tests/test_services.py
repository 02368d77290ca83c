"""Booking services: creation, validation, conflicts with alternatives, policies, transitions, the audit log."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import IntegrityError, connection, transaction

from bookings import services
from bookings.errors import BookingConflict, BookingInvalid, CustomerBusy
from bookings.models import Booking, BookingEvent, BookingStatus, Reminder, ReminderStatus
from bookings.tests.conftest import NOW, at
from bookings.tests.factories import ServiceFactory, StaffServiceFactory, TimeOffFactory, staff_with_hours
from config.api import DomainError
from salons.tests.factories import CustomerFactory, MembershipFactory, SalonFactory, UserFactory

pytestmark = pytest.mark.django_db


def create(shop, customer, service, staff, starts_at, **kwargs):
    kwargs.setdefault("source", "admin")
    kwargs.setdefault("now", NOW)
    return services.booking_create(
        salon=shop, customer=customer, service=service, staff=staff, starts_at=starts_at, **kwargs
    )


def test_create_stores_the_booking_its_busy_range_price_snapshot_event_and_reminders(
    shop, haircut, anna, client_of_shop
):
    user = UserFactory()
    booking = create(shop, client_of_shop, haircut, anna, at(3, 10), created_by=user, notes="Short, please")
    booking.refresh_from_db()
    assert booking.status == BookingStatus.PENDING
    assert booking.ends_at - booking.starts_at == timedelta(hours=1)
    assert booking.busy_range.lower == at(3, 10)
    assert booking.busy_range.upper == at(3, 11, 15)  # 15 min cleanup
    assert (booking.price, booking.currency) == (Decimal("40.00"), "EUR")
    assert len(booking.code) == 6 and not set(booking.code) & set("0O1IL")
    event = BookingEvent.all_salons.get(booking=booking)
    assert (event.kind, event.actor, event.before) == ("created", user, None)
    assert event.after["starts_at"] == booking.starts_at.isoformat()
    reminders = Reminder.all_salons.filter(booking=booking).order_by("-offset_minutes")
    assert [(r.offset_minutes, r.due_at) for r in reminders] == [
        (1440, at(2, 10)),
        (120, at(3, 8)),
    ]


def test_staff_own_price_and_duration_are_used(shop, haircut, client_of_shop):
    senior = staff_with_hours(shop, [haircut], name="Senior", duration_minutes=90, price=Decimal("65.00"))
    booking = create(shop, client_of_shop, haircut, senior, at(3, 10))
    assert booking.ends_at == at(3, 11, 30)
    assert booking.price == Decimal("65.00")


def test_any_staff_books_the_first_free_qualified_member(shop, haircut, anna, ben, client_of_shop):
    first = create(shop, client_of_shop, haircut, None, at(3, 10))
    second = create(shop, CustomerFactory(salon=shop), haircut, None, at(3, 10))
    assert {first.staff_id, second.staff_id} == {anna.pk, ben.pk}
    with pytest.raises(BookingConflict) as conflict:
        create(shop, CustomerFactory(salon=shop), haircut, None, at(3, 10))
    assert conflict.value.alternatives


@pytest.mark.parametrize(
    ("case", "field"),
    [
        ("staff_does_not_offer", "staff"),
        ("outside_hours", "starts_at"),
        ("in_break", "starts_at"),
        ("runs_past_closing", "starts_at"),
        ("past", "starts_at"),
        ("inside_min_notice", "starts_at"),
        ("beyond_horizon", "starts_at"),
        ("time_off", "starts_at"),
        ("naive", "starts_at"),
        ("inactive_service", "service"),
        ("other_salons_customer", "customer"),
        ("nobody_works_then", "starts_at"),
    ],
)
def test_invalid_requests_raise_booking_invalid_with_the_field(case, field, shop, haircut, anna, client_of_shop):
    service, staff, starts_at, customer = haircut, anna, at(3, 10), client_of_shop
    if case == "staff_does_not_offer":
        service = ServiceFactory(salon=shop, name="Colour")
        StaffServiceFactory(salon=shop, service=service, staff=staff_with_hours(shop, [], name="Colourist"))
    elif case == "outside_hours":
        starts_at = at(3, 7)
    elif case == "in_break":
        starts_at = at(3, 13)
    elif case == "runs_past_closing":
        starts_at = at(3, 17, 30)
    elif case == "past":
        starts_at = NOW - timedelta(hours=1)
    elif case == "inside_min_notice":
        starts_at = NOW + timedelta(minutes=30)
    elif case == "beyond_horizon":
        starts_at = NOW + timedelta(days=31)
    elif case == "time_off":
        TimeOffFactory(salon=shop, staff=anna, starts_at=at(3, 9), ends_at=at(3, 12))
    elif case == "naive":
        starts_at = starts_at.replace(tzinfo=None)
    elif case == "inactive_service":
        service.is_active = False
        service.save()
    elif case == "other_salons_customer":
        customer = CustomerFactory(salon=SalonFactory())
    elif case == "nobody_works_then":
        staff, starts_at = None, at(3, 20)
    with pytest.raises(BookingInvalid) as error:
        create(shop, customer, service, staff, starts_at)
    assert error.value.field == field
    assert error.value.as_payload()[field]
    assert Booking.all_salons.count() == 0


def test_second_booking_for_the_same_slot_conflicts_with_three_alternatives(shop, haircut, anna, client_of_shop):
    create(shop, client_of_shop, haircut, anna, at(3, 10))
    with pytest.raises(BookingConflict) as conflict:
        create(shop, CustomerFactory(salon=shop), haircut, anna, at(3, 10, 30))
    alternatives = conflict.value.alternatives
    assert len(alternatives) == 3
    assert all(a["staff_id"] == anna.pk for a in alternatives)
    # Busy 10:00-11:15; 09:00 would need its cleanup until 10:15; 12:30 would run into the 13:00 break.
    assert [a["starts_at"] for a in alternatives] == [at(3, 11, 30), at(3, 12), at(3, 14)]
    assert conflict.value.status_code == 409
    assert conflict.value.as_payload()["alternatives"] == alternatives
    assert Booking.all_salons.count() == 1


def test_a_cancelled_booking_does_not_block_its_slot(shop, haircut, anna, client_of_shop):
    first = create(shop, client_of_shop, haircut, anna, at(3, 10))
    services.booking_cancel(booking=first, now=NOW)
    second = create(shop, CustomerFactory(salon=shop), haircut, anna, at(3, 10))
    assert second.status == BookingStatus.PENDING


def test_the_database_refuses_an_overlapping_row_even_from_raw_sql(shop, haircut, anna, client_of_shop):
    booking = create(shop, client_of_shop, haircut, anna, at(3, 10))
    with pytest.raises(IntegrityError, match="booking_no_overlap"), transaction.atomic(), connection.cursor() as cur:
        cur.execute(
            """
            INSERT INTO bookings_booking (salon_id, code, customer_id, service_id, staff_id, starts_at, ends_at,
                busy_range, status, source, price, currency, notes, cancellation_reason, created_at, updated_at)
            SELECT salon_id, 'RAW234', customer_id, service_id, staff_id, starts_at + interval '30 minutes',
                ends_at + interval '30 minutes', tstzrange(starts_at + interval '30 minutes', ends_at), 'confirmed',
                'api', price, currency, '', '', now(), now()
            FROM bookings_booking WHERE id = %s
            """,
            [booking.pk],
        )
    assert Booking.all_salons.count() == 1


def test_another_staff_member_or_another_salon_may_have_the_same_time(shop, haircut, anna, ben, client_of_shop):
    create(shop, client_of_shop, haircut, anna, at(3, 10))
    create(shop, CustomerFactory(salon=shop), haircut, ben, at(3, 10))
    assert Booking.all_salons.count() == 2


def test_one_customer_cannot_be_booked_twice_at_once_unless_the_services_are_parallel(
    shop, haircut, anna, ben, client_of_shop
):
    first = create(shop, client_of_shop, haircut, anna, at(3, 10))
    with pytest.raises(CustomerBusy) as refused:
        create(shop, client_of_shop, haircut, ben, at(3, 10, 30))  # overlaps 10:00-11:00 with another stylist
    assert refused.value.status_code == 409 and refused.value.codes == [first.code]
    # The offered alternatives do not overlap the customer's own booking either.
    assert all(a["starts_at"] >= first.ends_at or a["ends_at"] <= first.starts_at for a in refused.value.alternatives)
    assert Booking.all_salons.count() == 1
    parallel = create(shop, client_of_shop, haircut, ben, at(3, 10), allow_parallel=True)
    assert parallel.customer_id == client_of_shop.pk and Booking.all_salons.count() == 2
    create(shop, client_of_shop, haircut, anna, at(3, 11, 30))  # after both: no overlap, no flag needed
    assert Booking.all_salons.count() == 3


def test_rescheduling_onto_another_booking_of_the_same_customer_is_refused(shop, haircut, anna, ben, client_of_shop):
    create(shop, client_of_shop, haircut, anna, at(3, 10))
    other = create(shop, client_of_shop, haircut, ben, at(3, 14))
    with pytest.raises(CustomerBusy):
        services.booking_reschedule(booking=other, starts_at=at(3, 10), now=NOW)
    moved = services.booking_reschedule(booking=other, starts_at=at(3, 10), now=NOW, allow_parallel=True)
    assert moved.starts_at == at(3, 10)


# --- reschedule -----------------------------------------------------------------------------------------------
def test_reschedule_moves_the_booking_records_before_after_and_rearms_reminders(shop, haircut, anna, client_of_shop):
    booking = create(shop, client_of_shop, haircut, anna, at(5, 10))
    moved = services.booking_reschedule(booking=booking, starts_at=at(5, 10, 30), now=NOW)  # overlaps its own old range
    assert (moved.starts_at, moved.ends_at) == (at(5, 10, 30), at(5, 11, 30))
    assert moved.busy_range.upper == at(5, 11, 45)
    event = BookingEvent.all_salons.get(booking=booking, kind="rescheduled")
    assert event.before["starts_at"] == "2026-03-05T09:00:00+00:00"
    assert event.after["starts_at"] == "2026-03-05T09:30:00+00:00"
    rows = Reminder.all_salons.filter(booking=booking)
    assert {(r.starts_at, r.status) for r in rows} == {
        (at(5, 10), ReminderStatus.CANCELLED),
        (at(5, 10, 30), ReminderStatus.PENDING),
    }
    assert rows.filter(status=ReminderStatus.PENDING).count() == 2


def test_reschedule_to_a_taken_time_conflicts_and_keeps_the_booking(shop, haircut, anna, ben, client_of_shop):
    mine = create(shop, client_of_shop, haircut, anna, at(5, 10))
    create(shop, CustomerFactory(salon=shop), haircut, anna, at(5, 14))
    with pytest.raises(BookingConflict) as conflict:
        services.booking_reschedule(booking=mine, starts_at=at(5, 14), now=NOW)
    assert conflict.value.alternatives
    mine.refresh_from_db()
    assert mine.starts_at == at(5, 10)
    # Another staff member who is free: fine.
    moved = services.booking_reschedule(booking=mine, starts_at=at(5, 14), staff=ben, now=NOW)
    assert moved.staff_id == ben.pk


def test_reschedule_inside_the_cancellation_notice_needs_an_override_with_reason(shop, haircut, anna, client_of_shop):
    booking = create(shop, client_of_shop, haircut, anna, at(3, 10))
    late = at(2, 12)
    with pytest.raises(BookingInvalid) as error:
        services.booking_reschedule(booking=booking, starts_at=at(4, 10), now=late)
    assert error.value.field == "starts_at"
    moved = services.booking_reschedule(
        booking=booking, starts_at=at(4, 10), now=late, override_policy=True, reason="Ill"
    )
    assert moved.starts_at == at(4, 10)


# --- cancel and status changes ---------------------------------------------------------------------------------
def test_cancel_inside_the_notice_is_refused_unless_staff_override_with_a_reason(shop, haircut, anna, client_of_shop):
    booking = create(shop, client_of_shop, haircut, anna, at(3, 10))
    late = at(2, 12)  # 22 hours before, the salon wants 24
    with pytest.raises(BookingInvalid) as error:
        services.booking_cancel(booking=booking, reason="Can't make it", now=late)
    assert error.value.field == "starts_at"
    with pytest.raises(BookingInvalid) as error:
        services.booking_cancel(booking=booking, override_policy=True, now=late)
    assert error.value.field == "reason"
    staff_user = UserFactory()
    cancelled = services.booking_cancel(
        booking=booking, reason="Stylist ill", override_policy=True, actor=staff_user, now=late
    )
    assert cancelled.status == BookingStatus.CANCELLED
    assert cancelled.cancelled_at == late and cancelled.cancellation_reason == "Stylist ill"
    event = BookingEvent.all_salons.get(booking=booking, kind="cancelled")
    assert event.actor == staff_user and "policy overridden" in event.note
    assert event.before["status"] == "pending" and event.after["status"] == "cancelled"
    assert not Reminder.all_salons.filter(booking=booking, status=ReminderStatus.PENDING).exists()


def test_cancel_in_time_needs_no_override(shop, haircut, anna, client_of_shop):
    booking = create(shop, client_of_shop, haircut, anna, at(3, 10))
    assert services.booking_cancel(booking=booking, now=NOW).status == BookingStatus.CANCELLED


def test_allowed_status_transitions(shop, haircut, anna, client_of_shop):
    booking = create(shop, client_of_shop, haircut, anna, at(3, 10))
    assert services.booking_confirm(booking=booking, now=NOW).status == BookingStatus.CONFIRMED
    with pytest.raises(BookingInvalid) as error:
        services.booking_confirm(booking=booking, now=NOW)
    assert error.value.field == "status"
    with pytest.raises(BookingInvalid, match="not started"):
        services.booking_complete(booking=booking, now=NOW)
    after = at(3, 11)
    done = services.booking_complete(booking=booking, now=after)
    assert done.status == BookingStatus.COMPLETED
    for action in (services.booking_cancel, services.booking_mark_no_show, services.booking_confirm):
        with pytest.raises(BookingInvalid):
            action(booking=booking, now=after)
    with pytest.raises(BookingInvalid):
        services.booking_reschedule(booking=booking, starts_at=at(6, 10), now=after)
    assert [e.kind for e in BookingEvent.all_salons.filter(booking=booking)] == ["created", "confirmed", "completed"]


def test_no_show_only_after_the_start_and_frees_nothing_retroactively(shop, haircut, anna, client_of_shop):
    booking = create(shop, client_of_shop, haircut, anna, at(3, 10))
    with pytest.raises(BookingInvalid):
        services.booking_mark_no_show(booking=booking, now=NOW)
    assert services.booking_mark_no_show(booking=booking, now=at(3, 10, 20)).status == BookingStatus.NO_SHOW
    with pytest.raises(BookingInvalid):
        services.booking_cancel(booking=booking, override_policy=True, reason="x", now=at(3, 10, 20))


def test_a_booking_code_collision_is_retried_with_a_new_code(shop, haircut, anna, client_of_shop, monkeypatch):
    first = create(shop, client_of_shop, haircut, anna, at(3, 10))
    Booking.all_salons.filter(pk=first.pk).update(code="AAAAAA")
    codes = iter(["AAAAAA", "BBBBBB"])
    monkeypatch.setattr("bookings.services.booking_writes.generate_booking_code", lambda: next(codes))
    booking = create(shop, client_of_shop, haircut, anna, at(3, 15))
    assert booking.code == "BBBBBB"
    # Codes are unique per salon only.
    other = SalonFactory()
    other_service = ServiceFactory(salon=other)
    other_staff = staff_with_hours(other, [other_service])
    monkeypatch.setattr("bookings.services.booking_writes.generate_booking_code", lambda: "AAAAAA")
    elsewhere = create(other, CustomerFactory(salon=other), other_service, other_staff, at(3, 10))
    assert elsewhere.code == "AAAAAA"


# --- notifications ---------------------------------------------------------------------------------------------
def _run(callbacks):
    for callback in callbacks:
        callback()


def test_customer_side_bookings_queue_a_confirmation_in_the_same_transaction(
    shop, haircut, anna, client_of_shop, booking_templates, django_capture_on_commit_callbacks
):
    from devtools.testing.messaging import enqueued_sends
    from messaging.models import Message

    with django_capture_on_commit_callbacks() as callbacks:
        booking = create(shop, client_of_shop, haircut, anna, at(3, 10), source="whatsapp")
    # The outbox row commits with the booking (durable); only its send is published after the commit.
    message = Message.all_salons.get()
    assert len(enqueued_sends(callbacks)) == 1
    assert message.customer_id == client_of_shop.pk
    assert message.template_id == booking_templates["booking_confirmation"].pk
    assert booking.code in message.preview and "Haircut" in message.preview and "Anna" in message.preview
    assert "Tue, 3 Mar 2026, 10:00" in message.preview

    with django_capture_on_commit_callbacks() as callbacks:
        services.booking_reschedule(booking=booking, starts_at=at(4, 10), now=NOW)
        services.booking_cancel(booking=booking, now=NOW)
    _run(callbacks)
    assert sorted(Message.all_salons.values_list("template__name", flat=True)) == [
        "booking_cancelled",
        "booking_confirmation",
        "booking_rescheduled",
    ]


def test_admin_bookings_send_no_confirmation(shop, haircut, anna, client_of_shop, django_capture_on_commit_callbacks):
    from messaging.models import Message

    create(shop, client_of_shop, haircut, anna, at(3, 10), source="admin")
    assert not Message.all_salons.exists()


def test_a_messaging_refusal_never_undoes_the_booking(
    shop, haircut, anna, client_of_shop, django_capture_on_commit_callbacks
):
    # No templates installed: messaging refuses (TemplateNotApproved); the booking stands.
    with django_capture_on_commit_callbacks() as callbacks:
        booking = create(shop, client_of_shop, haircut, anna, at(3, 10), source="api")
    _run(callbacks)
    assert Booking.all_salons.filter(pk=booking.pk, status="pending").exists()


def test_staff_can_be_linked_only_to_a_member_of_their_own_salon(shop):
    """Membership is checked inside the salon's scope: being a member of another salon is not enough."""
    elsewhere = MembershipFactory(salon=SalonFactory()).user
    member = MembershipFactory(salon=shop).user
    with pytest.raises(DomainError) as refused:
        services.staff_create(salon=shop, name="Ben", user=elsewhere)
    assert refused.value.field == "user"
    staff = services.staff_create(salon=shop, name="Ana", user=member)
    with pytest.raises(DomainError):
        services.staff_update(staff=staff, data={"user": elsewhere})
    staff.refresh_from_db()
    assert staff.user == member
