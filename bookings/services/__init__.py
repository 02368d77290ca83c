"""Bookings' writes, by concern: the bookings themselves, their reminders, and the salon's catalog.

Callers import from here (``from bookings.services import booking_create``); the modules are the layout.
"""

from bookings.services.booking_writes import (
    booking_cancel,
    booking_complete,
    booking_confirm,
    booking_create,
    booking_mark_no_show,
    booking_reschedule,
    booking_update_notes,
)
from bookings.services.catalog import (
    service_create,
    service_delete,
    service_update,
    staff_create,
    staff_delete,
    staff_update,
    time_off_create,
    time_off_delete,
    time_off_update,
)
from bookings.services.reminders import reminders_schedule, reminders_send_due

__all__ = [
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
