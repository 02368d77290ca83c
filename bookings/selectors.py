"""Reads of bookings: upcoming bookings of a customer, a booking by its code, list querysets for the API/admin."""

from __future__ import annotations

from datetime import date, datetime

from django.db.models import Prefetch, QuerySet
from django.utils import timezone

from bookings.availability import local_day_bounds
from bookings.models import ACTIVE_STATUSES, Booking, StaffMember, StaffService, WorkingHours
from salons.models import Customer, Salon

# A booking as the API and the admin show it: the appointment, then (after its state) what became of it.
APPOINTMENT_FIELDS = ("code", "customer", "service", "staff", "starts_at", "ends_at")
OUTCOME_FIELDS = ("confirmed_at", "cancelled_at", "cancellation_reason")


def booking_queryset() -> QuerySet[Booking]:
    """Bookings of the salon in scope with what their list/detail output needs, in one query."""
    return Booking.objects.select_related("customer", "service", "staff")


# What a list page shows (BookingOutputSerializer): the booking's own columns but the busy range, and the name of each
# related row. Columns are most of a page's cost: every timestamp of every row is parsed in Python.
LIST_FIELDS = (
    "id", "code", "salon_id", "customer_id", "service_id", "staff_id", "starts_at", "ends_at", "status", "source",
    "price", "currency", "notes", "confirmed_at", "cancelled_at", "cancellation_reason", "created_at", "updated_at",
    "customer__id", "customer__name", "customer__phone", "service__id", "service__name", "staff__id", "staff__name",
)  # fmt: skip


def booking_list_queryset(queryset: QuerySet[Booking] | None = None) -> QuerySet[Booking]:
    """Bookings for a read-only list page: one query, only the columns the page shows. Never save these rows."""
    queryset = Booking.objects.all() if queryset is None else queryset
    return queryset.select_related("customer", "service", "staff").only(*LIST_FIELDS)


def customer_upcoming_bookings(*, customer: Customer, now: datetime | None = None) -> list[Booking]:
    """The customer's pending or confirmed bookings that have not started, soonest first."""
    return list(
        booking_queryset()
        .filter(customer=customer, status__in=ACTIVE_STATUSES, starts_at__gt=now or timezone.now())
        .order_by("starts_at")
    )


def customer_booking_history(*, customer: Customer) -> QuerySet[Booking]:
    """Every booking of the customer, newest first (for reading)."""
    return booking_list_queryset().filter(customer=customer).order_by("-starts_at", "-pk")


def booking_by_code(*, code: str) -> Booking | None:
    """The salon's booking with this code (case-insensitive, ignoring spaces and dashes), or None."""
    normalized = "".join(ch for ch in (code or "").upper() if ch.isalnum())
    if not normalized:
        return None
    return booking_queryset().filter(code=normalized).first()


def bookings_on_day(*, salon: Salon, day: date, staff_ids: list[int] | None = None) -> QuerySet[Booking]:
    """Bookings starting on a local day of the salon (for the day view)."""
    start, end = local_day_bounds(day, day, salon.tz)
    queryset = booking_queryset().filter(starts_at__gte=start, starts_at__lt=end)
    if staff_ids is not None:
        queryset = queryset.filter(staff_id__in=staff_ids)
    return queryset.order_by("starts_at")


def with_staff_details(queryset: QuerySet[StaffMember]) -> QuerySet[StaffMember]:
    """Staff with their login, services and working hours loaded in a constant number of queries."""
    return queryset.select_related("user").prefetch_related(
        Prefetch("staff_services", queryset=StaffService.objects.select_related("service").order_by("service__name")),
        Prefetch("working_hours", queryset=WorkingHours.objects.order_by("weekday", "start_time")),
    )
