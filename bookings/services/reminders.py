"""Booking reminders: the rows each booking's start time calls for, and the periodic sender of the due ones."""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta

from django.db import transaction
from django.utils import timezone

from bookings import notifications
from bookings.models import ACTIVE_STATUSES, Booking, Reminder, ReminderStatus
from config.api import DomainError
from salons.models import Salon
from salons.tenancy import salon_scope

logger = logging.getLogger("chairside.bookings")

# A reminder is pointless this close to the appointment (the client is on the way).
REMINDER_MIN_LEAD = timedelta(minutes=15)
REMINDER_BATCH = 200


def reminders_cancel(booking: Booking, detail: str) -> None:
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
