"""The only way to write bookings: create, reschedule, cancel, confirm, complete, no-show, and reminders.

The no-overlap rule lives in PostgreSQL (the ``booking_no_overlap`` exclusion constraint): services insert or
update inside a savepoint and turn an exclusion violation into ``BookingConflict`` with nearby free slots, so there
is no check-then-insert race whatever path or how many processes write.
"""

from __future__ import annotations

import logging
import random
import time
from datetime import UTC, datetime, timedelta
from itertools import pairwise
from typing import Any

import psycopg.errors
from django.db import IntegrityError, OperationalError, transaction
from django.db.backends.postgresql.psycopg_any import DateTimeTZRange
from django.db.models import ProtectedError
from django.utils import timezone

from bookings import notifications
from bookings.availability import BUSY, OUTSIDE_HOURS, TIME_OFF, Schedule, booking_window, nearest_alternatives
from bookings.errors import BookingConflict, BookingInvalid, CustomerBusy
from bookings.models import (
    ACTIVE_STATUSES,
    Booking,
    BookingEvent,
    BookingEventKind,
    BookingSource,
    BookingStatus,
    Reminder,
    ReminderStatus,
    Service,
    StaffMember,
    StaffService,
    TimeOff,
    WorkingHours,
    generate_booking_code,
)
from config.api import Conflict, DomainError
from salons.models import Customer, Membership, Salon, User
from salons.tenancy import salon_scope

logger = logging.getLogger("chairside.bookings")

# A reminder is pointless this close to the appointment (the client is on the way).
REMINDER_MIN_LEAD = timedelta(minutes=15)
REMINDER_BATCH = 200

__all__ = [
    "BookingConflict",
    "BookingInvalid",
    "booking_cancel",
    "booking_complete",
    "booking_confirm",
    "booking_create",
    "booking_mark_no_show",
    "booking_reschedule",
    "booking_update_notes",
    "reminders_schedule",
    "reminders_send_due",
    "service_create",
    "service_delete",
    "service_update",
    "staff_create",
    "staff_delete",
    "staff_update",
    "time_off_create",
    "time_off_delete",
    "time_off_update",
]


# --- validation helpers ---------------------------------------------------------------------------------------
def _aware_utc(value: datetime, field: str = "starts_at") -> datetime:
    if not isinstance(value, datetime) or timezone.is_naive(value):
        raise BookingInvalid("Give an aware date and time (with a UTC offset).", field=field)
    return value.astimezone(UTC).replace(microsecond=0)


def _check_booking_window(salon: Salon, starts_at: datetime, now: datetime) -> None:
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


def _check_same_salon(salon: Salon, **objects: Any) -> None:
    for field, obj in objects.items():
        if obj is not None and obj.salon_id != salon.pk:
            raise BookingInvalid("No such object in this salon.", field=field)


def _schedule_at(salon: Salon, service: Service, staff: StaffMember | None, starts_at: datetime, **kw) -> Schedule:
    return Schedule(
        salon=salon,
        service=service,
        staff=staff,
        window_start=starts_at,
        window_end=starts_at + timedelta(minutes=1),
        **kw,
    )


_REASON_MESSAGES = {
    OUTSIDE_HOURS: "That time is outside the staff member's working hours.",
    TIME_OFF: "The staff member is not available then (time off or closure).",
}


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


