"""The only way to write bookings: create, reschedule, cancel, confirm, complete, no-show.

The no-overlap rule lives in PostgreSQL (the ``booking_no_overlap`` exclusion constraint): services insert or
update inside a savepoint and turn an exclusion violation into ``BookingConflict`` with nearby free slots, so there
is no check-then-insert race whatever path or how many processes write.
"""

from __future__ import annotations

import logging
import random
import time
from datetime import datetime, timedelta
from typing import Any

import psycopg.errors
from django.db import IntegrityError, OperationalError, transaction
from django.db.backends.postgresql.psycopg_any import DateTimeTZRange
from django.utils import timezone

from bookings import notifications
from bookings.availability import BUSY
from bookings.errors import BookingInvalid
from bookings.models import (
    ACTIVE_STATUSES,
    Booking,
    BookingEvent,
    BookingEventKind,
    BookingSource,
    BookingStatus,
    Service,
    StaffMember,
    generate_booking_code,
)
from bookings.services.booking_rules import (
    REASON_MESSAGES,
    aware_utc,
    check_booking_window,
    check_cancellation_notice,
    check_customer_free,
    check_same_salon,
    check_transition,
    conflict_with_alternatives,
    schedule_at,
)
from bookings.services.reminders import reminders_cancel, reminders_schedule
from salons.models import Customer, Salon, User
from salons.tenancy import salon_scope

logger = logging.getLogger("chairside.bookings")


# --- validation helpers ---------------------------------------------------------------------------------------
def _busy_range(service: Service, starts_at: datetime, ends_at: datetime) -> DateTimeTZRange:
    return DateTimeTZRange(starts_at - service.buffer_before, ends_at + service.buffer_after, "[)")


def _is_exclusion_violation(exc: IntegrityError) -> bool:
    return isinstance(exc.__cause__, psycopg.errors.ExclusionViolation)


def _is_code_collision(exc: IntegrityError) -> bool:
    cause = exc.__cause__
    return (
        isinstance(cause, psycopg.errors.UniqueViolation)
        and getattr(cause.diag, "constraint_name", "") == "booking_unique_salon_code"
    )


def _save_or_conflict(booking: Booking, **save_kwargs: Any) -> bool:
    """Write the booking in a savepoint; False if the exclusion constraint refused it (the time is taken).

    Two writers of overlapping ranges that check the constraint at the same moment can deadlock on each other;
    PostgreSQL aborts one, whose savepoint is rolled back and which simply tries again.
    """
    for attempt in range(12):
        try:
            with transaction.atomic():
                booking.save(**save_kwargs)
            return True
        except IntegrityError as exc:
            if _is_exclusion_violation(exc):
                return False
            if _is_code_collision(exc) and save_kwargs.get("force_insert"):
                booking.code = generate_booking_code()
                continue
            raise
        except OperationalError as exc:
            if not isinstance(exc.__cause__, psycopg.errors.DeadlockDetected):
                raise
            logger.info("booking write deadlocked, retrying", extra={"attempt": attempt})
            time.sleep(random.uniform(0.001, 0.02) * (attempt + 1))
    return False


def _record(booking: Booking, kind: str, *, actor: User | None, before: dict | None, note: str = "", source=""):
    BookingEvent.objects.create(
        booking=booking,
        kind=kind,
        actor=_user_or_none(actor),
        actor_label="" if actor is None or isinstance(actor, User) else str(actor)[:120],
        source=source,
        before=before,
        after=booking.snapshot(),
        note=note[:300],
    )


def _user_or_none(actor: Any) -> User | None:
    """Only people are stored as actors; an API key principal or the assistant goes into ``actor_label``."""
    return actor if isinstance(actor, User) and actor.pk else None


def _lock(booking: Booking) -> Booking:
    locked = Booking.objects.select_for_update(of=("self",)).select_related("salon", "service", "staff", "customer")
    return locked.get(pk=booking.pk)


