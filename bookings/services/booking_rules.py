"""The rules a booking write checks before PostgreSQL gets the final word on overlaps.

Time given as aware UTC, inside the salon's booking window, objects of this salon, the staff member's hours and time
off, the customer free (one chair at a time), the cancellation notice and the allowed status transitions. A refusal is
a ``BookingInvalid`` (400) or a conflict carrying free alternatives (409).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from django.utils import timezone

from bookings.availability import OUTSIDE_HOURS, TIME_OFF, Schedule, booking_window, nearest_alternatives
from bookings.errors import BookingConflict, BookingInvalid, CustomerBusy
from bookings.models import ACTIVE_STATUSES, Booking, BookingStatus, Service, StaffMember
from salons.models import Customer, Salon


def aware_utc(value: datetime, field: str = "starts_at") -> datetime:
    if not isinstance(value, datetime) or timezone.is_naive(value):
        raise BookingInvalid("Give an aware date and time (with a UTC offset).", field=field)
    return value.astimezone(UTC).replace(microsecond=0)


def check_booking_window(salon: Salon, starts_at: datetime, now: datetime) -> None:
    earliest, latest = booking_window(salon, now)
    if starts_at <= now:
        raise BookingInvalid("That time is in the past.", field="starts_at", reason="past")
    if starts_at < earliest:
        raise BookingInvalid(
            f"Bookings need at least {salon.min_notice_minutes} minutes' notice.",
            field="starts_at",
            reason="min_notice",
            minutes=salon.min_notice_minutes,
        )
    if starts_at > latest:
        raise BookingInvalid(
            f"Bookings can be made at most {salon.booking_horizon_days} days ahead.",
            field="starts_at",
            reason="horizon",
            days=salon.booking_horizon_days,
        )


def check_same_salon(salon: Salon, **objects: Any) -> None:
    for field, obj in objects.items():
        if obj is not None and obj.salon_id != salon.pk:
            raise BookingInvalid("No such object in this salon.", field=field)


def schedule_at(salon: Salon, service: Service, staff: StaffMember | None, starts_at: datetime, **kw) -> Schedule:
    return Schedule(
        salon=salon,
        service=service,
        staff=staff,
        window_start=starts_at,
        window_end=starts_at + timedelta(minutes=1),
        **kw,
    )


REASON_MESSAGES = {
    OUTSIDE_HOURS: "That time is outside the staff member's working hours.",
    TIME_OFF: "The staff member is not available then (time off or closure).",
}


def _free_alternatives(
    *, salon: Salon, service: Service, staff: StaffMember | None, around: datetime, now: datetime, exclude=None, busy=()
) -> list[dict]:
    """Nearby free slots as the 409 shows them (with the salon's wall-clock time), none overlapping ``busy``."""
    slots = nearest_alternatives(
        salon=salon, service=service, staff=staff, around=around, now=now, exclude_booking_id=exclude
    )
    return [
        {**slot.as_alternative(), "starts_at_local": slot.starts_at.astimezone(salon.tz).isoformat()}
        for slot in slots
        if not any(slot.starts_at < end and start < slot.ends_at for start, end in busy)
    ]


def conflict_with_alternatives(
    *, salon: Salon, service: Service, staff: StaffMember | None, around: datetime, now: datetime, exclude=None
) -> BookingConflict:
    return BookingConflict(
        alternatives=_free_alternatives(
            salon=salon, service=service, staff=staff, around=around, now=now, exclude=exclude
        )
    )


def check_customer_free(
    *,
    salon: Salon,
    customer: Customer,
    service: Service,
    staff: StaffMember | None,
    starts_at: datetime,
    ends_at: datetime,
    now: datetime,
    allow_parallel: bool,
    exclude: int | None = None,
) -> None:
    """One customer, one chair at a time, unless the request says the services run in parallel.

    The customer's row is locked first (by every create and reschedule, parallel or not), so two concurrent
    requests for the same customer are serialized and the second one sees the first one's booking.
    """
    Customer.objects.select_for_update().filter(pk=customer.pk).values_list("pk", flat=True).first()
    if allow_parallel:
        return
    overlapping = Booking.objects.filter(
        customer=customer, status__in=ACTIVE_STATUSES, starts_at__lt=ends_at, ends_at__gt=starts_at
    )
    if exclude is not None:
        overlapping = overlapping.exclude(pk=exclude)
    clashes = list(overlapping.order_by("starts_at").values_list("code", "starts_at", "ends_at"))
    if clashes:
        busy = [(start, end) for _code, start, end in clashes]
        alternatives = _free_alternatives(
            salon=salon, service=service, staff=staff, around=starts_at, now=now, exclude=exclude, busy=busy
        )
        raise CustomerBusy(codes=[code for code, _s, _e in clashes], alternatives=alternatives)


def check_cancellation_notice(booking: Booking, now: datetime, *, override_policy: bool, reason: str, verb: str):
    if override_policy:
        if not reason.strip():
            raise BookingInvalid("Give a reason to override the cancellation policy.", field="reason")
        return
    notice = timedelta(hours=booking.salon.cancellation_notice_hours)
    if booking.starts_at - now < notice:
        raise BookingInvalid(
            f"Bookings can only be {verb} up to {booking.salon.cancellation_notice_hours} hours before the start.",
            field="starts_at",
            reason="cancellation_notice",
            hours=booking.salon.cancellation_notice_hours,
        )


def check_transition(booking: Booking, to: str) -> None:
    if not booking.can_transition_to(to):
        raise BookingInvalid(
            f"A {BookingStatus(booking.status).label.lower()} booking cannot become {BookingStatus(to).label.lower()}.",
            field="status",
        )