def _alternatives(
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


def _conflict(
    *, salon: Salon, service: Service, staff: StaffMember | None, around: datetime, now: datetime, exclude=None
) -> BookingConflict:
    return BookingConflict(
        alternatives=_alternatives(salon=salon, service=service, staff=staff, around=around, now=now, exclude=exclude)
    )


def _check_customer_free(
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
        alternatives = _alternatives(
            salon=salon, service=service, staff=staff, around=starts_at, now=now, exclude=exclude, busy=busy
        )
        raise CustomerBusy(codes=[code for code, _s, _e in clashes], alternatives=alternatives)


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
        _check_same_salon(salon, customer=customer, service=service, staff=staff)
        starts_at = _aware_utc(starts_at)
        if not service.is_active:
            raise BookingInvalid("This service is not offered any more.", field="service")
        _check_booking_window(salon, starts_at, now)
        # With a chosen staff member only hours and time off matter here: PostgreSQL checks the overlap.
        schedule = _schedule_at(salon, service, staff, starts_at, load_bookings=staff is None)
        if staff is not None and staff.pk not in schedule.plans:
            raise BookingInvalid(f"{staff.name} does not offer {service.name}.", field="staff")
        if staff is not None:
            reason = schedule.check(staff.pk, starts_at, include_bookings=False)
            if reason is not None:
                raise BookingInvalid(_REASON_MESSAGES[reason], field="starts_at", reason=reason)
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
        _check_customer_free(
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
            raise _conflict(salon=salon, service=service, staff=staff, around=starts_at, now=now)

        _record(booking, BookingEventKind.CREATED, actor=created_by, before=None, source=source)
        reminders_schedule(booking=booking, now=now, fresh=True)
        if notify:
            notifications.notify_on_commit(booking=booking, template_name=notifications.CONFIRMATION)
        return booking


# --- reschedule -----------------------------------------------------------------------------------------------
def _check_cancellation_notice(booking: Booking, now: datetime, *, override_policy: bool, reason: str, verb: str):
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


def _check_transition(booking: Booking, to: str) -> None:
    if not booking.can_transition_to(to):
        raise BookingInvalid(
            f"A {BookingStatus(booking.status).label.lower()} booking cannot become {BookingStatus(to).label.lower()}.",
            field="status",
        )


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
        _check_same_salon(salon, staff=staff)
        starts_at = _aware_utc(starts_at)
        _check_cancellation_notice(booking, now, override_policy=override_policy, reason=reason, verb="changed")
        _check_booking_window(salon, starts_at, now)
        target = staff or booking.staff
        schedule = _schedule_at(salon, booking.service, target, starts_at, load_bookings=False)
        if target.pk not in schedule.plans:
            raise BookingInvalid(f"{target.name} does not offer {booking.service.name}.", field="staff")
        reason_code = schedule.check(target.pk, starts_at, include_bookings=False)
        if reason_code is not None:
            raise BookingInvalid(_REASON_MESSAGES[reason_code], field="starts_at", reason=reason_code)

        plan = schedule.plans[target.pk]
        _check_customer_free(
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
            raise _conflict(
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
        _check_transition(booking, BookingStatus.CANCELLED)
        _check_cancellation_notice(booking, now, override_policy=override_policy, reason=reason, verb="cancelled")
        before = booking.snapshot()
        booking.status = BookingStatus.CANCELLED
        booking.cancelled_at = now
        booking.cancellation_reason = reason[:300]
        booking.save(update_fields=["status", "cancelled_at", "cancellation_reason", "updated_at"])
        note = f"policy overridden: {reason}" if override_policy else reason
        _record(booking, BookingEventKind.CANCELLED, actor=actor, before=before, note=note, source=source)
        _reminders_cancel(booking, "booking cancelled")
        notifications.notify_on_commit(booking=booking, template_name=notifications.CANCELLED)
        return booking


def _change_status(booking: Booking, to: str, *, actor: User | None, source: str, now: datetime | None) -> Booking:
    """Move to status ``to`` (confirmed, completed or no_show); the event kind is named like the status."""
    now = now or timezone.now()
    with salon_scope(booking.salon):
        booking = _lock(booking)
        _check_transition(booking, to)
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
            _reminders_cancel(booking, f"booking {to}")
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


# --- reminders ------------------------------------------------------------------------------------------------
def _reminders_cancel(booking: Booking, detail: str) -> None:
    Reminder.objects.filter(booking=booking, status=ReminderStatus.PENDING).update(
        status=ReminderStatus.CANCELLED, detail=detail, updated_at=timezone.now()
    )


def reminders_schedule(*, booking: Booking, now: datetime | None = None, fresh: bool = False) -> list[Reminder]:
    """(Re)create the reminder rows for the booking's current start time.

    One row per salon offset still in the future; if every offset has passed (a short-notice booking) one row due
    now, as long as the appointment is more than ``REMINDER_MIN_LEAD`` away. Pending rows for another start time
    are cancelled; a row already sent for this start time is never re-armed. ``fresh``: a new booking (no rows yet).
    """
    now = now or timezone.now()
    starts_at = booking.starts_at
    if not fresh:
        Reminder.objects.filter(booking=booking, status=ReminderStatus.PENDING).exclude(starts_at=starts_at).update(
            status=ReminderStatus.CANCELLED, detail="booking moved", updated_at=now
        )
    if booking.status not in ACTIVE_STATUSES:
        return []
    offsets = sorted(set(booking.salon.default_reminder_offsets()), reverse=True)
    plan = [(offset, starts_at - timedelta(minutes=offset)) for offset in offsets]
    future = [(offset, due) for offset, due in plan if due > now]
    if not future and offsets and starts_at - now > REMINDER_MIN_LEAD:
        future = [(offsets[-1], now)]
    if fresh:
        return Reminder.objects.bulk_create(
            [
                Reminder(salon=booking.salon, booking=booking, offset_minutes=offset, starts_at=starts_at, due_at=due)
                for offset, due in future
            ]
        )
    existing = {r.offset_minutes: r for r in Reminder.objects.filter(booking=booking, starts_at=starts_at)}
    rows = []
    for offset, due in future:
        row = existing.get(offset)
        if row is None:
            row = Reminder.objects.create(booking=booking, offset_minutes=offset, starts_at=starts_at, due_at=due)
        elif row.status in (ReminderStatus.CANCELLED, ReminderStatus.SKIPPED):
            row.status, row.due_at, row.detail = ReminderStatus.PENDING, due, ""
            row.save(update_fields=["status", "due_at", "detail", "updated_at"])
        rows.append(row)
    return rows


def _in_quiet_hours(salon: Salon, now: datetime) -> datetime | None:
    """If ``now`` is inside the salon's quiet hours, the aware end of them; else None."""
    start, end = salon.quiet_hours_start, salon.quiet_hours_end
    if start is None or end is None or start == end:
        return None
    tz = salon.tz
    local = now.astimezone(tz)
    at = local.time().replace(tzinfo=None)
    quiet = (start <= at < end) if start < end else (at >= start or at < end)
    if not quiet:
        return None
    end_day = local.date() if at < end else local.date() + timedelta(days=1)
    return datetime.combine(end_day, end, tzinfo=tz).astimezone(UTC)


def _process_reminder(reminder: Reminder, now: datetime) -> str:
    """Send, defer, skip or fail one locked, due reminder. Returns what happened."""
    booking = reminder.booking

    def finish(status: str, detail: str = "") -> str:
        reminder.status, reminder.detail = status, detail[:300]
        if status == ReminderStatus.SENT:
            reminder.sent_at = now
        reminder.save(update_fields=["status", "detail", "sent_at", "updated_at"])
        return status

    if not booking.salon.is_active:
        return finish(ReminderStatus.SKIPPED, "salon inactive")
    if booking.status not in ACTIVE_STATUSES:
        return finish(ReminderStatus.SKIPPED, f"booking {booking.status}")
    if booking.starts_at != reminder.starts_at:
        reminders_schedule(booking=booking, now=now)
        return finish(ReminderStatus.SKIPPED, "booking moved")
    if booking.starts_at - now <= REMINDER_MIN_LEAD:
        return finish(ReminderStatus.SKIPPED, "too close to the appointment")
    # After an outage several reminders of one start may be due at once: only the latest one is worth sending.
    if (
        Reminder.objects.filter(
            booking=booking,
            starts_at=reminder.starts_at,
            status__in=(ReminderStatus.PENDING, ReminderStatus.SENT),
            offset_minutes__lt=reminder.offset_minutes,
            due_at__lte=now,
        )
        .exclude(pk=reminder.pk)
        .exists()
    ):
        return finish(ReminderStatus.SKIPPED, "superseded by a later reminder")
    quiet_until = _in_quiet_hours(booking.salon, now)
    if quiet_until is not None:
        if booking.starts_at - quiet_until > REMINDER_MIN_LEAD:
            reminder.due_at = quiet_until
            reminder.save(update_fields=["due_at", "updated_at"])
            return "deferred"
        return finish(ReminderStatus.SKIPPED, "quiet hours until the appointment")
    try:
        with transaction.atomic():
            notifications.send_reminder(booking=booking)
    except DomainError as exc:
        logger.info("reminder not sent", extra={"reminder_id": reminder.pk, "error": str(exc)})
        return finish(ReminderStatus.FAILED, f"{type(exc).__name__}: {exc.message or exc}")
    except Exception as exc:
        logger.exception("reminder failed", extra={"reminder_id": reminder.pk})
        return finish(ReminderStatus.FAILED, f"{type(exc).__name__}: {exc}")
    return finish(ReminderStatus.SENT)


def reminders_send_due(now: datetime | None = None) -> dict[str, int]:
    """Send every due pending reminder of every salon (the periodic task; safe to run in parallel).

    The one cross-salon read of bookings: due rows are claimed with FOR UPDATE SKIP LOCKED (reminder and booking),
    then each is handled inside its own salon's scope after re-reading the booking.
    """
    now = now or timezone.now()
    counts: dict[str, int] = {}
    for _batch in range(1000):
        with transaction.atomic():
            due = list(
                Reminder.all_salons.select_related("booking__customer", "booking__service", "booking__staff")
                .select_for_update(skip_locked=True, of=("self", "booking"))
                .filter(status=ReminderStatus.PENDING, due_at__lte=now)
                .order_by("due_at", "pk")[:REMINDER_BATCH]
            )
            if not due:
                break
            salons = Salon.objects.in_bulk({r.salon_id for r in due})
            for reminder in due:
                salon = salons[reminder.salon_id]
                reminder.salon = reminder.booking.salon = salon
                with salon_scope(salon):
                    outcome = _process_reminder(reminder, now)
                counts[outcome] = counts.get(outcome, 0) + 1
    return counts


# --- catalog: services, staff with their services and working hours, time off ---------------------------------
def _protected_delete(obj: Any, what: str) -> None:
    try:
        with transaction.atomic():
            obj.delete()
    except ProtectedError:
        raise Conflict(f"This {what} has bookings: deactivate it instead of deleting it.") from None


@transaction.atomic
def service_create(*, salon: Salon, **data: Any) -> Service:
    with salon_scope(salon):
        data.setdefault("currency", salon.currency)
        service = Service(**data)
        service.full_clean(exclude=["salon"], validate_unique=False)
        service.save()
        return service


@transaction.atomic
def service_update(*, service: Service, data: dict) -> Service:
    with salon_scope(service.salon):
        for name, value in data.items():
            setattr(service, name, value)
        service.full_clean(exclude=["salon"], validate_unique=False)
        service.save()
        return service


@transaction.atomic
def service_delete(*, service: Service) -> None:
    with salon_scope(service.salon):
        _protected_delete(service, "service")


def _check_working_hours(ranges: list[dict]) -> None:
    by_day: dict[int, list[tuple]] = {}
    for item in ranges:
        if item["start_time"] >= item["end_time"]:
            raise DomainError("Each range must end after it starts.", field="working_hours")
        by_day.setdefault(item["weekday"], []).append((item["start_time"], item["end_time"]))
    for day_ranges in by_day.values():
        day_ranges.sort()
        for (_s1, e1), (s2, _e2) in pairwise(day_ranges):
            if s2 < e1:
                raise DomainError("Working hours of one day may not overlap.", field="working_hours")


def _set_staff_services(staff: StaffMember, offers: list[dict]) -> None:
    wanted = {offer["service"].pk: offer for offer in offers}
    StaffService.objects.filter(staff=staff).exclude(service_id__in=wanted).delete()
    existing = {link.service_id: link for link in StaffService.objects.filter(staff=staff)}
    for service_id, offer in wanted.items():
        link = existing.get(service_id) or StaffService(staff=staff, service=offer["service"])
        link.duration_minutes = offer.get("duration_minutes")
        link.price = offer.get("price")
        link.save()


def _set_working_hours(staff: StaffMember, ranges: list[dict]) -> None:
    _check_working_hours(ranges)
    WorkingHours.objects.filter(staff=staff).delete()
    WorkingHours.objects.bulk_create(
        [
            WorkingHours(
                salon=staff.salon, staff=staff, weekday=r["weekday"], start_time=r["start_time"], end_time=r["end_time"]
            )
            for r in ranges
        ]
    )


def _check_staff_user(salon: Salon, user: User | None) -> None:
    if user is not None and not Membership.all_salons.filter(salon=salon, user=user).exists():
        raise DomainError("Only a member of this salon can be linked to a staff member.", field="user")


@transaction.atomic
def staff_create(
    *,
    salon: Salon,
    name: str,
    user: User | None = None,
    is_active: bool = True,
    services: list[dict] | None = None,
    working_hours: list[dict] | None = None,
) -> StaffMember:
    """A staff member with the services they offer ({service, duration_minutes?, price?}) and weekly hours."""
    with salon_scope(salon):
        _check_staff_user(salon, user)
        staff = StaffMember.objects.create(name=name, user=user, is_active=is_active)
        _set_staff_services(staff, services or [])
        _set_working_hours(staff, working_hours or [])
        return staff


@transaction.atomic
def staff_update(*, staff: StaffMember, data: dict) -> StaffMember:
    """Change fields; ``services`` and ``working_hours``, when given, replace the whole set."""
    with salon_scope(staff.salon):
        data = dict(data)
        services, working_hours = data.pop("services", None), data.pop("working_hours", None)
        if "user" in data:
            _check_staff_user(staff.salon, data["user"])
        for name, value in data.items():
            setattr(staff, name, value)
        staff.save()
        if services is not None:
            _set_staff_services(staff, services)
        if working_hours is not None:
            _set_working_hours(staff, working_hours)
        return staff


@transaction.atomic
def staff_delete(*, staff: StaffMember) -> None:
    with salon_scope(staff.salon):
        _protected_delete(staff, "staff member")


def _check_time_off(starts_at: datetime, ends_at: datetime) -> None:
    if ends_at <= starts_at:
        raise DomainError("Time off must end after it starts.", field="ends_at")


@transaction.atomic
def time_off_create(
    *, salon: Salon, starts_at: datetime, ends_at: datetime, staff: StaffMember | None = None, reason: str = ""
) -> TimeOff:
    """Block time for one staff member, or (staff None) for the whole salon. Existing bookings are kept."""
    with salon_scope(salon):
        _check_time_off(starts_at, ends_at)
        return TimeOff.objects.create(staff=staff, starts_at=starts_at, ends_at=ends_at, reason=reason)


@transaction.atomic
def time_off_update(*, time_off: TimeOff, data: dict) -> TimeOff:
    with salon_scope(time_off.salon):
        for name, value in data.items():
            setattr(time_off, name, value)
        _check_time_off(time_off.starts_at, time_off.ends_at)
        time_off.save()
        return time_off


@transaction.atomic
def time_off_delete(*, time_off: TimeOff) -> None:
    with salon_scope(time_off.salon):
        time_off.delete()