# --- create ---------------------------------------------------------------------------------------------------
@transaction.atomic
def booking_create(
    *,
    salon: Salon,
    customer: Customer,
    service: Service,
    staff: StaffMember | None,
    starts_at: datetime,
    source: str,
    created_by: User | None = None,
    notes: str = "",
    now: datetime | None = None,
    notify: bool = True,
    allow_parallel: bool = False,
) -> Booking:
    """Book ``service`` for ``customer`` at ``starts_at`` with ``staff`` (None: any qualified, free staff member).

    ``now`` pins the clock (tests, imports of past bookings); ``notify=False`` sends no confirmation (imports, demo).
    A booking overlapping another active booking of the customer is a ``CustomerBusy`` 409 unless
    ``allow_parallel`` (two services at once, e.g. manicure during a colour).
    """
    now = now or timezone.now()
    if source not in BookingSource.values:
        raise BookingInvalid(f"Unknown source {source!r}.", field="source")
    with salon_scope(salon):
        check_same_salon(salon, customer=customer, service=service, staff=staff)
        starts_at = aware_utc(starts_at)
        if not service.is_active:
            raise BookingInvalid("This service is not offered any more.", field="service")
        check_booking_window(salon, starts_at, now)
        # With a chosen staff member only hours and time off matter here: PostgreSQL checks the overlap.
        schedule = schedule_at(salon, service, staff, starts_at, load_bookings=staff is None)
        if staff is not None and staff.pk not in schedule.plans:
            raise BookingInvalid(f"{staff.name} does not offer {service.name}.", field="staff")
        if staff is not None:
            reason = schedule.check(staff.pk, starts_at, include_bookings=False)
            if reason is not None:
                raise BookingInvalid(REASON_MESSAGES[reason], field="starts_at", reason=reason)
            candidates = [staff.pk]
        else:
            workable = [sid for sid in schedule.plans if schedule.check(sid, starts_at, include_bookings=False) is None]
            if not workable:
                raise BookingInvalid(
                    "No staff member offering this service works at that time.",
                    field="starts_at",
                    reason="outside_working_hours",
                )
            # Only those who look free: the snapshot can miss a new booking, never invent one.
            candidates = [sid for sid in workable if schedule.check(sid, starts_at) != BUSY]
        longest = max((schedule.plans[sid].duration_minutes for sid in candidates), default=service.duration_minutes)
        check_customer_free(
            salon=salon,
            customer=customer,
            service=service,
            staff=staff,
            starts_at=starts_at,
            ends_at=starts_at + timedelta(minutes=longest),
            now=now,
            allow_parallel=allow_parallel,
        )

        booking = None
        for staff_id in candidates:
            plan = schedule.plans[staff_id]
            ends_at = starts_at + timedelta(minutes=plan.duration_minutes)
            attempt = Booking(
                salon=salon,
                code=generate_booking_code(),
                customer=customer,
                service=service,
                staff=plan.staff,
                starts_at=starts_at,
                ends_at=ends_at,
                busy_range=_busy_range(service, starts_at, ends_at),
                status=BookingStatus.PENDING,
                source=source,
                price=plan.price,
                currency=service.currency or salon.currency,
                notes=notes,
                created_by=_user_or_none(created_by),
            )
            if _save_or_conflict(attempt, force_insert=True):
                booking = attempt
                break
        if booking is None:
            raise conflict_with_alternatives(salon=salon, service=service, staff=staff, around=starts_at, now=now)

        _record(booking, BookingEventKind.CREATED, actor=created_by, before=None, source=source)
        reminders_schedule(booking=booking, now=now, fresh=True)
        if notify:
            notifications.notify_on_commit(booking=booking, template_name=notifications.CONFIRMATION)
        return booking


# --- reschedule -----------------------------------------------------------------------------------------------
@transaction.atomic
def booking_reschedule(
    *,
    booking: Booking,
    starts_at: datetime,
    staff: StaffMember | None = None,
    actor: User | None = None,
    override_policy: bool = False,
    reason: str = "",
    source: str = "",
    now: datetime | None = None,
    allow_parallel: bool = False,
) -> Booking:
    """Move an active booking to ``starts_at`` (and optionally to another staff member; None keeps the same one).

    Like a new booking, it may not overlap the customer's other active bookings unless ``allow_parallel``.
    """
    now = now or timezone.now()
    with salon_scope(booking.salon):
        booking = _lock(booking)
        salon = booking.salon
        if not booking.is_active:
            raise BookingInvalid("Only pending or confirmed bookings can be rescheduled.", field="status")
        check_same_salon(salon, staff=staff)
        starts_at = aware_utc(starts_at)
        check_cancellation_notice(booking, now, override_policy=override_policy, reason=reason, verb="changed")
        check_booking_window(salon, starts_at, now)
        target = staff or booking.staff
        schedule = schedule_at(salon, booking.service, target, starts_at, load_bookings=False)
        if target.pk not in schedule.plans:
            raise BookingInvalid(f"{target.name} does not offer {booking.service.name}.", field="staff")
        reason_code = schedule.check(target.pk, starts_at, include_bookings=False)
        if reason_code is not None:
            raise BookingInvalid(REASON_MESSAGES[reason_code], field="starts_at", reason=reason_code)

        plan = schedule.plans[target.pk]
        check_customer_free(
            salon=salon,
            customer=booking.customer,
            service=booking.service,
            staff=target,
            starts_at=starts_at,
            ends_at=starts_at + timedelta(minutes=plan.duration_minutes),
            now=now,
            allow_parallel=allow_parallel,
            exclude=booking.pk,
        )
        before = booking.snapshot()
        booking.staff = target
        booking.starts_at = starts_at
        booking.ends_at = starts_at + timedelta(minutes=plan.duration_minutes)
        booking.busy_range = _busy_range(booking.service, booking.starts_at, booking.ends_at)
        if not _save_or_conflict(booking):
            raise conflict_with_alternatives(
                salon=salon, service=booking.service, staff=target, around=starts_at, now=now, exclude=booking.pk
            )
        _record(booking, BookingEventKind.RESCHEDULED, actor=actor, before=before, note=reason, source=source)
        reminders_schedule(booking=booking, now=now)
        notifications.notify_on_commit(booking=booking, template_name=notifications.RESCHEDULED)
        return booking


