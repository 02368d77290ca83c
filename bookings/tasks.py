"""Celery tasks of bookings (queue ``default``): the every-minute reminder sender."""

from __future__ import annotations

from celery import shared_task

from bookings import services


@shared_task(name="bookings.tasks.reminders_send_due", ignore_result=True)
def reminders_send_due() -> dict[str, int]:
    """Send due reminders of every salon (claims rows with SKIP LOCKED, so overlapping runs are harmless)."""
    return services.reminders_send_due()