# --- status changes -------------------------------------------------------------------------------------------
@transaction.atomic
def booking_cancel(
    *,
    booking: Booking,
    reason: str = "",
    actor: User | None = None,
    override_policy: bool = False,
    source: str = "",
    now: datetime | None = None,
) -> Booking:
    """Cancel, honouring the salon's cancellation notice unless staff override it with a reason."""
    now = now or timezone.now()
    with salon_scope(booking.salon):
        booking = _lock(booking)
        check_transition(booking, BookingStatus.CANCELLED)
        check_cancellation_notice(booking, now, override_policy=override_policy, reason=reason, verb="cancelled")
        before = booking.snapshot()
        booking.status = BookingStatus.CANCELLED
        booking.cancelled_at = now
        booking.cancellation_reason = reason[:300]
        booking.save(update_fields=["status", "cancelled_at", "cancellation_reason", "updated_at"])
        note = f"policy overridden: {reason}" if override_policy else reason
        _record(booking, BookingEventKind.CANCELLED, actor=actor, before=before, note=note, source=source)
        reminders_cancel(booking, "booking cancelled")
        notifications.notify_on_commit(booking=booking, template_name=notifications.CANCELLED)
        return booking


def _change_status(booking: Booking, to: str, *, actor: User | None, source: str, now: datetime | None) -> Booking:
    """Move to status ``to`` (confirmed, completed or no_show); the event kind is named like the status."""
    now = now or timezone.now()
    with salon_scope(booking.salon):
        booking = _lock(booking)
        check_transition(booking, to)
        if to != BookingStatus.CONFIRMED and booking.starts_at > now:
            raise BookingInvalid("This booking has not started yet.", field="status")
        before = booking.snapshot()
        booking.status = to
        fields = ["status", "updated_at"]
        if to == BookingStatus.CONFIRMED:
            booking.confirmed_at = now
            fields.append("confirmed_at")
        booking.save(update_fields=fields)
        _record(booking, BookingEventKind(to), actor=actor, before=before, source=source)
        if to not in ACTIVE_STATUSES:
            reminders_cancel(booking, f"booking {to}")
        return booking


@transaction.atomic
def booking_confirm(*, booking: Booking, actor: User | None = None, source: str = "", now: datetime | None = None):
    """The customer (or staff for them) confirmed a pending booking."""
    return _change_status(booking, BookingStatus.CONFIRMED, actor=actor, source=source, now=now)


@transaction.atomic
def booking_complete(*, booking: Booking, actor: User | None = None, source: str = "", now: datetime | None = None):
    """The appointment took place (only once it has started)."""
    return _change_status(booking, BookingStatus.COMPLETED, actor=actor, source=source, now=now)


@transaction.atomic
def booking_mark_no_show(*, booking: Booking, actor: User | None = None, source: str = "", now: datetime | None = None):
    """The customer did not come (only once the booking has started)."""
    return _change_status(booking, BookingStatus.NO_SHOW, actor=actor, source=source, now=now)


@transaction.atomic
def booking_update_notes(*, booking: Booking, notes: str, actor: User | None = None) -> Booking:
    """Change the internal notes (the only free-form field; no event: notes are not part of the appointment)."""
    with salon_scope(booking.salon):
        booking = _lock(booking)
        booking.notes = notes
        booking.save(update_fields=["notes", "updated_at"])
        return booking
